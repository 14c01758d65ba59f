"""The Prefect blocks API profile of the reference server (``/api``).

``SEAMS``: the modules of this package through which test variants (``tests/variants/prefect.py``)
may change the server (see ``reference_server.app``).
"""

SEAMS = ("store", "models", "api", "nesting", "filters", "system_blocks", "app")
