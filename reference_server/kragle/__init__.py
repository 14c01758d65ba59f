"""The Kragle.io block types API (``/kragle/api/v1``) of the reference server."""
