"""Level 3 queries: the three /filter endpoints, /count, capabilities, sorting and paging.

Every query is scoped to block types this module created, so pre-existing data on the target
cannot change an answer. The data set is inserted in an order that differs from every sort.
"""

import json
from dataclasses import dataclass, field

import pytest

from ..checks import expect, expect_equal, expect_json, expect_status
from .checks import expect_detail, expect_validation_error
from .helpers import Blocks

DOCUMENT_LABELS = {"zeta": ["gamma", "alpha"], "alpha": ["delta", "alphabet", "beta"]}


@dataclass
class DataSet:
    ns: str
    types: dict[str, dict] = field(default_factory=dict)
    schemas: dict[str, dict] = field(default_factory=dict)
    documents: dict[str, dict] = field(default_factory=dict)
    anonymous: list[dict] = field(default_factory=list)

    def name(self, label: str) -> str:
        return f"{self.ns}{label}"

    def scope(self) -> dict:
        """A block_types filter that keeps this data set's documents only."""
        slugs = [self.types[key]["slug"] for key in ("zeta", "alpha")]
        return {"slug": {"any_": slugs}}


@pytest.fixture(scope="module")
def data(run, target) -> DataSet:
    """Types '<ns>Zeta' and '<ns>Alpha' with documents, '<ns>beta', '<ns>Kappa', '<ns>Delta' and
    '<ns>Mu' without; five schemas; five named and two anonymous documents. Every set is
    inserted in an order that differs from its sorted order."""
    blocks = Blocks(target.client, target.namespace, run)
    ns = target.namespace
    data = DataSet(ns)
    for key, name in (
        ("zeta", "Zeta"),
        ("alpha", "Alpha"),
        ("lower", "beta"),
        ("kappa", "Kappa"),
        ("delta", "Delta"),
        ("mu", "Mu"),
    ):
        data.types[key] = blocks.block_type(key, name=f"{ns}{name}")
    specs = [
        ("zeta", "1.0", ["fly"]),
        ("alpha", "2.0", ["fly", "swim"]),
        ("zeta", "3.0", []),
        ("alpha", "4.0", []),
        ("zeta", "5.0", []),
    ]
    for index, (key, version, capabilities) in enumerate(specs, start=1):
        data.schemas[f"s{index}"] = blocks.block_schema(
            data.types[key],
            version=f"{ns}{version}",
            capabilities=[f"{ns}{capability}" for capability in capabilities],
        )
    schema_of = {"zeta": data.schemas["s1"], "alpha": data.schemas["s2"]}
    for key, labels in DOCUMENT_LABELS.items():
        for label in labels:
            data.documents[label] = blocks.document(
                data.types[key], schema_of[key], data.name(label)
            )
    data.anonymous.append(
        blocks.document(data.types["zeta"], schema_of["zeta"], None, is_anonymous=True)
    )
    data.anonymous.append(
        blocks.document(
            data.types["alpha"], schema_of["alpha"], data.name("anon-named"), is_anonymous=True
        )
    )
    return data


def find_documents(api, data: DataSet, **body) -> tuple[list[str], object]:
    body.setdefault("block_types", data.scope())
    answer = api.post("/block_documents/filter", body)
    return [
        document["name"] for document in expect_json(answer, 200, "block_document_list")
    ], answer


def expect_names(api, data: DataSet, labels: list[str], what: str, **body) -> None:
    __tracebackhide__ = True
    names, answer = find_documents(api, data, **body)
    expect_equal(names, [data.name(label) for label in labels], what, answer)


NAME_ASC = ["alpha", "alphabet", "beta", "delta", "gamma"]
FILTER_PATHS = ["/block_types/filter", "/block_schemas/filter", "/block_documents/filter"]


# ---- documents: anonymous defaulting --------------------------------------------------------


@pytest.mark.clause("PF-FLT-docs-anonymous")
@pytest.mark.parametrize(
    "extra",
    [{}, {"block_documents": None}, {"block_documents": {}}],
    ids=["absent", "null", "empty-object"],
)
def test_named_documents_only_by_default(api, data, extra):
    expect_names(api, data, NAME_ASC, f"names for {extra or 'no block_documents'}", **extra)


