"""A model-based test: random sequences of creates, reads, updates, deletes and filters against
the target, each answer compared with an in-memory model of the API (the oracle).

Everything happens under a fresh prefix per run of the machine; a failing run is shrunk by
Hypothesis to its shortest form, and the failure shows the HTTP calls of that run.
"""

import itertools
import time
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, rule, run_state_machine_as_test

from ..checks import ConformanceFailure, expect_equal, expect_json, expect_status
from .helpers import MASK

LABELS = st.sampled_from(["a", "b", "c"])
# Mostly short names, sometimes long ones: length is a class of input of its own.
# Few short names, so that names are reused after deletes; sometimes long ones, since length
# is a class of input of its own.
NAMES = st.one_of(st.sampled_from(["a", "b", "a-b"]), st.integers(90, 130).map(lambda n: "n" * n))
SECRETS = st.one_of(st.sampled_from(["s1", "s2", MASK]), st.none())
NUMBERS = st.integers(-3, 3)
BUMP_AFTER = 0.005  # seconds after which a PATCH must move `updated` forward
runs = itertools.count()


@dataclass
class ModelDocument:
    id: str
    name: str
    slug: str
    anonymous: bool
    data: dict
    updated: str
    written_at: float
    deleted: bool = False


@dataclass
class Model:
    types: dict[str, dict] = field(default_factory=dict)  # slug -> block type (live ones)
    schemas: dict[str, dict] = field(default_factory=dict)  # slug -> its schema
    documents: dict[str, ModelDocument] = field(default_factory=dict)
    slugs_seen: set[str] = field(default_factory=set)

    def live(self, slug: str, name: str) -> ModelDocument | None:
        for document in self.documents.values():
            if not document.deleted and document.slug == slug and document.name == name:
                return document
        return None


def masked(data: dict) -> dict:
    return {**data, "pw": MASK} if data.get("pw") is not None else data


