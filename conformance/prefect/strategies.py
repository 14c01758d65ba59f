"""Hypothesis strategies for block documents and document filters."""

import uuid

from hypothesis import strategies as st

NAME_ALPHABET = "abc-"
PATTERN_ALPHABET = "abcAB-_%"

# (name suffix, which of the two block types, anonymous?, name left to the server?)
document_specs = st.lists(
    st.tuples(
        st.text(NAME_ALPHABET, min_size=1, max_size=3),
        st.integers(0, 1),
        st.booleans(),
        st.booleans(),
    ),
    max_size=6,
    unique_by=lambda spec: spec[0],
)


def subsets(values: list[str], extra: str) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from([*values, extra]), max_size=3, unique=True)


@st.composite
def document_filters(draw, ids: list[str], names: list[str], type_ids: list[str]) -> dict:
    """A /block_documents/filter body over the given documents (block_types scope added later)."""
    spec: dict = {}
    if draw(st.booleans()):
        spec["operator"] = draw(st.sampled_from(["and_", "or_"]))
    if draw(st.booleans()):
        spec["id"] = {"any_": draw(subsets(ids, str(uuid.uuid4())))}
    anonymous = draw(st.sampled_from(["absent", "null", "eq-null", True, False]))
    if anonymous == "null":
        spec["is_anonymous"] = None
    elif anonymous == "eq-null":
        spec["is_anonymous"] = {"eq_": None}
    elif anonymous != "absent":
        spec["is_anonymous"] = {"eq_": anonymous}
    if draw(st.booleans()):
        spec["block_type_id"] = {"any_": draw(subsets(type_ids, str(uuid.uuid4())))}
    name: dict = {}
    if draw(st.booleans()):
        name["any_"] = draw(subsets(names, "no-such-name"))
    if draw(st.booleans()):
        name["like_"] = draw(st.text(PATTERN_ALPHABET, max_size=4))
    if name:
        spec["name"] = name
    body: dict = {}
    if draw(st.booleans()):
        body["block_documents"] = spec
    if draw(st.booleans()):
        body["sort"] = draw(st.sampled_from(["NAME_ASC", "NAME_DESC", "BLOCK_TYPE_AND_NAME_ASC"]))
    if draw(st.booleans()):
        body["limit"] = draw(st.integers(0, 7))
    if draw(st.booleans()):
        body["offset"] = draw(st.integers(0, 4))
    return body
