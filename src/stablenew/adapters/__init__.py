"""The outside world: one technology per module, each implementing a core port."""