def machine_for(api, ns: str):
    class BlocksMachine(RuleBasedStateMachine):
        slugs = Bundle("slugs")
        documents = Bundle("documents")
        steps_taken = 0

        def __init__(self) -> None:
            super().__init__()
            self.prefix = f"{ns}m{next(runs)}-"
            self.model = Model()
            self.calls: list[str] = []

        def call(self, method: str, path: str, body=None, **kwargs):
            exchange = (
                api.request(method, path, body, **kwargs)
                if body is not None
                else (api.request(method, path, **kwargs))
            )
            shown = f" {body}" if body is not None else ""
            self.calls.append(f"{method} {path}{shown} -> {exchange.status}")
            type(self).steps_taken += 1
            api.tally["state-machine calls"] += 1
            return exchange

        def checked(self, step):
            try:
                return step()
            except ConformanceFailure as failure:
                log = "\n".join(f"    {line}" for line in self.calls)
                raise ConformanceFailure(f"{failure}\n  HTTP calls of this run:\n{log}") from None

        @rule(target=slugs, label=LABELS)
        def create_type(self, label):
            return self.checked(lambda: self._create_type(label))

        def _create_type(self, label):
            slug = f"{self.prefix}{label}"
            answer = self.call("POST", "/block_types/", {"name": f"{slug} type", "slug": slug})
            if slug in self.model.types:
                expect_status(answer, 409, requirement="a live slug must get 409")
                return slug
            self.model.types[slug] = expect_json(answer, 201, "block_type")
            self.model.slugs_seen.add(slug)
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
            return slug

        @rule(
            target=documents,
            slug=slugs,
            name=NAMES,
            pw=SECRETS,
            x=NUMBERS,
            anonymous=st.integers(0, 3).map(lambda n: n == 0),
        )
        def create_document(self, slug, name, pw, x, anonymous):
            return self.checked(lambda: self._create_document(slug, name, pw, x, anonymous))

        def _create_document(self, slug, name, pw, x, anonymous):
            block_type = self.model.types.get(slug)
            if block_type is None:
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
            expect_equal(created["data"], masked(data), "the create answer's data", answer)
            document = ModelDocument(
                created["id"],
                created["name"],
                slug,
                anonymous,
                data,
                created["updated"],
                time.monotonic(),
            )
            self.model.documents[document.id] = document
            return document.id

        @rule(document_id=documents, include=st.booleans())
        def read_document(self, document_id, include):
            self.checked(lambda: self._read(document_id, include))

        def _read(self, document_id, include):
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

        @rule(document_id=documents, pw=SECRETS, x=NUMBERS, merge=st.booleans())
        def patch_document(self, document_id, pw, x, merge):
            self.checked(lambda: self._patch(document_id, pw, x, merge))

        def _patch(self, document_id, pw, x, merge):
            if document_id is None:
                return
            document = self.model.documents[document_id]
            change = {
                "data": {"pw": pw} if merge else {"pw": pw, "x": x},
                "merge_existing_data": merge,
            }
            answer = self.call("PATCH", f"/block_documents/{document_id}", change)
            if document.deleted:
                expect_status(answer, 404, requirement="a deleted document must get 404")
                return
            expect_status(answer, 204, requirement="a document PATCH must get 204")
            incoming = dict(change["data"])
            if incoming.get("pw") == MASK and document.data.get("pw") is not None:
                incoming["pw"] = document.data["pw"]  # the mask sent back keeps the secret
            document.data = {**document.data, **incoming} if merge else incoming
            self._check_updated(document)

        def _check_updated(self, document: ModelDocument) -> None:
            answer = self.call("GET", f"/block_documents/{document.id}")
            updated = expect_json(answer, 200, "block_document")["updated"]
            elapsed = time.monotonic() - document.written_at
            if elapsed >= BUMP_AFTER:
                expect_equal(
                    updated > document.updated,
                    True,
                    f"'updated' moving forward after a PATCH {elapsed * 1000:.0f} ms "
                    f"after the last write (was {document.updated}, now {updated})",
                    answer,
                )
            document.updated, document.written_at = updated, time.monotonic()

        @rule(document_id=documents)
        def delete_document(self, document_id):
            self.checked(lambda: self._delete(document_id))

        def _delete(self, document_id):
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

        @rule(target=documents, document_id=documents)
        def recreate_document(self, document_id):
            """Replace a named document by deleting it and creating one with its name again."""
            return self.checked(lambda: self._recreate(document_id))

        def _recreate(self, document_id):
            document = self.model.documents.get(document_id) if document_id else None
            if document is None or document.deleted or document.anonymous:
                return None
            self._delete(document_id)
            label = document.name.removeprefix(self.prefix)
            created = self._create_document(document.slug, label, "s1", 0, False)
            self._list(with_anonymous=False)  # the replacement must be listed
            return created

        @rule(slug=slugs)
        def delete_type(self, slug):
            self.checked(lambda: self._delete_type(slug))

        def _delete_type(self, slug):
            block_type = self.model.types.pop(slug, None)
            if block_type is None:
                return
            answer = self.call("DELETE", f"/block_types/{block_type['id']}")
            expect_status(answer, 204, requirement="deleting a type must get 204")
            self.model.schemas.pop(slug)
            for document in self.model.documents.values():
                if document.slug == slug:
                    document.deleted = True

        @rule(with_anonymous=st.booleans())
        def list_documents(self, with_anonymous):
            self.checked(lambda: self._list(with_anonymous))

        def _list(self, with_anonymous):
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

        def teardown(self):
            for block_type in self.model.types.values():
                self.call("DELETE", f"/block_types/{block_type['id']}")

    return BlocksMachine


@pytest.mark.generated
@pytest.mark.clause("PF-GEN-stateful")
def test_random_call_sequences_agree_with_the_model(api, ns, pytestconfig):
    machine = machine_for(api, ns)
    configured = settings(
        max_examples=pytestconfig.getoption("examples"),
        stateful_step_count=30,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    seed(pytestconfig.getoption("seed"))(machine)  # run_state_machine_as_test reads it there
    run_state_machine_as_test(machine, settings=configured)
    print(f"state machine: {machine.steps_taken} calls to the target")
