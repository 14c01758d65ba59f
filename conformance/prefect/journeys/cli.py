"""Journey PF-JRN-cli: the ``prefect`` command line on blocks. ``prefect block register
--file F`` of a module with two block classes, twice (the second run must change nothing),
``block type ls``, ``block ls``, ``block inspect``, ``block type inspect``, ``block delete`` and
``block type delete``; each command's exit code and output are the results.

The commands run in this one interpreter through ``prefect.cli.app``, the function the
``prefect`` executable calls, to pay for the client's start-up once.
"""

import contextlib
import io
import json
import sys
import textwrap
import traceback
import warnings
from pathlib import Path

from journey_kit import NAMESPACE, WORKDIR, Journey

# Loading the module a second time defines its classes again, on purpose.
warnings.filterwarnings("ignore", message=".*matches existing registered type")

PREFIX = f"{NAMESPACE}jrn-cli-"  # other journeys of the run share the namespace
ALPHA = f"{PREFIX}alpha"
BETA = f"{PREFIX}beta"
DOCUMENT = f"{PREFIX}doc"
MODULE_NAME = "journey_blocks"
MODULE_PREFIXES = (MODULE_NAME, "__prefect_loader_")
MODULE = textwrap.dedent(
    f'''
    from prefect.blocks.core import Block
    from pydantic import SecretStr


    class CliAlpha(Block):
        """Alpha: a URL and a token."""

        _block_type_name = "{ALPHA}"
        _block_type_slug = "{ALPHA}"
        _description = "Alpha block of the conformance journey."

        url: str
        token: SecretStr


    class CliBeta(Block):
        """Beta: a count with a default."""

        _block_type_name = "{BETA}"
        _block_type_slug = "{BETA}"
        _documentation_url = "https://docs.example.com/beta"

        count: int = 1
    '''
)


def forget_the_module() -> None:
    """Each command loads the module file as a new ``prefect`` process would: under its own
    name, not the fallback name Prefect gives a module loaded twice in one process."""
    for name in [name for name in sys.modules if name.startswith(MODULE_PREFIXES)]:
        del sys.modules[name]


def cli(*arguments: str) -> dict:
    """``prefect ARGUMENTS``: its exit code and what it printed, one line per entry."""
    from prefect.cli import app

    forget_the_module()
    sys.argv = ["prefect", *arguments]
    printed = io.StringIO()
    code: object = 0
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            app()
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        except Exception:
            code = "crashed"
            traceback.print_exc()
    lines = [line.rstrip() for line in printed.getvalue().splitlines()]
    return {"exit_code": code, "output": lines}


def cli_json(*arguments: str) -> dict:
    """A command with ``-o json``: its exit code and the JSON it printed (or its output)."""
    result = cli(*arguments, "-o", "json")
    if result["exit_code"] == 0:
        try:
            return {"exit_code": 0, "json": json.loads("\n".join(result["output"]))}
        except ValueError:
            pass
    return result


def mine(listing: dict, key: str) -> dict:
    """A JSON listing cut to this journey's objects (the server may hold anything else)."""
    if "json" not in listing:
        return listing
    items = [item for item in listing["json"] if str(item.get(key, "")).startswith(PREFIX)]
    return {"exit_code": listing["exit_code"], "json": sorted(items, key=lambda i: i[key])}


def server_state() -> dict:
    """The two types and their schemas as the client reads them (raw: ids and timestamps too,
    to see whether anything changed)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        types = {slug: client.read_block_type_by_slug(slug) for slug in (ALPHA, BETA)}
        schemas = client.read_block_schemas()
    ids = {block_type.id: slug for slug, block_type in types.items()}
    return {
        "types": {slug: t.model_dump(mode="json") for slug, t in types.items()},
        "schemas": sorted(
            (
                {"type": ids[schema.block_type_id], "id": str(schema.id)}
                | {"checksum": schema.checksum, "version": schema.version}
                for schema in schemas
                if schema.block_type_id in ids
            ),
            key=lambda schema: (schema["type"], schema["checksum"]),
        ),
    }


def load_module(module_path: Path):
    from prefect.utilities.importtools import load_script_as_module

    forget_the_module()
    return load_script_as_module(str(module_path))


def save_a_document(journey: Journey, module_path: Path) -> bool:
    block = load_module(module_path).CliAlpha(url="https://alpha.example", token="alpha-token")
    return bool(journey.name(block.save(DOCUMENT), "alpha doc id"))


def name_the_objects(journey: Journey, module_path: Path, state: dict) -> None:
    """The ids of the two types and their schemas as the client first reads them (by slug, by
    the type's id), and the checksums the client computes for the two classes."""
    module = load_module(module_path)
    for slug, short in ((ALPHA, "alpha"), (BETA, "beta")):
        block_type = state["types"].get(slug)
        if block_type:
            journey.name(block_type["id"], f"{short} type id")
        for schema in state["schemas"]:
            if schema["type"] == slug:
                journey.name(schema["id"], f"{short} schema id")
    journey.name(module.CliAlpha._calculate_schema_checksum(), "alpha checksum")
    journey.name(module.CliBeta._calculate_schema_checksum(), "beta checksum")


def main() -> None:
    journey = Journey()
    step = journey.step
    module_path = Path(WORKDIR, f"{MODULE_NAME}.py")
    module_path.write_text(MODULE)
    step("register", lambda: cli("block", "register", "--file", str(module_path)))
    first = step("state_after_register", server_state)
    if first is not None:
        name_the_objects(journey, module_path, first)
    step("register_again", lambda: cli("block", "register", "--file", str(module_path)))
    second = journey.step("state_after_register_again", server_state)
    step("register_again_changed_nothing", lambda: first == second)
    step("block_type_ls", lambda: mine(cli_json("block", "type", "ls"), "slug"))
    step("block_type_inspect", lambda: cli_json("block", "type", "inspect", ALPHA))
    step("save_a_document", lambda: save_a_document(journey, module_path))
    step("block_ls", lambda: mine(cli_json("block", "ls"), "name"))
    step("block_inspect", lambda: cli_json("block", "inspect", f"{ALPHA}/{DOCUMENT}"))
    step("block_delete", lambda: cli("block", "delete", f"{ALPHA}/{DOCUMENT}"))
    step("block_inspect_after_delete", lambda: cli("block", "inspect", f"{ALPHA}/{DOCUMENT}"))
    step("block_type_delete", lambda: [cli("block", "type", "delete", s) for s in (ALPHA, BETA)])
    step("block_type_delete_again", lambda: cli("block", "type", "delete", ALPHA))
    step("block_type_ls_after_delete", lambda: mine(cli_json("block", "type", "ls"), "slug"))
    journey.finish()


if __name__ == "__main__":
    main()
