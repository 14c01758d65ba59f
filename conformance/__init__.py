"""blocks-conformance: a conformance test suite for blocks API servers."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def file_name(profile: str) -> str:
    """How a profile's name is spelt in the names of its packages, modules and files (Python's
    names take no dash): ``peak-press`` -> ``peak_press``. The one place of that mapping."""
    return profile.replace("-", "_")


def fixtures_dir() -> Path:
    """The data folder: ``fixtures/`` in a checkout, ``conformance/_fixtures`` in a wheel."""
    checkout = _PACKAGE.parent / "fixtures"
    return checkout if checkout.is_dir() else _PACKAGE / "_fixtures"