@pytest.mark.clause("PF-FLT-docs-anonymous")
@pytest.mark.parametrize(
    "selector", [{"is_anonymous": None}, {"is_anonymous": {"eq_": None}}], ids=["null", "eq-null"]
)
def test_anonymous_documents_are_included_on_request(api, data, selector):
    names, answer = find_documents(api, data, block_documents=selector)
    everything = sorted([data.name(label) for label in NAME_ASC] + anonymous_names(data))
    expect_equal(names, everything, f"names for {selector}", answer)


@pytest.mark.clause("PF-FLT-docs-anonymous")
def test_only_anonymous_documents(api, data):
    names, answer = find_documents(api, data, block_documents={"is_anonymous": {"eq_": True}})
    expect_equal(names, sorted(anonymous_names(data)), "anonymous documents only", answer)


def anonymous_names(data: DataSet) -> list[str]:
    return [document["name"] for document in data.anonymous]


# ---- documents: fields and operators --------------------------------------------------------


@pytest.mark.clause("PF-FLT-docs-fields")
def test_id_any_keeps_named_documents_with_those_ids(api, data):
    ids = [data.documents["beta"]["id"], data.documents["gamma"]["id"], data.anonymous[0]["id"]]
    expect_names(
        api,
        data,
        ["beta", "gamma"],
        "documents by id (anonymous still excluded)",
        block_documents={"id": {"any_": ids}},
    )


@pytest.mark.clause("PF-FLT-docs-fields")
def test_block_type_id_any(api, data):
    expect_names(
        api,
        data,
        ["alphabet", "beta", "delta"],
        "documents of the Alpha type",
        block_documents={"block_type_id": {"any_": [data.types["alpha"]["id"]]}},
    )


@pytest.mark.clause("PF-FLT-docs-fields")
@pytest.mark.parametrize(
    "values, expected",
    [(["alpha", "beta", "nope"], ["alpha", "beta"]), ([], [])],
    ids=["some", "empty-list"],
)
def test_name_any(api, data, values, expected):
    expect_names(
        api,
        data,
        expected,
        f"documents named any of {values}",
        block_documents={"name": {"any_": [data.name(value) for value in values]}},
    )


@pytest.mark.clause("PF-FLT-docs-fields")
@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("alph", ["alpha", "alphabet"]),
        ("ALPHA", ["alpha", "alphabet"]),
        ("a_pha", ["alpha", "alphabet"]),
        ("l%bet", ["alphabet"]),
        ("ta", ["beta", "delta"]),
        ("zzz", []),
    ],
)
def test_name_like(api, data, pattern, expected):
    expect_names(
        api,
        data,
        expected,
        f"documents whose name is like {pattern!r}",
        block_documents={"name": {"like_": pattern}},
    )


@pytest.mark.clause("PF-FLT-docs-fields")
def test_fields_of_one_filter_are_and_ed(api, data):
    expect_names(
        api,
        data,
        ["alphabet"],
        "documents like 'alph' of the Alpha type",
        block_documents={
            "name": {"like_": "alph"},
            "block_type_id": {"any_": [data.types["alpha"]["id"]]},
        },
    )


@pytest.mark.clause("PF-FLT-docs-operator-or")
def test_operator_or(api, data):
    names, answer = find_documents(
        api,
        data,
        block_documents={
            "operator": "or_",
            "is_anonymous": {"eq_": True},
            "name": {"any_": [data.name("beta")]},
        },
    )
    expected = sorted([data.name("beta"), *anonymous_names(data)])
    expect_equal(names, expected, "anonymous documents or the one named beta", answer)


@pytest.mark.clause("PF-FLT-docs-or-default")
def test_operator_or_includes_the_default_is_anonymous(api, data):
    expect_names(
        api,
        data,
        NAME_ASC,
        "or_ of name any_ [beta] with the default is_anonymous false",
        block_documents={"operator": "or_", "name": {"any_": [data.name("beta")]}},
    )


