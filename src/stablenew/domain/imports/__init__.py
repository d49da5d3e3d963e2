"""Importing existing images: their settings read from A1111/Forge infotext, ComfyUI graphs or ours."""
