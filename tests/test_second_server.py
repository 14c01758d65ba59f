"""The second Prefect server (``tests/second_server``): each way it differs on purpose from the
reference server, held by one test, and the rule that it takes nothing from the reference
server, the suite or pydantic. That the suite passes it is CI's run (docs/second-server.md)."""

import ast
import re
import sys
import uuid

import httpx
import pytest

from .support import ROOT
from .support.servers import ServerProcess

SECOND_SERVER = [sys.executable, "-m", "tests.second_server", "--host", "127.0.0.1"]
WHOLE_SECOND = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    server = ServerProcess(SECOND_SERVER, tmp_path_factory.mktemp("second"), reference=False)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client
    server.stop()


def unique(label: str) -> str:
    return f"second-{label}-{uuid.uuid4().hex[:8]}"


def block_type(api: httpx.Client, name: str | None = None) -> dict:
    slug = unique("type")
    answer = api.post("/block_types/", json={"name": name or slug, "slug": slug})
    assert answer.status_code == 201, answer.text
    return answer.json()


def type_and_schema(api: httpx.Client, capabilities: list[str] | None = None) -> tuple[dict, dict]:
    made = block_type(api)
    body = {"block_type_id": made["id"], "fields": {"title": made["slug"]}}
    answer = api.post("/block_schemas/", json={**body, "capabilities": capabilities or []})
    assert answer.status_code == 201, answer.text
    return made, answer.json()


def document_body(block_type: dict, schema: dict, **extra) -> dict:
    return {"block_type_id": block_type["id"], "block_schema_id": schema["id"], **extra}


def test_timestamps_are_whole_seconds(api):
    made = block_type(api)
    assert WHOLE_SECOND.match(made["created"]) and WHOLE_SECOND.match(made["updated"]), made


def test_a_missing_document_name_is_located_at_the_name(api):
    """Real Prefect locates it at [body] (a check of the whole model); the field is as right."""
    for name in ("", None):
        answer = api.post("/block_documents/", json=document_body(*type_and_schema(api), name=name))
        assert answer.status_code == 422
        assert [error["loc"] for error in answer.json()["detail"]] == [["body", "name"]]


def test_anonymous_names_are_32_hex_digits(api):
    body = document_body(*type_and_schema(api), is_anonymous=True)
    answer = api.post("/block_documents/", json=body)
    assert answer.status_code == 201, answer.text
    assert re.fullmatch(r"anonymous-[0-9a-f]{32}", answer.json()["name"]), answer.json()["name"]


@pytest.mark.parametrize("path", ["/block_types", "/block_types/"])
def test_create_paths_take_both_slash_forms(api, path):
    slug = unique("slash")
    answer = api.post(path, json={"name": slug, "slug": slug})
    assert answer.status_code == 201, answer.text
    assert api.get(f"/block_types/slug/{slug}").json()["id"] == answer.json()["id"]


def test_errors_are_in_its_own_words_and_shape(api):
    unknown = str(uuid.uuid4())
    answer = api.get(f"/block_types/{unknown}")
    assert answer.status_code == 404
    assert answer.json() == {"detail": f"There is no block type with the id {unknown}."}
    refused = api.post("/block_types/", json={"name": 5})
    assert refused.status_code == 422
    assert list(refused.json()) == ["detail"]  # not the real server's exception_detail
    assert {"loc": ["body", "slug"], "msg": "this key is required here", "type": "missing"} in (
        refused.json()["detail"]
    )


@pytest.mark.parametrize(
    "path, body, loc",
    [
        ("/block_types/filter", {"limit": True}, ["body", "limit"]),
        ("/block_types/filter", {"limit": "5"}, ["body", "limit"]),
        ("/block_documents/filter", {"include_secrets": 1}, ["body", "include_secrets"]),
        ("/block_documents/filter", {"offset": False}, ["body", "offset"]),
        ("/block_documents/", {"is_anonymous": "yes"}, ["body", "is_anonymous"]),
    ],
)
def test_values_are_never_converted(api, path, body, loc):
    """A boolean or text where the API says integer, or the reverse, is refused, not read."""
    answer = api.post(path, json=body)
    assert answer.status_code == 422, answer.text
    assert loc in [error["loc"] for error in answer.json()["detail"]]


def test_a_query_boolean_is_true_or_false(api):
    made, schema = type_and_schema(api)
    path = f"/block_types/slug/{made['slug']}/block_documents"
    assert api.get(path, params={"include_secrets": "true"}).status_code == 200
    answer = api.get(path, params={"include_secrets": "1"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "include_secrets"]


def test_insertion_order_where_none_is_asked(api):
    """Capabilities are listed as first seen, and types of one name as they were made."""
    later, earlier = unique("zz-capability"), unique("aa-capability")
    type_and_schema(api, [later])
    type_and_schema(api, [earlier])
    listed = api.get("/block_capabilities/").json()
    assert listed.index(later) < listed.index(earlier)
    name = unique("shared name")
    made = [block_type(api, name)["slug"] for _ in range(3)]
    scope = {"block_types": {"slug": {"any_": made}}}
    assert [t["slug"] for t in api.post("/block_types/filter", json=scope).json()] == made


FOREIGN = ("reference_server", "conformance", "pydantic", "fastapi", "prefect")


def test_it_takes_nothing_from_the_reference_server_the_suite_or_pydantic():
    imported = []
    for path in sorted((ROOT / "tests" / "second_server").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported += [(path.name, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                imported.append((path.name, node.module or ""))
    assert imported, "no imports read"
    foreign = [(name, module) for name, module in imported if module.split(".")[0] in FOREIGN]
    assert foreign == []
