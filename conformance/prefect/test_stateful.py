"""A model-based test: random sequences of creates, reads, updates, deletes and filters against
the target, each answer compared with an in-memory model of the API (the oracle).

Everything happens under a fresh prefix per run of the machine; a failing run is shrunk by
Hypothesis to its shortest form, and the failure shows the HTTP calls of that run.
"""

import itertools
from dataclasses import dataclass, field

import pytest
from hypothesis import Verbosity, seed
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    multiple,
    rule,
    run_state_machine_as_test,
)

from ..checks import ConformanceFailure, expect_equal, expect_json, expect_status
from ..client import TargetUnreachable
from ..generation import generated_settings
from ..timestamps import is_later
from .helpers import MASK

LABELS = st.sampled_from(["a", "b", "c"])
# Mostly short names, sometimes long ones: length is a class of input of its own.
# Few short names, so that names are reused after deletes; sometimes long ones, since length
# is a class of input of its own.
NAMES = st.one_of(st.sampled_from(["a", "b", "a-b"]), st.integers(90, 130).map(lambda n: "n" * n))
SECRETS = st.one_of(st.sampled_from(["s1", "s2", MASK]), st.none())
NUMBERS = st.integers(-3, 3)
DESCRIPTIONS = st.sampled_from(["first", "second", "third"])
# Rules that destroy a type or schema (and its documents with it) act in one draw of four, so
# that runs keep enough documents to work on.
RARELY = st.integers(0, 3).map(lambda n: n == 0)


@dataclass
class ModelDocument:
    id: str
    name: str
    slug: str
    anonymous: bool
    data: dict
    updated: str
    deleted: bool = False


@dataclass
class Model:
    types: dict[str, dict] = field(default_factory=dict)  # slug -> block type (live ones)
    schemas: dict[str, dict] = field(default_factory=dict)  # slug -> its schema (live ones)
    documents: dict[str, ModelDocument] = field(default_factory=dict)
    slugs_seen: set[str] = field(default_factory=set)
    gone_types: dict[str, dict] = field(default_factory=dict)  # slug -> last deleted type
    gone_schemas: dict[str, dict] = field(default_factory=dict)  # slug -> last deleted schema
    type_ids_seen: set[str] = field(default_factory=set)

    def live(self, slug: str, name: str) -> ModelDocument | None:
        for document in self.documents.values():
            if not document.deleted and document.slug == slug and document.name == name:
                return document
        return None


def into_bundle(document_id: str | None):
    """A created document's id for the bundle; nothing when no document was created, so that
    later rules draw real documents."""
    return multiple() if document_id is None else document_id


def expect_as_modelled(answer, modelled: dict | None, kind: str, keys: tuple[str, ...]) -> None:
    """404 for an object the model says is gone; else 200 with the modelled values."""
    if modelled is None:
        expect_status(answer, 404, requirement=f"a deleted {kind} must get 404")
        return
    body = expect_json(answer, 200, kind)
    for key in keys:
        expect_equal(body[key], modelled[key], f"the {kind}'s {key}", answer)


def by_name(block_type: dict) -> str:
    return block_type["name"]


def masked(data: dict) -> dict:
    return {**data, "pw": MASK} if data.get("pw") is not None else data


class Calls:
    """The HTTP calls of one run of the machine, kept for its failure message; each step's
    failure carries them."""

    def __init__(self, api, counters) -> None:
        self.api = api
        self.counters = counters
        self.lines: list[str] = []

    def __call__(self, method: str, path: str, body=None, **kwargs):
        exchange = (
            self.api.request(method, path, body, **kwargs)
            if body is not None
            else self.api.request(method, path, **kwargs)
        )
        shown = f" {body}" if body is not None else ""
        self.lines.append(f"{method} {path}{shown} -> {exchange.status}")
        self.counters.generated_case("state-machine calls")
        return exchange

    def log(self) -> str:
        lines = "\n".join(f"    {line}" for line in self.lines)
        return f"  HTTP calls of this run:\n{lines}"

    def checked(self, step):
        """One step (rule) of the run; any failure carries the HTTP calls of the run so far.
        Steps that sent no request (nothing in the bundle to act on) are not counted."""
        calls_before = len(self.lines)
        try:
            return step()
        except TargetUnreachable:
            raise
        except ConformanceFailure as failure:
            raise failure.adding(self.log()) from None
        except Exception as error:  # e.g. an answer without a key the model reads
            raise ConformanceFailure(
                f"the answer could not be checked: {type(error).__name__}: {error}\n{self.log()}"
            ) from error
        finally:
            if len(self.lines) > calls_before:
                self.counters.generated_case("state-machine steps")


