"""The Peak Press profile of the reference server: block specs, releases, deployments, revisions.

``SEAMS``: the modules of this package through which test variants
(``tests/variants/peak_press.py``) may change the server (see ``reference_server.app``).
"""

SEAMS = ("store", "api", "listing", "parameters", "app")
