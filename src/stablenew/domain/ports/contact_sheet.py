"""ContactSheetWriter port: draws a plan's annotated grids."""

from __future__ import annotations

from abc import ABC, abstractmethod

from stablenew.domain.plan.grid_layout import ContactSheet, ContactSheetReport
from stablenew.domain.run.cancel import CancelToken


class ContactSheetWriter(ABC):
    """Composes contact sheets into image files, skipping any above a megapixel limit."""

    @abstractmethod
    def write(
        self, sheets: tuple[ContactSheet, ...], out_dir: str, *, max_megapixels: float,
        cancel: CancelToken | None = None,
    ) -> ContactSheetReport:
        """Write each sheet as ``out_dir/<sheet.name>.png`` with its `metadata` in the file; a sheet too
        large is skipped with a note before it is drawn, one that cannot be written (disk full, no
        permission) is reported in `failed`, not raised; once `cancel` is cancelled nothing more is drawn."""
        raise NotImplementedError