@pytest.mark.clause("PF-FLT-docs-or-default")
@pytest.mark.parametrize(
    "empty",
    [{"is_anonymous": {"eq_": None}}, {"name": {}}],
    ids=["is_anonymous-eq-null", "name-empty"],
)
def test_operator_or_with_an_empty_sub_filter_matches_everything(api, data, empty):
    conditions = {"id": {"any_": [data.documents["beta"]["id"]]}, **empty}
    names, answer = find_documents(api, data, block_documents={"operator": "or_", **conditions})
    everything = sorted([data.name(label) for label in NAME_ASC] + anonymous_names(data))
    expect_equal(names, everything, f"or_ of {conditions}", answer)


def expect_count(api, data: DataSet, expected: int, what: str, **body) -> None:
    """/block_documents/count agrees with the filter for the same body."""
    __tracebackhide__ = True
    body.setdefault("block_types", data.scope())
    answer = api.post("/block_documents/count", body)
    expect_equal(expect_json(answer, 200, "count"), expected, what, answer)


@pytest.mark.clause("PF-FLT-docs-related")
def test_documents_by_block_type_filter(api, data):
    scope = {**data.scope(), "name": {"like_": "alpha"}}
    expected = ["alphabet", "beta", "delta"]
    what = "documents of types named like 'alpha'"
    expect_names(api, data, expected, what, block_types=scope)
    expect_count(api, data, len(expected), f"the count of {what}", block_types=scope)


@pytest.mark.clause("PF-FLT-docs-related")
@pytest.mark.parametrize(
    "schemas, expected",
    [
        ({"block_capabilities": {"all_": ["swim"]}}, ["alphabet", "beta", "delta"]),
        ({"block_capabilities": {"all_": ["fly"]}}, NAME_ASC),
        ({"block_capabilities": {"all_": ["fly", "run"]}}, []),
        ({"version": {"any_": ["1.0"]}}, ["alpha", "gamma"]),
    ],
    ids=["swim", "fly", "fly-and-run", "version"],
)
def test_documents_by_block_schema_filter(api, data, schemas, expected):
    field_name, condition = next(iter(schemas.items()))
    operator, values = next(iter(condition.items()))
    scoped = {field_name: {operator: [f"{data.ns}{value}" for value in values]}}
    what = f"documents whose schema matches {schemas}"
    expect_names(api, data, expected, what, block_schemas=scoped)
    expect_count(api, data, len(expected), f"the count of {what}", block_schemas=scoped)


# ---- documents: sorting, paging, counting ---------------------------------------------------


@pytest.mark.clause("PF-FLT-docs-sort")
@pytest.mark.parametrize(
    "sort, expected",
    [
        ("NAME_ASC", NAME_ASC),
        ("NAME_DESC", list(reversed(NAME_ASC))),
        ("BLOCK_TYPE_AND_NAME_ASC", ["alphabet", "beta", "delta", "alpha", "gamma"]),
    ],
)
def test_sort(api, data, sort, expected):
    expect_names(api, data, expected, f"documents sorted {sort}", sort=sort)


@pytest.mark.clause("PF-FLT-docs-sort")
def test_block_type_sort_uses_the_type_name_not_the_slug(api, blocks):
    """Two types whose slugs sort the other way round from their names."""
    named_z = blocks.block_type("a-slug", name=blocks.unique("Z type"))
    named_a = blocks.block_type("z-slug", name=blocks.unique("A type"))
    names = {}
    for block_type, labels in ((named_z, ("m1", "m3")), (named_a, ("m2", "m4"))):
        schema = blocks.block_schema(block_type)
        for label in labels:
            names[label] = blocks.document(block_type, schema, f"{blocks.ns}{label}")["name"]
    scope = {"slug": {"any_": [named_z["slug"], named_a["slug"]]}}
    answer = api.post(
        "/block_documents/filter", {"block_types": scope, "sort": "BLOCK_TYPE_AND_NAME_ASC"}
    )
    found = [document["name"] for document in expect_json(answer, 200, "block_document_list")]
    expected = [names[label] for label in ("m2", "m4", "m1", "m3")]
    expect_equal(found, expected, "documents of type 'A type' first, then 'Z type'", answer)


