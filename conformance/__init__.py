"""blocks-conformance: a conformance test suite for blocks API servers."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def fixtures_dir() -> Path:
    """The data folder: ``fixtures/`` in a checkout, ``conformance/_fixtures`` in a wheel."""
    checkout = _PACKAGE.parent / "fixtures"
    return checkout if checkout.is_dir() else _PACKAGE / "_fixtures"
