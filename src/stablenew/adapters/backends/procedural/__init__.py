"""The procedural backend: synthetic, deterministic, offline images, and the names it accepts."""

from stablenew.adapters.backends.procedural.backend import ProceduralBackend

__all__ = ["ProceduralBackend"]