@pytest.mark.clause("PF-FLT-docs-sort")
def test_unknown_sort_is_refused(api, data):
    answer = api.post("/block_documents/filter", {"sort": "NAME_SIDEWAYS"})
    expect_validation_error(answer, loc=["body", "sort"])


@pytest.mark.clause("PF-FLT-limit")
def test_limit_and_offset_select_a_page(api, data):
    expect_names(api, data, ["alphabet", "beta"], "limit 2 offset 1", limit=2, offset=1)
    expect_names(api, data, [], "limit 0", limit=0)


@pytest.mark.clause("PF-FLT-limit")
def test_walking_pages_returns_every_document_once(api, data):
    seen = []
    for offset in range(0, 8, 2):
        names, _ = find_documents(api, data, limit=2, offset=offset)
        seen += names
    expect_equal(seen, [data.name(label) for label in NAME_ASC], "the pages joined", None)


@pytest.mark.clause("PF-FLT-limit")
@pytest.mark.parametrize("path", FILTER_PATHS)
def test_limit_bounds(api, path):
    expect_detail(api.post(path, {"limit": 201}), 422)
    expect_detail(api.post(path, {"limit": -1}), 422)
    expect_validation_error(api.post(path, {"offset": -1}), loc=["body", "offset"])
    expect_json(api.post(path, {"limit": 200}), 200, path.split("/")[1][:-1] + "_list")
    nothing = api.post(path, {"limit": 0})
    expect_equal(
        expect_json(nothing, 200, path.split("/")[1][:-1] + "_list"),
        [],
        f"limit 0 on {path}",
        nothing,
    )


@pytest.mark.clause("PF-FLT-offset-range")
@pytest.mark.parametrize("path", FILTER_PATHS)
@pytest.mark.parametrize("offset", [2**63, "10000000000000000000"], ids=["int", "string"])
def test_offset_beyond_64_bits_is_refused(api, path, offset):
    answer = api.post(path, {"offset": offset, "limit": 1})
    expect_status(answer, 422, requirement="an offset beyond 2^63-1 must get 422")


@pytest.mark.clause("PF-FLT-limit")
def test_default_limit_is_200(api, blocks):
    block_type, schema = blocks.type_and_schema("many")
    for index in range(201):
        blocks.document(block_type, schema, blocks.unique(f"n{index:03d}"))
    scope = {"block_types": {"slug": {"any_": [block_type["slug"]]}}}
    for body in (scope, {**scope, "limit": None}):
        answer = api.post("/block_documents/filter", body)
        found = expect_json(answer, 200, "block_document_list")
        expect_equal(len(found), 200, f"documents returned for {list(body)}", None)
    count = api.post("/block_documents/count", scope)
    expect_equal(expect_json(count, 200, "count"), 201, "the count of the 201 documents", count)


@pytest.mark.clause("PF-FLT-limit")
def test_default_limit_of_types_is_200(api, blocks):
    made = [blocks.block_type(f"t{index:03d}") for index in range(201)]
    scope = {"block_types": {"slug": {"any_": [block_type["slug"] for block_type in made]}}}
    for body in (scope, {**scope, "limit": None}):
        answer = api.post("/block_types/filter", body)
        found = expect_json(answer, 200, "block_type_list")
        expect_equal(len(found), 200, f"types returned for {list(body)} (201 exist)", answer)


@pytest.mark.clause("PF-FLT-limit")
def test_default_limit_of_schemas_is_200(api, blocks):
    block_type = blocks.block_type("versions")
    for index in range(201):
        blocks.block_schema(block_type, version=f"{blocks.ns}v{index}")
    scope = {"block_schemas": {"block_type_id": {"any_": [block_type["id"]]}}}
    for body in (scope, {**scope, "limit": None}):
        answer = api.post("/block_schemas/filter", body)
        found = expect_json(answer, 200, "block_schema_list")
        expect_equal(len(found), 200, f"schemas returned for {list(body)} (201 exist)", answer)


