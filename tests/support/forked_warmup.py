"""Imported last by the forkserver (``tests/support/forked.py``), after the modules it preloads: the
rest of what every forked suite run would otherwise pay for itself.

- pytest's built-in plugins and the plugins installed through entry points (xdist,
  schemathesis's, Hypothesis's), and the HTTP transport httpx imports on its first client;
- the CA bundle of the suite's TLS context and ``inspect``'s table of module files (pytest's
  tracebacks look a failing test's module up in it, walking every loaded module);
- ``gc.freeze()``: the preloaded objects move out of the collector's sight, so the full
  collections pytest makes at the end of every run walk only the run's own objects.
"""

import gc
import importlib
import importlib.util
import inspect
from importlib.metadata import entry_points

import httpx
from _pytest.config import default_plugins

from conformance.client import tls_context
from conformance.plugin import installed_packages

# What pytest, its plugins and the suite import lazily in every run (found by listing the
# modules a forked run adds to sys.modules).
LAZY_IMPORTS = [
    "pdb",
    "readline",
    "faulthandler",
    "_pytest._argcomplete",
    "xdist.newhooks",
    "schemathesis.pytest.xdist",
    "schemathesis.reporting.html",
    "schemathesis.reporting.junitxml",
    "schemathesis.engine.summary",
    "schemathesis.graphql.checks",
]
# each profile's options module (imported when pytest adds the options)
PROFILE_OPTIONS = [
    f"{package}.options"
    for package in installed_packages().values()
    if importlib.util.find_spec(f"{package}.options") is not None
]

for name in default_plugins:
    importlib.import_module(f"_pytest.{name}")
for plugin in entry_points(group="pytest11"):
    plugin.load()
for module in [*LAZY_IMPORTS, *PROFILE_OPTIONS]:
    importlib.import_module(module)
httpx.Client(verify=tls_context()).close()
inspect.getmodule(None, __file__)  # an object without __module__: the table is filled
gc.freeze()
