"""Journey PF-JRN-nested: two levels of nesting (a top block holding a middle block holding a
leaf block with a secret), saved as references and inline, loaded whole, and loaded again after
the leaf is overwritten."""

from journey_kit import NAMESPACE, Journey
from prefect.blocks.core import Block
from pydantic import SecretStr


class Leaf(Block):
    _block_type_name = f"{NAMESPACE}jrn-leaf"
    _block_type_slug = f"{NAMESPACE}jrn-leaf"

    token: SecretStr
    n: int = 1


class Middle(Block):
    _block_type_name = f"{NAMESPACE}jrn-middle"
    _block_type_slug = f"{NAMESPACE}jrn-middle"

    leaf: Leaf
    label: str = "m"


class Top(Block):
    _block_type_name = f"{NAMESPACE}jrn-top"
    _block_type_slug = f"{NAMESPACE}jrn-top"

    middle: Middle
    note: str = "t"


NAMES = {cls: f"{NAMESPACE}jrn-{cls.__name__.lower()}-doc" for cls in (Leaf, Middle, Top)}
INLINE_NAME = f"{NAMESPACE}jrn-top-inline"


def values(top: Top) -> dict:
    return {
        "note": top.note,
        "label": top.middle.label,
        "token": top.middle.leaf.token.get_secret_value(),
        "n": top.middle.leaf.n,
    }


def main() -> None:
    journey = Journey()
    step = journey.step
    leaf = Leaf(token="inner-secret", n=5)
    middle = Middle(leaf=leaf, label="mid")
    top = Top(middle=middle, note="top")
    step("save_leaf", lambda: bool(leaf.save(NAMES[Leaf])))
    step("save_middle", lambda: bool(middle.save(NAMES[Middle])))
    step("save_top", lambda: bool(top.save(NAMES[Top])))
    step("load_top", lambda: values(Top.load(NAMES[Top])))
    step("load_middle", lambda: Middle.load(NAMES[Middle]).leaf.token.get_secret_value())
    inline = Top(middle=Middle(leaf=Leaf(token="inline-secret", n=2)), note="inline")
    step("save_inline", lambda: bool(inline.save(INLINE_NAME)))
    step("load_inline", lambda: values(Top.load(INLINE_NAME)))
    rotated = Leaf(token="rotated", n=6)
    step("overwrite_leaf", lambda: bool(rotated.save(NAMES[Leaf], overwrite=True)))
    step("load_top_after_leaf_overwrite", lambda: values(Top.load(NAMES[Top])))
    step("load_inline_after_leaf_overwrite", lambda: values(Top.load(INLINE_NAME)))
    journey.finish()


if __name__ == "__main__":
    main()