@pytest.mark.clause("PF-FLT-count")
@pytest.mark.parametrize(
    "extra, expected",
    [
        ({}, 5),
        ({"block_documents": {"is_anonymous": None}}, 7),
        ({"block_documents": {"is_anonymous": {"eq_": True}}}, 2),
        ({"block_documents": {"name": {"like_": "alph"}}}, 2),
        ({"limit": 1}, 5),
    ],
    ids=["default", "with-anonymous", "anonymous", "like", "limit-ignored"],
)
def test_count(api, data, extra, expected):
    answer = api.post("/block_documents/count", {"block_types": data.scope(), **extra})
    expect_equal(expect_json(answer, 200, "count"), expected, f"count for {extra}", answer)


# ---- filter bodies --------------------------------------------------------------------------


@pytest.mark.clause("PF-FLT-keys")
@pytest.mark.parametrize(
    "path, body, loc",
    [
        (
            "/block_documents/filter",
            {"block_documents": {"bogus": {}}},
            ["body", "block_documents", "bogus"],
        ),
        (
            "/block_types/filter",
            {"block_types": {"operator": "or_"}},
            ["body", "block_types", "operator"],
        ),
        (
            "/block_schemas/filter",
            {"block_schemas": {"name": {}}},
            ["body", "block_schemas", "name"],
        ),
    ],
    ids=["documents", "types-have-no-operator", "schemas"],
)
def test_unknown_key_inside_a_filter_is_refused(api, path, body, loc):
    expect_validation_error(api.post(path, body), loc=loc)


@pytest.mark.clause("PF-FLT-keys")
def test_unknown_and_null_top_level_keys_are_ignored(api, data):
    expect_names(
        api,
        data,
        NAME_ASC,
        "the client's filter body with nulls and an unknown key",
        block_schema_type=None,
        offset=None,
        limit=None,
        sort=None,
        include_secrets=True,
    )


@pytest.mark.clause("PF-FLT-keys")
def test_unknown_and_null_top_level_keys_are_ignored_everywhere(api, data):
    """The same on the type and schema filters and on the count: an unknown key and nulls."""
    extra = {"bogus": 1, "limit": None, "offset": None}
    names, answer = type_names(api, data, ["zeta", "alpha"], **extra)
    expect_equal(names, ["Alpha", "Zeta"], f"types for a body with {extra}", answer)
    type_ids = [data.types["zeta"]["id"]]
    ids, answer = schema_ids(api, {"block_schemas": {"block_type_id": {"any_": type_ids}}, **extra})
    expected = [data.schemas[key]["id"] for key in ("s5", "s3", "s1")]
    expect_equal(ids, expected, f"schemas for a body with {extra}", answer)
    nulls = {"bogus": 1, "block_documents": None, "block_schemas": None}
    expect_count(api, data, len(NAME_ASC), f"the count for a body with {nulls}", **nulls)


@pytest.mark.clause("PF-FLT-keys")
@pytest.mark.parametrize(
    "path, schema",
    [
        ("/block_types/filter", "block_type_list"),
        ("/block_schemas/filter", "block_schema_list"),
        ("/block_documents/filter", "block_document_list"),
        ("/block_documents/count", "count"),
    ],
)
def test_no_body_at_all_is_accepted(api, path, schema):
    expect_json(api.post(path), 200, schema)


@pytest.mark.clause("PF-FLT-type-documents")
def test_documents_of_a_type(api, data):
    slug = data.types["zeta"]["slug"]
    answer = api.get(f"/block_types/slug/{slug}/block_documents", params={"limit": 1, "offset": 1})
    names = [document["name"] for document in expect_json(answer, 200, "block_document_list")]
    expected = [data.name("alpha"), data.name("gamma")]
    expect_equal(names, expected, "the Zeta type's named documents (no paging)", answer)


