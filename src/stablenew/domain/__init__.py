"""The hexagon's core: values, rules, ports and services (standard library only)."""
