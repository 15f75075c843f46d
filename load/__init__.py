"""The load profile behind `make load` (see load/README.md)."""
