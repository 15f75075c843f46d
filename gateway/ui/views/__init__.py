"""The UI's pages, one module per area; importing them adds their routes to `ui`."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
