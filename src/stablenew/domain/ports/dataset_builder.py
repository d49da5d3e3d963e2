"""DatasetBuilder port: turns the record log and the current feedback into dataset files."""

from __future__ import annotations

from abc import ABC, abstractmethod

from stablenew.domain.feedback.dataset import DatasetReport, DatasetRequest
from stablenew.domain.feedback.ratings import FeedbackState


class DatasetBuilder(ABC):
    """Writes the rated-image dataset (and the preference pairs) of one record log."""

    @abstractmethod
    def build(self, request: DatasetRequest, feedback: FeedbackState) -> DatasetReport:
        """Write `request.out` (and `request.pairs_out`) with the columns of domain.feedback.dataset,
        streaming over the log; the files appear whole or not at all."""
        raise NotImplementedError
