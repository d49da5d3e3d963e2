"""Services over the ports (the plan executor)."""
