"""The toy profile's suite package: its ``PROFILE`` (``profile.py``), its catalogue and its test
module. As a built-in profile it is ``conformance/toy/``."""
