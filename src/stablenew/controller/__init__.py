"""Application services: they use the core's ports, never adapters."""
