"""Contact sheets (annotated image grids) drawn with Pillow."""

from stablenew.adapters.grid.pillow_sheet import PillowContactSheetWriter

__all__ = ["PillowContactSheetWriter"]
