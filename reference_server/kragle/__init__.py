"""The Kragle.io block types API (``/kragle/api/v1``) of the reference server.

Seams for test variants (``tests/variants/kragle.py``, broken and allowed variants alike): a
variant changes this server only through the modules named in ``SEAMS``, by replacing one of
their public names (a function, a model, a method of ``store.Store``) before the app is built,
or by wrapping the finished app (``reference_server.app.profile_app`` finds this profile's app
and its ``state.store``). Names starting with ``_`` are not part of the seam.
``tests/test_variants.py`` checks that every name a variant touches exists, so renaming one
fails there, naming the variant, instead of silently leaving a variant without effect.
"""

SEAMS = ("store", "app", "definitions")
