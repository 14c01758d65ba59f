"""The toy profile's reference server package: notes under ``/toy`` (``app.py``). As a built-in
profile it is ``reference_server/toy/``, found by the reference server like every profile's.

``SEAMS``: the modules through which test variants may change it."""

SEAMS = ("app",)
