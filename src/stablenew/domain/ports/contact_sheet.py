"""ContactSheetWriter port: draws a plan's annotated grids."""

from __future__ import annotations

from abc import ABC, abstractmethod

from stablenew.domain.plan.grid_layout import ContactSheet, ContactSheetReport


class ContactSheetWriter(ABC):
    """Composes contact sheets into image files, skipping any above a megapixel limit."""

    @abstractmethod
    def write(
        self, sheets: tuple[ContactSheet, ...], out_dir: str, *, max_megapixels: float
    ) -> ContactSheetReport:
        """Write each sheet as ``out_dir/<sheet.name>.png``; a sheet too large is skipped with a note,
        one that cannot be written (disk full, no permission) is reported in `failed`, not raised."""
        raise NotImplementedError