@pytest.mark.clause("PF-FLT-type-documents")
def test_documents_of_an_unknown_type_is_404(api, blocks):
    answer = api.get(f"/block_types/slug/{blocks.unique('none')}/block_documents")
    expect_detail(answer, 404)


# ---- block types ------------------------------------------------------------------------------


def type_names(api, data: DataSet, keys: list[str], **body) -> tuple[list[str], object]:
    scope = {"slug": {"any_": [data.types[key]["slug"] for key in keys]}}
    body["block_types"] = {**scope, **body.get("block_types", {})}
    answer = api.post("/block_types/filter", body)
    found = expect_json(answer, 200, "block_type_list")
    return [block_type["name"].removeprefix(data.ns) for block_type in found], answer


@pytest.mark.clause("PF-FLT-types-order")
def test_types_sorted_by_name(api, data):
    names, answer = type_names(api, data, ["zeta", "alpha", "kappa", "delta", "mu"])
    expected = ["Alpha", "Delta", "Kappa", "Mu", "Zeta"]
    expect_equal(names, expected, "type names in order (inserted Zeta, Alpha, Kappa, ...)", answer)


@pytest.mark.clause("PF-FLT-types-order")
def test_types_sorted_by_name_not_slug(api, blocks):
    """Two types whose slugs sort the other way round from their names."""
    named_z = blocks.block_type("a-slug", name=blocks.unique("Z type"))
    named_a = blocks.block_type("z-slug", name=blocks.unique("A type"))
    scope = {"block_types": {"slug": {"any_": [named_z["slug"], named_a["slug"]]}}}
    answer = api.post("/block_types/filter", scope)
    found = [t["name"] for t in expect_json(answer, 200, "block_type_list")]
    expected = [named_a["name"], named_z["name"]]
    expect_equal(found, expected, "types ordered by name (not by slug)", answer)


@pytest.mark.clause("PF-FLT-types-order-binary")
def test_types_sorted_by_code_point(api, data):
    names, answer = type_names(api, data, ["zeta", "alpha", "lower", "kappa", "delta"])
    expected = ["Alpha", "Delta", "Kappa", "Zeta", "beta"]
    expect_equal(names, expected, "type names in code-point order", answer)


@pytest.mark.clause("PF-FLT-types-order")
def test_types_limit_and_offset(api, data):
    names, answer = type_names(api, data, ["zeta", "alpha", "lower"], limit=1, offset=1)
    expect_equal(len(names), 1, "types returned with limit 1", answer)
    everything, _ = type_names(api, data, ["zeta", "alpha", "lower"])
    expect_equal(names, everything[1:2], "the second type", answer)


@pytest.mark.clause("PF-FLT-types-name-like")
@pytest.mark.parametrize(
    "pattern, expected",
    [("alpha", ["Alpha"]), ("ZETA", ["Zeta"]), ("a_pha", ["Alpha"]), ("z%a", ["Zeta"]), ("q", [])],
)
def test_types_name_like(api, data, pattern, expected):
    names, answer = type_names(
        api, data, ["zeta", "alpha", "lower"], block_types={"name": {"like_": pattern}}
    )
    expect_equal(names, expected, f"types named like {pattern!r}", answer)


@pytest.mark.clause("PF-FLT-types-name-like")
def test_underscore_in_a_name_is_still_a_wildcard(api, blocks):
    """Type names may hold '_' (not '%'), a wildcard of like_: 'a_b' also matches 'axb'. A
    backslash before it is the database's business: on SQLite (no LIKE escape) 'a\\_b' matches
    neither name, on PostgreSQL (backslash escapes) it matches 'a_b' alone; both are right."""
    made = [blocks.block_type("u", name=f"{blocks.ns}{name}") for name in ("a_b", "axb", "ab")]
    scope = {"slug": {"any_": [block_type["slug"] for block_type in made]}}
    readings = (("a_b", [["a_b", "axb"]]), ("a\\_b", [[], ["a_b"]]))
    for pattern, allowed in readings:
        body = {"block_types": {**scope, "name": {"like_": f"{blocks.ns}{pattern}"}}}
        answer = api.post("/block_types/filter", body)
        found = [t["name"] for t in expect_json(answer, 200, "block_type_list")]
        wanted = [[f"{blocks.ns}{name}" for name in names] for names in allowed]
        shown = " or ".join(json.dumps(names) for names in wanted)
        requirement = f"types named like {pattern!r} must be {shown}"
        expect(found in wanted, requirement, f"gave {json.dumps(found)}", answer)


