"""The Prefect blocks API profile of the reference server."""
