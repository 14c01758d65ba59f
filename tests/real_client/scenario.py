"""Drive a blocks server with the real Prefect client; print what each step returned as JSON.

Runs inside a virtualenv that has prefect installed, with PREFECT_API_URL pointing at the server
under test and CONF_RUN set to a run suffix (the same one for every server being compared, so
the printed results can be compared verbatim). Everything the scenario creates is deleted at
the end.
"""

import json
import os
import sys
from collections.abc import Callable
from typing import Any

from prefect.blocks.core import Block
from prefect.blocks.system import Secret
from prefect.client.orchestration import get_client
from pydantic import SecretStr

RUN = os.environ["CONF_RUN"]
SECRET_NAME = f"conf-client-secret-{RUN}"
PROBE_NAME = f"conf-client-probe-{RUN}"


class ClientProbe(Block):
    """A block class the server has never seen: a free-form JSON field and a secret."""

    _block_type_name = f"Conf Client Probe {RUN}"
    _block_type_slug = f"conf-client-probe-{RUN}"

    settings: dict[str, Any]
    token: SecretStr
    label: str = "default-label"


class Leaf(Block):
    """The inner block of a two-level nesting, with a secret."""

    _block_type_name = f"Conf Leaf {RUN}"
    _block_type_slug = f"conf-leaf-{RUN}"

    token: SecretStr
    n: int = 1


class Middle(Block):
    _block_type_name = f"Conf Middle {RUN}"
    _block_type_slug = f"conf-middle-{RUN}"

    leaf: Leaf
    label: str = "m"


class Top(Block):
    _block_type_name = f"Conf Top {RUN}"
    _block_type_slug = f"conf-top-{RUN}"

    middle: Middle
    note: str = "t"


NESTED_NAMES = {cls: f"conf-client-{cls.__name__.lower()}-{RUN}" for cls in (Leaf, Middle, Top)}


def outcome(step: Callable[[], Any]) -> dict:
    try:
        return {"value": step()}
    except Exception as error:  # the client's own error is the result under comparison
        return {"error": type(error).__name__, "message": str(error)}


def secret_steps() -> dict:
    results = {}
    results["save"] = outcome(lambda: bool(Secret(value="my-secret-value").save(SECRET_NAME)))
    results["load"] = outcome(lambda: Secret.load(SECRET_NAME).get())
    results["save_again_without_overwrite"] = outcome(
        lambda: bool(Secret(value="other").save(SECRET_NAME))
    )
    results["load_after_refused_save"] = outcome(lambda: Secret.load(SECRET_NAME).get())
    results["save_overwrite"] = outcome(
        lambda: bool(Secret(value="v2").save(SECRET_NAME, overwrite=True))
    )
    results["load_after_overwrite"] = outcome(lambda: Secret.load(SECRET_NAME).get())
    results["load_unknown"] = outcome(lambda: Secret.load(f"{SECRET_NAME}-missing").get())
    return results


def probe_steps() -> dict:
    settings = {"retries": 3, "nested": {"flag": True, "items": [1, "two", None]}, "ratio": 0.5}
    results = {}
    results["save"] = outcome(
        lambda: bool(ClientProbe(settings=settings, token="t0ken", label="first").save(PROBE_NAME))
    )

    def load() -> dict:
        loaded = ClientProbe.load(PROBE_NAME)
        return {
            "settings": loaded.settings,
            "token": loaded.token.get_secret_value(),
            "label": loaded.label,
            "equal_to_saved": loaded.settings == settings,
        }

    results["load"] = outcome(load)
    results["save_overwrite"] = outcome(
        lambda: bool(
            ClientProbe(settings={"v": 2}, token="n3w", label="second").save(
                PROBE_NAME, overwrite=True
            )
        )
    )
    results["load_after_overwrite"] = outcome(load)
    results["load_by_slug"] = outcome(
        lambda: type(Block.load(f"{ClientProbe._block_type_slug}/{PROBE_NAME}")).__name__
    )
    return results


def nested_steps() -> dict:
    def values(top: Top) -> dict:
        return {
            "note": top.note,
            "label": top.middle.label,
            "token": top.middle.leaf.token.get_secret_value(),
            "n": top.middle.leaf.n,
        }

    results = {}
    leaf = Leaf(token="inner-secret", n=5)
    middle = Middle(leaf=leaf, label="mid")
    top = Top(middle=middle, note="top")
    results["save_referenced"] = outcome(
        lambda: [bool(block.save(NESTED_NAMES[type(block)])) for block in (leaf, middle, top)]
    )
    results["load_referenced"] = outcome(lambda: values(Top.load(NESTED_NAMES[Top])))
    inline_name = f"{NESTED_NAMES[Top]}-inline"
    inline = Top(middle=Middle(leaf=Leaf(token="inline-secret", n=2)), note="inline")
    results["save_inline"] = outcome(lambda: bool(inline.save(inline_name)))
    results["load_inline"] = outcome(lambda: values(Top.load(inline_name)))
    results["overwrite_leaf"] = outcome(
        lambda: bool(Leaf(token="rotated", n=6).save(NESTED_NAMES[Leaf], overwrite=True))
    )
    results["load_after_leaf_overwrite"] = outcome(lambda: values(Top.load(NESTED_NAMES[Top])))
    NESTED_NAMES["inline"] = inline_name
    return results


def clean_up() -> list[str]:
    problems = []
    nested = [
        (Top, NESTED_NAMES["inline"]),
        (Top, NESTED_NAMES[Top]),
        (Middle, NESTED_NAMES[Middle]),
        (Leaf, NESTED_NAMES[Leaf]),
    ]
    for cls, name in ((Secret, SECRET_NAME), (ClientProbe, PROBE_NAME), *nested):
        try:
            cls.delete(name)
        except Exception as error:
            problems.append(f"delete {name}: {error!r}")
    with get_client(sync_client=True) as client:
        for cls in (ClientProbe, Top, Middle, Leaf):
            try:
                block_type = client.read_block_type_by_slug(cls._block_type_slug)
                client.delete_block_type(block_type.id)
            except Exception as error:
                problems.append(f"delete type {cls.__name__}: {error!r}")
    return problems


def main() -> None:
    results = {
        "secret": secret_steps(),
        "probe": probe_steps(),
        "nested": nested_steps(),
        "clean_up": clean_up(),
    }
    json.dump(results, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
