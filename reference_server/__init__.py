"""Bundled reference server for the blocks API: the executable form of the conformance clauses."""
