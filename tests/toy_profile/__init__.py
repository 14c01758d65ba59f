"""A toy blocks API ("notes") registered as a profile from outside the suite's package: the
proof that a profile is one folder plus one object (see tests/test_profiles.py)."""
