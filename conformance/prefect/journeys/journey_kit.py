"""What every journey script shares: its namespace, a step recorder, and the JSON it prints.

Journey scripts run in the interpreter named by --blocks-prefect-python, with the Prefect client
pointed at the target (PREFECT_API_URL and friends), so they import only ``prefect``, the
standard library and this file. Each step's outcome is the value the client returned or the
error it raised; the suite compares them with what the real Prefect server gives. A value a
server invents (an id, a checksum) is compared by the object it stands for: the journey names
it (``Journey.name``) where it learns which object that is, and the suite puts the name in its
place wherever it appears.
"""

import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

NAMESPACE = os.environ["BLOCKS_JOURNEY_NAMESPACE"]
WORKDIR = os.environ.get("BLOCKS_JOURNEY_WORKDIR", ".")
TRACEBACK_LINES = 12


class Journey:
    """Runs steps in order and keeps each one's outcome under its name."""

    def __init__(self) -> None:
        self.steps: dict[str, dict] = {}
        self.names: dict[str, str] = {}

    def name(self, value: Any, name: str) -> Any:
        """Call ``value`` (an id, a checksum) ``name`` wherever it appears in the results: the
        object it stands for, as the journey knows it (its first name is kept)."""
        self.names.setdefault(str(value), name)
        return value

    def step(self, name: str, action: Callable[[], Any]) -> Any:
        """Run ``action``; record what it returned, or the error it raised (the error is the
        result then, with the last lines of its traceback to show in a failure)."""
        try:
            value = action()
        except Exception as error:  # the client's own error is the outcome under comparison
            lines = traceback.format_exc().strip().splitlines()
            self.steps[name] = {
                "error": type(error).__name__,
                "message": str(error),
                "traceback": lines[-TRACEBACK_LINES:],
            }
            return None
        self.steps[name] = {"value": value}
        return value

    def finish(self) -> None:
        """Print the results as the last line of output (steps in the order they ran)."""
        import prefect

        result = {"prefect_version": prefect.__version__, "steps": self.steps, "names": self.names}
        sys.stdout.write("\n" + json.dumps(result, default=str) + "\n")
        sys.stdout.flush()
