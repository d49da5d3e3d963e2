"""Image backends: the built-in procedural generator and HTTP servers."""
