"""Builders of namespaced specs, releases and deployments, sent as peak-sdk sends them: spec
creates and releases as multipart/form-data (JSON text in the ``spec`` field), the rest JSON."""

import json
import math
from typing import Any

import pytest

from ..checks import expect, expect_json, expect_status, validate_body
from ..client import ApiClient, Exchange
from ..run import Run
from ..steps import step_unless
from .options import HOOK_OPTION

# The redeploy from failed or warning needs the test hook that puts a deployment there.
NEEDS_HOOK = pytest.mark.needs(
    HOOK_OPTION,
    "a test hook that puts a deployment in failed or warning (--blocks-peak-press-hook-url)",
)

SPECS = "/v1/blocks/specs/"
DEPLOYMENTS = "/v1/blocks/deployments/"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
COUNT_KEYS = {
    "specs": ("specCount", "specsCount"),
    "releases": ("releaseCount", "releasesCount"),
    "deployments": ("deploymentCount", "deploymentsCount"),
    "revisions": ("revisionCount", "revisionsCount"),
}
ARTIFACT = b"PK\x05\x06" + b"\x00" * 18  # an empty zip archive


def form(body: dict, **fields: Any) -> dict[str, tuple]:
    """Multipart parts as peak-sdk builds them: ``spec`` is the JSON text of ``body``, the other
    fields JSON text too (``featured`` as ``null`` when not given), ``scope`` as plain text, and
    an ``artifact`` zip when ``artifact=True``. Fields given as None are left out."""
    parts: dict[str, tuple] = {"spec": (None, json.dumps(body))}
    artifact = fields.pop("artifact", False)
    for key, value in fields.items():
        if value is None:
            continue
        parts[key] = (None, value if key == "scope" else json.dumps(value))
    if artifact:
        parts["artifact"] = ("artifact.zip", ARTIFACT, "application/zip")
    return parts


# peak-sdk takes any 2xx as success (peak/handler.py: `if 200 <= response.status_code < 300`)
SUCCESS = tuple(range(200, 300))
# a duplicate name or version: the SDK's Raises list BadRequestException and
# UnprocessableEntityException for creates and updates, ConflictException only for revisions
# and redeploys
REFUSED_DUPLICATE = (400, 409, 422)


def expect_created(exchange: Exchange, schema: str) -> Any:
    """A create's answer: any 2xx with a body of ``schema``."""
    __tracebackhide__ = True
    expect_status(
        exchange, *SUCCESS, requirement=f"{exchange.method} {exchange.path} must succeed (2xx)"
    )
    return validate_body(exchange, schema)


def expect_refused_duplicate(exchange: Exchange, requirement: str = "") -> None:
    """A duplicate refused: 400, 409 or 422."""
    __tracebackhide__ = True
    requirement = (
        requirement
        or f"{exchange.method} {exchange.path} of a taken name must be refused (400, 409 or 422)"
    )
    expect_status(exchange, *REFUSED_DUPLICATE, requirement=requirement)


def parameter(name: str, kind: str, required: bool = False, **extra: Any) -> dict:
    return {"name": name, "type": kind, "required": required, "title": name, **extra}


