"""Conformance tests of the Prefect blocks API profile."""
