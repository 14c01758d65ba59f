"""The Kragle profile: the Kragle.io block types API (``/api/v1/blocktypes``)."""
