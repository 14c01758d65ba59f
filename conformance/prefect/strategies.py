"""Hypothesis strategies for block documents and document filters."""

from hypothesis import strategies as st

from .helpers import UNKNOWN_ID

NAME_ALPHABET = "abc-"
PATTERN_ALPHABET = "abcAB-_%"

# (name suffix, which of the two block types, anonymous?, name left to the server?)
document_specs = st.lists(
    st.tuples(
        st.text(NAME_ALPHABET, min_size=1, max_size=3),
        st.integers(0, 1),
        st.integers(0, 3).map(lambda n: n == 0),
        st.booleans(),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda spec: spec[0],
)


def one_in(draw, n: int) -> bool:
    """True about once in ``n`` draws: keeps conjunctions loose enough to select something."""
    return draw(st.integers(0, n - 1)) == 0


@st.composite
def like_patterns(draw, names: list[str]) -> str:
    """A like_ pattern: random text, or a piece of a real name with its case changed or a
    character replaced by _ or a run replaced by %, so that matches do not depend on luck.

    Only indices and fractions are drawn, never lengths of the names, so that replaying a case
    (when Hypothesis shrinks) draws the same way although the server named things anew."""
    if not names or draw(st.booleans()):
        return draw(st.text(PATTERN_ALPHABET, max_size=4))
    name = names[draw(st.integers(0, 99)) % len(names)]
    start = draw(st.integers(0, 99)) * len(name) // 100
    end = start + 1 + draw(st.integers(0, 99)) * (len(name) - start - 1) // 100
    piece = name[start:end]
    change = draw(st.sampled_from(["as-is", "upper", "underscore", "percent"]))
    if change == "upper":
        return piece.upper()
    if change == "underscore":
        index = draw(st.integers(0, 99)) * len(piece) // 100
        return piece[:index] + "_" + piece[index + 1 :]
    if change == "percent" and len(piece) > 2:
        return piece[0] + "%" + piece[-1]
    return piece


def subsets(values: list[str], extra: str) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from([*values, extra]), min_size=1, max_size=3, unique=True)


@st.composite
def document_filters(draw, ids: list[str], names: list[str], type_ids: list[str]) -> dict:
    """A /block_documents/filter body over the given documents (block_types scope added later).

    Every sub-filter, sort and paging key appears in some cases; each is rare enough that most
    filters still select documents, so a wrong answer shows. Only what clients send: no empty
    any_ list (PF-FLT-any-empty), and under or_ an explicit is_anonymous and no sub-filter
    without a condition (PF-FLT-docs-or-default)."""
    spec: dict = {}
    if one_in(draw, 4):
        spec["operator"] = draw(st.sampled_from(["and_", "or_"]))
    either = spec.get("operator") == "or_"
    if one_in(draw, 5):
        spec["id"] = {"any_": draw(subsets(ids, UNKNOWN_ID))}
    readings = [True, False] if either else ["absent", "absent", "null", "eq-null", True, False]
    anonymous = draw(st.sampled_from(readings))
    if anonymous == "null":
        spec["is_anonymous"] = None
    elif anonymous == "eq-null":
        spec["is_anonymous"] = {"eq_": None}
    elif anonymous != "absent":
        spec["is_anonymous"] = {"eq_": anonymous}
    if one_in(draw, 4):
        spec["block_type_id"] = {"any_": draw(subsets(type_ids, UNKNOWN_ID))}
    name: dict = {}
    if one_in(draw, 4):
        name["any_"] = draw(subsets(names, "no-such-name"))
    if one_in(draw, 2):
        name["like_"] = draw(like_patterns(names))
    if name or (not either and one_in(draw, 10)):
        spec["name"] = name
    body: dict = {}
    if spec or one_in(draw, 4):
        body["block_documents"] = spec
    if one_in(draw, 2):
        body["sort"] = draw(st.sampled_from(["NAME_ASC", "NAME_DESC", "BLOCK_TYPE_AND_NAME_ASC"]))
    if one_in(draw, 3):
        body["limit"] = draw(st.integers(0, 6))
    if one_in(draw, 4):
        body["offset"] = draw(st.integers(0, 3))
    return body