class TypeSteps:
    """The steps on block types and schemas: each sends its requests and checks the answers
    against the model, which it keeps current."""

    def __init__(self, call: Calls, prefix: str) -> None:
        self.call = call
        self.prefix = prefix
        self.model = Model()

    def create_type(self, label):
        slug = f"{self.prefix}{label}"
        answer = self.call("POST", "/block_types/", {"name": f"{slug} type", "slug": slug})
        if slug in self.model.types:
            expect_status(answer, 409, requirement="a live slug must get 409")
            if slug not in self.model.schemas:  # its schema was deleted: register it again
                self.create_schema(slug)
            return slug
        self.model.types[slug] = expect_json(answer, 201, "block_type")
        self.model.slugs_seen.add(slug)
        self.model.type_ids_seen.add(self.model.types[slug]["id"])
        self.create_schema(slug)
        return slug

    def create_schema(self, slug):
        fields = {
            "title": slug,
            "type": "object",
            "block_type_slug": slug,
            "properties": {"pw": {"type": "string"}, "x": {"type": "integer"}},
            "secret_fields": ["pw"],
        }
        schema_body = {"block_type_id": self.model.types[slug]["id"], "fields": fields}
        created = self.call("POST", "/block_schemas/", schema_body)
        self.model.schemas[slug] = expect_json(created, 201, "block_schema")

    def delete_type(self, slug):
        block_type = self.model.types.pop(slug, None)
        if block_type is None:
            return
        answer = self.call("DELETE", f"/block_types/{block_type['id']}")
        expect_status(answer, 204, requirement="deleting a type must get 204")
        self.model.gone_types[slug] = block_type
        self.forget_schema(slug)

    def forget_schema(self, slug: str) -> None:
        """The type's schema is gone, and its documents with it (a cascade)."""
        schema = self.model.schemas.pop(slug, None)
        if schema is not None:
            self.model.gone_schemas[slug] = schema
        for document in self.model.documents.values():
            if document.slug == slug:
                document.deleted = True

    def read_type(self, slug):
        answer = self.call("GET", f"/block_types/slug/{slug}")
        keys = ("id", "name", "slug", "description")
        expect_as_modelled(answer, self.model.types.get(slug), "block_type", keys)

    def update_type(self, slug, description):
        block_type = self.model.types.get(slug) or self.model.gone_types.get(slug)
        if block_type is None:
            return
        answer = self.call(
            "PATCH", f"/block_types/{block_type['id']}", {"description": description}
        )
        if slug not in self.model.types or self.model.types[slug] is not block_type:
            expect_status(answer, 404, requirement="a deleted type's PATCH must get 404")
            return
        expect_status(answer, 204, requirement="a type PATCH must get 204")
        block_type["description"] = description

    def read_schema(self, slug):
        schema = self.model.schemas.get(slug) or self.model.gone_schemas.get(slug)
        if schema is None:
            return
        answer = self.call("GET", f"/block_schemas/{schema['id']}")
        live = schema if self.model.schemas.get(slug) is schema else None
        keys = ("id", "checksum", "block_type_id", "version")
        expect_as_modelled(answer, live, "block_schema", keys)

    def delete_schema(self, slug):
        schema = self.model.schemas.get(slug)
        if schema is None:
            return
        answer = self.call("DELETE", f"/block_schemas/{schema['id']}")
        expect_status(answer, 204, requirement="deleting a schema must get 204")
        self.forget_schema(slug)

    def list_types_and_schemas(self):
        if not self.model.slugs_seen:
            return
        scope = {"block_types": {"slug": {"any_": sorted(self.model.slugs_seen)}}}
        answer = self.call("POST", "/block_types/filter", scope)
        found = [t["slug"] for t in expect_json(answer, 200, "block_type_list")]
        expected = [t["slug"] for t in sorted(self.model.types.values(), key=by_name)]
        expect_equal(found, expected, "the listed types (by name)", answer)
        by_type = {"block_type_id": {"any_": sorted(self.model.type_ids_seen)}}
        answer = self.call("POST", "/block_schemas/filter", {"block_schemas": by_type})
        found = sorted(s["id"] for s in expect_json(answer, 200, "block_schema_list"))
        expected = sorted(schema["id"] for schema in self.model.schemas.values())
        expect_equal(found, expected, "the listed schema ids", answer)

    def teardown(self):
        for block_type in self.model.types.values():
            self.call("DELETE", f"/block_types/{block_type['id']}")


