"""The real Prefect client beside the UI journeys: run by the interpreter named with
--blocks-prefect-python (never imported by the suite), it reads one JSON command a line on
stdin and answers each with one JSON line: what the client returned, or the error it raised.

It saves what the UI then shows (a Secret, a block of a class of its own, a block holding two
saved blocks) and loads what the UI changed, so that each UI step is judged by what the Python
client reads. Its block classes are named in the run's namespace (``BLOCKS_JOURNEY_NAMESPACE``)
so that the run's clean-up deletes their types; one interpreter start serves a whole journey.
"""

import json
import os
import sys
import traceback
from typing import Optional

TRACEBACK_LINES = 8


def classes(suffix: str) -> dict:
    """The block classes of one UI journey (their types' slugs end in ``suffix``)."""
    from prefect.blocks.core import Block
    from prefect.blocks.system import Secret
    from pydantic import SecretStr

    namespace = os.environ["BLOCKS_JOURNEY_NAMESPACE"]

    class UiNote(Block):
        _block_type_name = f"{namespace}UI note {suffix}"
        _block_type_slug = f"{namespace}ui-note-{suffix}"
        _description = "A block of the suite's UI journeys: two text fields and a secret."
        greeting: str
        note: Optional[str] = None  # noqa: UP045 (the client's Python may be older than 3.10)
        token: SecretStr

    class UiPair(Block):
        _block_type_name = f"{namespace}UI pair {suffix}"
        _block_type_slug = f"{namespace}ui-pair-{suffix}"
        _description = "A block of the suite's UI journeys that holds two saved Secrets."
        first: Secret
        second: Secret

    return {"note": UiNote, "pair": UiPair, "secret": Secret}


def perform(command: dict, blocks: dict):
    """What the client returns for one command."""
    action, name = command["do"], command.get("name")
    secret, note, pair = blocks["secret"], blocks["note"], blocks["pair"]
    if action == "save_secret":
        return str(secret(value=command["value"]).save(name, overwrite=True))
    if action == "load_secret":
        return secret.load(name).get()
    if action == "save_note":
        fields = {key: command[key] for key in ("greeting", "note", "token")}
        return str(note(**fields).save(name, overwrite=True))
    if action == "load_note":
        loaded = note.load(name)
        return {
            "greeting": loaded.greeting,
            "note": loaded.note,
            "token": loaded.token.get_secret_value(),
        }
    if action == "save_pair":
        first, second = (secret.load(command[key]) for key in ("first", "second"))
        return str(pair(first=first, second=second).save(name, overwrite=True))
    raise ValueError(f"unknown command {action!r}")


def main() -> None:
    # the answers go to the real stdout alone: whatever the client prints goes to stderr
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    import prefect

    blocks = classes(os.environ["BLOCKS_UI_SUFFIX"])
    answers.write(json.dumps({"ready": prefect.__version__}) + "\n")
    answers.flush()
    for line in sys.stdin:
        command = json.loads(line)
        try:
            answer = {"value": perform(command, blocks)}
        except Exception as error:  # the client's own error is the answer
            lines = traceback.format_exc().strip().splitlines()
            answer = {
                "error": type(error).__name__,
                "message": str(error),
                "traceback": lines[-TRACEBACK_LINES:],
            }
        answers.write(json.dumps(answer, default=str) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