@pytest.mark.clause("PF-FLT-types-slug-any")
def test_types_slug_any(api, data):
    names, answer = type_names(api, data, ["lower"])
    expect_equal(names, ["beta"], "the type with that slug", answer)
    empty = api.post("/block_types/filter", {"block_types": {"slug": {"any_": []}}})
    expect_equal(expect_json(empty, 200, "block_type_list"), [], "slug any_ []", empty)
    upper = {"block_types": {"slug": {"any_": [data.types["lower"]["slug"].upper()]}}}
    answer = api.post("/block_types/filter", upper)
    expect_equal(expect_json(answer, 200, "block_type_list"), [], "an upper-cased slug", answer)


@pytest.mark.clause("PF-FLT-types-by-schemas")
@pytest.mark.parametrize(
    "capabilities, expected",
    [
        (["swim"], ["Alpha"]),
        (["fly"], ["Alpha", "Zeta"]),
        (["fly", "swim"], ["Alpha"]),
        (["run"], []),
    ],
)
def test_types_by_schema_capabilities(api, data, capabilities, expected):
    schemas = {"block_capabilities": {"all_": [f"{data.ns}{c}" for c in capabilities]}}
    names, answer = type_names(api, data, ["zeta", "alpha", "lower"], block_schemas=schemas)
    expect_equal(names, expected, f"types with a schema offering all of {capabilities}", answer)


# A block_schemas sub-filter on /block_types/filter and /block_documents/filter: the types that
# have a matching schema, and the documents whose own schema matches (Zeta's documents use s1,
# Alpha's use s2; s3 and s5 are Zeta's, s4 is Alpha's).
SCHEMA_SUB_FILTERS = {
    "id": (lambda d: {"id": {"any_": [d.schemas["s4"]["id"]]}}, ["alpha"], []),
    "id-none": (lambda d: {"id": {"any_": []}}, [], []),
    "type-id": (
        lambda d: {"block_type_id": {"any_": [d.types["zeta"]["id"]]}},
        ["zeta"],
        ["alpha", "gamma"],
    ),
    "version": (lambda d: {"version": {"any_": [f"{d.ns}3.0"]}}, ["zeta"], []),
    "and": (
        lambda d: {"id": {"any_": [d.schemas["s1"]["id"]]}, "version": {"any_": [f"{d.ns}2.0"]}},
        [],
        [],
    ),
    "or": (
        lambda d: {
            "operator": "or_",
            "id": {"any_": [d.schemas["s1"]["id"]]},
            "version": {"any_": [f"{d.ns}2.0"]},
        },
        ["alpha", "zeta"],
        NAME_ASC,
    ),
}


@pytest.mark.clause("PF-FLT-types-by-schemas")
@pytest.mark.parametrize("case", SCHEMA_SUB_FILTERS)
def test_types_by_schema_sub_filter(api, data, case):
    build, type_keys, _ = SCHEMA_SUB_FILTERS[case]
    names, answer = type_names(api, data, ["zeta", "alpha", "lower"], block_schemas=build(data))
    expected = sorted(data.types[key]["name"].removeprefix(data.ns) for key in type_keys)
    expect_equal(names, expected, f"types with a schema matching {case}", answer)


@pytest.mark.clause("PF-FLT-docs-related")
@pytest.mark.parametrize("case", SCHEMA_SUB_FILTERS)
def test_documents_by_schema_sub_filter(api, data, case):
    build, _, labels = SCHEMA_SUB_FILTERS[case]
    what = f"documents whose schema matches {case}"
    expect_names(api, data, labels, what, block_schemas=build(data))
    expect_count(api, data, len(labels), f"the count of {what}", block_schemas=build(data))


