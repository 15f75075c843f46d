"""The UI's pages, one module per area; importing them adds their routes to `ui`."""

from gateway.ui.views import auth, home, ops  # noqa: F401
