"""A second Prefect blocks API server of the project's own, written independently of
``reference_server/`` (it imports nothing from it) from Prefect's published OpenAPI, the
client's source and the answers of a real server, and built to differ from the reference
server wherever Prefect's documents leave room: no pydantic (Starlette, and request bodies
checked as JSON Schema with no conversion), whole-second timestamps, 422s located at the field
at fault, anonymous names ``anonymous-<32 hex>``, create paths with and without the trailing
slash, its own error words and 422 body, insertion order wherever no order is asked, and
everything in memory. The suite must pass it with no MUST failure (docs/second-server.md)."""