class Steps(TypeSteps):
    """Every step of the machine: the type and schema steps, and those on block documents."""

    def create_document(self, slug, name, pw, x, anonymous):
        block_type = self.model.types.get(slug)
        if block_type is None or slug not in self.model.schemas:
            return None
        full = None if anonymous else f"{self.prefix}{name}"
        data = {"pw": pw, "x": x}
        body = {
            "name": full,
            "data": data,
            "is_anonymous": anonymous,
            "block_type_id": block_type["id"],
            "block_schema_id": self.model.schemas[slug]["id"],
        }
        answer = self.call("POST", "/block_documents/", body)
        if full is not None and self.model.live(slug, full):
            expect_status(answer, 409, requirement="a live (type, name) must get 409")
            return None
        created = expect_json(answer, 201, "block_document")
        document = ModelDocument(
            created["id"], created["name"], slug, anonymous, data, created["updated"]
        )
        self.model.documents[document.id] = document
        return document.id

    def read(self, document_id, include):
        if document_id is None:
            return
        document = self.model.documents[document_id]
        params = {"include_secrets": "true"} if include else None
        answer = self.call("GET", f"/block_documents/{document_id}", params=params)
        if document.deleted:
            expect_status(answer, 404, requirement="a deleted document must get 404")
            return
        body = expect_json(answer, 200, "block_document")
        expected = document.data if include else masked(document.data)
        expect_equal(body["data"], expected, "the document's data", answer)
        expect_equal(body["name"], document.name, "the document's name", answer)

    def patch(self, document_id, pw, x, merge):
        if document_id is None:
            return
        document = self.model.documents[document_id]
        change = {"data": {"pw": pw} if merge else {"pw": pw, "x": x}, "merge_existing_data": merge}
        answer = self.call("PATCH", f"/block_documents/{document_id}", change)
        if document.deleted:
            expect_status(answer, 404, requirement="a deleted document must get 404")
            return
        expect_status(answer, 204, requirement="a document PATCH must get 204")
        incoming = dict(change["data"])
        if incoming.get("pw") == MASK and document.data.get("pw") is not None:
            incoming["pw"] = document.data["pw"]  # the mask sent back keeps the secret
        document.data = {**document.data, **incoming} if merge else incoming
        self.check_updated(document)

    def check_updated(self, document: ModelDocument) -> None:
        """``updated`` never moves back (within a second a server keeping whole seconds leaves
        it where it was: moving it is PF-BD-updated-moves)."""
        answer = self.call("GET", f"/block_documents/{document.id}")
        updated = expect_json(answer, 200, "block_document")["updated"]
        expect_equal(
            not is_later(document.updated, updated),
            True,
            f"'updated' not moving back after a PATCH (was {document.updated}, now {updated})",
            answer,
        )
        document.updated = updated

    def delete(self, document_id):
        if document_id is None:
            return
        document = self.model.documents[document_id]
        answer = self.call("DELETE", f"/block_documents/{document_id}")
        expect_status(
            answer,
            404 if document.deleted else 204,
            requirement="DELETE answers 204 once, then 404",
        )
        document.deleted = True

    def recreate(self, document_id):
        document = self.model.documents.get(document_id) if document_id else None
        if document is None or document.deleted or document.anonymous:
            return None
        self.delete(document_id)
        label = document.name.removeprefix(self.prefix)
        created = self.create_document(document.slug, label, "s1", 0, False)
        self.list_documents(with_anonymous=False)  # the replacement must be listed
        return created

    def list_documents(self, with_anonymous):
        if not self.model.slugs_seen:
            return
        scope = {"slug": {"any_": sorted(self.model.slugs_seen)}}
        body = {"block_types": scope, "sort": "BLOCK_TYPE_AND_NAME_ASC"}
        if with_anonymous:
            body["block_documents"] = {"is_anonymous": None}
        answer = self.call("POST", "/block_documents/filter", body)
        found = [
            (d["block_type"]["slug"], d["name"])
            for d in expect_json(answer, 200, "block_document_list")
        ]
        expected = sorted(
            (d.slug, d.name)
            for d in self.model.documents.values()
            if not d.deleted and (with_anonymous or not d.anonymous)
        )
        expect_equal(found, expected, "the listed (type, name) pairs", answer)
        count = self.call("POST", "/block_documents/count", {"block_types": scope})
        named = [d for d in self.model.documents.values() if not d.deleted and not d.anonymous]
        expect_equal(expect_json(count, 200, "count"), len(named), "the count", count)