class Peak:
    """Makes objects of the run (names start with the namespace); clean-up deletes them."""

    def __init__(self, api: ApiClient, ns: str, run: Run) -> None:
        self.api = api
        self.ns = ns
        self.run = run

    def unique(self, what: str) -> str:
        return f"{self.ns}{what}-{self.run.draws.token_hex(3)}"

    # specs and releases

    def spec_body(
        self,
        name: str | None = None,
        kind: str = "workflow",
        version: str = "1.0.0",
        **metadata: Any,
    ) -> dict:
        config: dict[str, Any] = {"steps": {"main": {"type": "standard", "command": "run"}}}
        if kind == "service":
            config = {"serviceType": "api", "image": {"version": "0.0.1"}}
        return {
            "version": 1,
            "kind": kind,
            "metadata": {
                "name": name or self.unique("spec"),
                "title": metadata.pop("title", "Conformance spec"),
                "summary": metadata.pop("summary", "A spec of the conformance suite"),
                "description": "Created by blocks-conformance; deleted at the end of the run.",
                "descriptionContentType": "text/markdown",
                "tags": [{"name": "conformance"}],
                **metadata,
            },
            "release": {"version": version, "notes": f"release {version}"},
            "config": config,
        }

    def post_spec(
        self, body: dict, validate: bool = False, featured: bool | None = None, **fields: Any
    ) -> Exchange:
        parts = form(body, **fields)
        parts["featured"] = (None, json.dumps(featured))  # peak-sdk sends null when not given
        params = {"validate": "true"} if validate else None
        return self.api.post(SPECS, files=parts, params=params)

    def spec(self, body: dict | None = None, **fields: Any) -> dict:
        """A new spec, as described by GET after its create (a step of PP-SPEC-create, unless
        the test gives the spec or its fields)."""
        __tracebackhide__ = True
        with step_unless(body is not None or bool(fields), "PP-SPEC-create"):
            body = body or self.spec_body()
            created = expect_created(self.post_spec(body, **fields), "created")
            return self.describe_spec(created["id"])

    def describe_spec(self, spec_id: str) -> dict:
        return expect_json(self.api.get(f"{SPECS}{spec_id}"), 200, "spec")

    def post_release(
        self, spec_id: str, version: str, validate: bool = False, **fields: Any
    ) -> Exchange:
        body = {"release": {"version": version, "notes": f"release {version}"}}
        body["config"] = fields.pop("config", {"steps": {"main": {"command": "run"}}})
        params = {"validate": "true"} if validate else None
        parts = form(body, **fields)
        return self.api.post(f"{SPECS}{spec_id}/releases", files=parts, params=params)

    def release(self, spec_id: str, version: str, **fields: Any) -> dict:
        """A new release of the spec, as described by GET after its create (a step of
        PP-REL-create, unless the test gives its fields)."""
        __tracebackhide__ = True
        with step_unless(bool(fields), "PP-REL-create"):
            expect_created(self.post_release(spec_id, version, **fields), "release_created")
            answer = self.api.get(f"{SPECS}{spec_id}/releases/{version}")
            return expect_json(answer, 200, "release")

    # deployments

    def deployment_body(
        self, spec_id: str, name: str | None = None, version: str | None = None, **extra: Any
    ) -> dict:
        body: dict[str, Any] = {
            "metadata": {
                "name": name or self.unique("dep"),
                "title": extra.pop("title", "Conformance deployment"),
                "summary": "A deployment of the conformance suite",
                "tags": [{"name": "conformance"}],
            },
            "revision": {"notes": "first revision"},
            "spec": {"id": spec_id},
        }
        if version is not None:
            body["spec"]["release"] = {"version": version}
        if "parameters" in extra:
            body["parameters"] = extra.pop("parameters")
        return body

    def post_deployment(self, body: dict) -> Exchange:
        return self.api.post(DEPLOYMENTS, body)

    def deployment(self, spec_id: str, **options: Any) -> dict:
        """A new deployment, as described by GET after its create (a step of PP-DEP-create,
        unless the test gives its options)."""
        __tracebackhide__ = True
        with step_unless(bool(options), "PP-DEP-create"):
            answer = self.post_deployment(self.deployment_body(spec_id, **options))
            created = expect_created(answer, "created")
            return self.describe_deployment(created["id"])

    def describe_deployment(self, deployment_id: str) -> dict:
        return expect_json(self.api.get(f"{DEPLOYMENTS}{deployment_id}"), 200, "deployment")

    def post_revision(self, deployment_id: str, body: dict | None = None) -> Exchange:
        body = body if body is not None else {"revision": {"notes": "another revision"}}
        return self.api.post(f"{DEPLOYMENTS}{deployment_id}/revisions", body)

    def revision(self, deployment_id: str, body: dict | None = None) -> int:
        """A new revision's number."""
        answer = self.post_revision(deployment_id, body)
        created = expect_created(answer, "revision_created")
        return created["revision"]

    # listings

    def listing(self, path: str, items_key: str, **params: Any) -> tuple[list[dict], Exchange]:
        answer = self.api.get(path, params=params)
        page = expect_json(answer, 200, f"{items_key.rstrip('s')}_list")
        return page[items_key], answer

    def names(self, path: str, items_key: str, **params: Any) -> list[str]:
        items, _ = self.listing(path, items_key, **params)
        return [item["metadata"]["name"] for item in items]


def count_of(page: dict, items_key: str, exchange: Exchange) -> int:
    """The total of a list envelope, under either spelling of its count key."""
    for key in COUNT_KEYS[items_key]:
        if isinstance(page.get(key), int):
            return page[key]
    spelled = " or ".join(COUNT_KEYS[items_key])
    expect(False, f"a list of {items_key} must carry its total as {spelled}", "sent none", exchange)
    return 0


def expected_page_count(total: int, page_size: int) -> int:
    return math.ceil(total / page_size)
