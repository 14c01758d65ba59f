"""Repository root: the conformance plugin is loaded through its pytest11 entry point once the
project is installed (``pip install -e .``); this keeps a plain checkout working too."""

import importlib.metadata

_ENTRY_POINTS = {ep.name for ep in importlib.metadata.entry_points(group="pytest11")}
pytest_plugins = [] if "conformance.plugin" in _ENTRY_POINTS else ["conformance.plugin"]