class BlocksMachine(RuleBasedStateMachine):
    """The rules: Hypothesis draws their order and arguments; each runs one step, checked.
    ``bound_to`` makes the machine of one test (its client and namespace)."""

    api = None  # the test's client, namespace and run's counters, set by bound_to
    ns = ""
    counters = None
    run_numbers: itertools.count
    slugs = Bundle("slugs")
    documents = Bundle("documents")

    def __init__(self) -> None:
        super().__init__()
        self.calls = Calls(self.api, self.counters)
        self.steps = Steps(self.calls, f"{self.ns}m{next(self.run_numbers)}-")

    @initialize(target=slugs)
    def first_type(self):
        """Every run starts with a type (and its schema), so document rules apply at once."""
        return self.calls.checked(lambda: self.steps.create_type("a"))

    @rule(target=slugs, label=LABELS)
    def create_type(self, label):
        return self.calls.checked(lambda: self.steps.create_type(label))

    @rule(
        target=documents,
        slug=slugs,
        name=NAMES,
        pw=SECRETS,
        x=NUMBERS,
        anonymous=st.integers(0, 3).map(lambda n: n == 0),
    )
    def create_document(self, slug, name, pw, x, anonymous):
        step = lambda: self.steps.create_document(slug, name, pw, x, anonymous)  # noqa: E731
        return into_bundle(self.calls.checked(step))

    @rule(document_id=documents, include=st.booleans())
    def read_document(self, document_id, include):
        self.calls.checked(lambda: self.steps.read(document_id, include))

    @rule(document_id=documents, pw=SECRETS, x=NUMBERS, merge=st.booleans())
    def patch_document(self, document_id, pw, x, merge):
        self.calls.checked(lambda: self.steps.patch(document_id, pw, x, merge))

    @rule(document_id=documents)
    def delete_document(self, document_id):
        self.calls.checked(lambda: self.steps.delete(document_id))

    @rule(target=documents, document_id=documents)
    def recreate_document(self, document_id):
        """Replace a named document by deleting it and creating one with its name again."""
        return into_bundle(self.calls.checked(lambda: self.steps.recreate(document_id)))

    @rule(slug=slugs, act=RARELY)
    def delete_type(self, slug, act):
        self.calls.checked(lambda: self.steps.delete_type(slug) if act else None)

    @rule(slug=slugs)
    def read_type(self, slug):
        self.calls.checked(lambda: self.steps.read_type(slug))

    @rule(slug=slugs, description=DESCRIPTIONS)
    def update_type(self, slug, description):
        self.calls.checked(lambda: self.steps.update_type(slug, description))

    @rule(slug=slugs)
    def read_schema(self, slug):
        self.calls.checked(lambda: self.steps.read_schema(slug))

    @rule(slug=slugs, act=RARELY)
    def delete_schema(self, slug, act):
        self.calls.checked(lambda: self.steps.delete_schema(slug) if act else None)

    @rule()
    def list_types_and_schemas(self):
        self.calls.checked(self.steps.list_types_and_schemas)

    @rule(with_anonymous=st.booleans())
    def list_documents(self, with_anonymous):
        self.calls.checked(lambda: self.steps.list_documents(with_anonymous))

    def teardown(self):
        self.steps.teardown()


def bound_to(api, ns: str, counters) -> type[BlocksMachine]:
    """The machine of one test: its client, its namespace, the run's counters, its runs
    numbered from 0."""
    attributes = {"api": api, "ns": ns, "counters": counters, "run_numbers": itertools.count()}
    return type("BlocksMachine", (BlocksMachine,), attributes)


@pytest.mark.generated
@pytest.mark.clause("PF-GEN-stateful")
def test_random_call_sequences_agree_with_the_model(run, test_key, api, ns):
    machine = bound_to(api, ns, run.counters)
    # the machine's steps, which only Hypothesis prints, are the failing case
    configured = generated_settings(
        run, test_key, stateful_step_count=30, verbosity=Verbosity.normal
    )
    seed(run.settings.seed)(machine)  # run_state_machine_as_test reads it there
    run_state_machine_as_test(machine, settings=configured)
