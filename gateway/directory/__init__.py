"""The org directory: employees, units as a tree, supervisor links."""