# ---- block schemas ----------------------------------------------------------------------------


def schema_ids(api, body: dict) -> tuple[list[str], object]:
    answer = api.post("/block_schemas/filter", body)
    return [schema["id"] for schema in expect_json(answer, 200, "block_schema_list")], answer


@pytest.mark.clause("PF-FLT-schemas-order")
def test_schemas_newest_first(api, data):
    type_ids = [data.types["zeta"]["id"], data.types["alpha"]["id"]]
    ids, answer = schema_ids(api, {"block_schemas": {"block_type_id": {"any_": type_ids}}})
    expected = [data.schemas[key]["id"] for key in ("s5", "s4", "s3", "s2", "s1")]
    expect_equal(ids, expected, "schemas of both types, newest first", answer)
    latest, answer = schema_ids(
        api, {"block_schemas": {"block_type_id": {"any_": [data.types["zeta"]["id"]]}}, "limit": 1}
    )
    expect_equal(latest, [data.schemas["s5"]["id"]], "the latest schema of Zeta (limit 1)", answer)


@pytest.mark.clause("PF-FLT-schemas-fields")
@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda d: {"id": {"any_": [d.schemas["s1"]["id"], d.schemas["s3"]["id"]]}}, ["s3", "s1"]),
        (lambda d: {"version": {"any_": [f"{d.ns}2.0", f"{d.ns}9.9"]}}, ["s2"]),
        (lambda d: {"block_capabilities": {"all_": [f"{d.ns}fly"]}}, ["s2", "s1"]),
        (
            lambda d: {
                "block_capabilities": {"all_": [f"{d.ns}fly"]},
                "block_type_id": {"any_": [d.types["zeta"]["id"]]},
            },
            ["s1"],
        ),
        (
            lambda d: {
                "operator": "or_",
                "id": {"any_": [d.schemas["s3"]["id"]]},
                "version": {"any_": [f"{d.ns}2.0"]},
            },
            ["s3", "s2"],
        ),
    ],
    ids=["id", "version", "capabilities", "and", "or"],
)
def test_schema_filter_fields(api, data, build, expected):
    ids, answer = schema_ids(api, {"block_schemas": build(data)})
    expect_equal(ids, [data.schemas[key]["id"] for key in expected], f"schemas {expected}", answer)


# ---- capabilities -----------------------------------------------------------------------------


@pytest.mark.clause("PF-CAP-list")
def test_capabilities_list_each_capability_once(api, data):
    answer = api.get("/block_capabilities/")
    capabilities = expect_json(answer, 200, "string_list")
    for capability in (f"{data.ns}fly", f"{data.ns}swim"):
        expect_equal(capabilities.count(capability), 1, f"occurrences of {capability!r}", answer)
    expect(
        len(capabilities) == len(set(capabilities)),
        "capabilities must be distinct",
        "listed one twice",
        answer,
    )


@pytest.mark.clause("PF-FLT-limit")
def test_walking_pages_of_types_and_schemas_returns_each_once(api, data):
    keys = ["zeta", "alpha", "lower", "kappa", "delta"]
    everything, _ = type_names(api, data, keys)
    pages = [type_names(api, data, keys, limit=2, offset=offset)[0] for offset in (0, 2, 4)]
    expect_equal(sum(pages, []), everything, "type pages joined", None)
    type_ids = [data.types["zeta"]["id"], data.types["alpha"]["id"]]
    scope = {"block_schemas": {"block_type_id": {"any_": type_ids}}}
    all_ids, _ = schema_ids(api, scope)
    joined = sum((schema_ids(api, {**scope, "limit": 2, "offset": o})[0] for o in (0, 2, 4)), [])
    expect_equal(joined, all_ids, "schema pages joined", None)
    expect_equal(len(all_ids), 5, "schemas of the two types", None)
