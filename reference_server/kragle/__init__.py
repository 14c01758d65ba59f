"""The Kragle.io block types API (``/kragle/api/v1``) of the reference server.

``SEAMS``: the modules of this package through which test variants (``tests/variants/kragle.py``)
may change the server (see ``reference_server.app``).
"""

SEAMS = ("store", "app", "definitions")
