"""Checks of the deployment files (see deploy/README.md)."""
