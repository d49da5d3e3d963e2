"""StableNew tests."""
