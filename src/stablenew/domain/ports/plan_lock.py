"""PlanLocks port: one runner per plan and record log at a time."""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager


class PlanLocks(ABC):
    """Exclusive, per-plan locks that belong to one record log and die with the process holding them."""

    @abstractmethod
    def hold(self, plan_id: str, plan_name: str) -> AbstractContextManager[None]:
        """Hold the plan's lock for a `with` block; PlanBusyError at once when another runner holds it."""
        raise NotImplementedError
