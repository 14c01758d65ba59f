"""Level 5, the UI: the real Prefect UI, shipped in the wheel of each --blocks-prefect-python
interpreter, driven in headless Chromium (Playwright for Python, the browser named with
--blocks-prefect-chromium: nothing downloads one) against the target through the suite's own
server (``ui_server.py``), with the real Python client of the same release (``ui_agent.py``)
saving what the UI shows and loading what it changed.

A step passes on what the user sees and on what the Python client then reads, never on the
exact calls the UI made or on exact bodies. Each step leaves a screenshot and the API calls the
UI made during it; the test's report carries them (``blocks_steps``), and the HTML page shows
them beside a failure.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import select
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..browser import CHROMIUM
from ..checks import fail
from ..real_clients import Destination
from .client_journeys import PREFECT, client_environment
from .ui_pages import BlocksPages
from .ui_server import Call, UiServer

if TYPE_CHECKING:
    from ..options import Settings

UI_OPTION = "--blocks-prefect-ui"
UI_DEST = "blocks_prefect_ui"
CHROMIUM_OPTION = "--blocks-prefect-chromium"
CHROMIUM_DEST = "blocks_prefect_chromium"
UIS = ("v1", "v2")
DEFAULT = "default"  # each client release's default UI
# where each UI's static folder is, as the prefect package names it
STATIC_ATTRIBUTES = {"v1": "__ui_static_path__", "v2": "__ui_v2_static_path__"}
VIEWPORT = {"width": 1280, "height": 800}
STEP_TIMEOUT_MS = 10_000  # what the page may take to show what a step waits for
SCREENSHOT_QUALITY = 45  # JPEG: a step's picture is 40 to 90 KB
AGENT = Path(__file__).resolve().with_name("ui_agent.py")
AGENT_TIMEOUT = 120.0
SHOWN_PAGE_TEXT = 600
NEEDED = (
    "the Prefect UI in headless Chromium (--blocks-prefect-ui, with --blocks-prefect-python "
    "naming the client whose wheel ships it)"
)

LIST_SHIPPED = """
import json, os, prefect
found = {}
for ui, attribute in %r.items():
    folder = getattr(prefect, attribute, None)
    index = os.path.join(str(folder), "index.html") if folder else ""
    found[ui] = str(folder) if index and os.path.isfile(index) else None
try:
    from prefect.settings import get_current_settings
    v2_default = bool(get_current_settings().server.ui.v2_enabled)
except Exception:
    v2_default = False
found["default"] = "v2" if v2_default and found.get("v2") else "v1"
print(json.dumps(found))
"""


# ---- which UIs a run drives --------------------------------------------------------------------


@cache
def shipped_uis(python: str) -> dict[str, str | None] | None:
    """The static folder of each UI the interpreter's prefect ships (None: not shipped), and its
    default UI under "default" (None: no prefect there)."""
    try:
        found = subprocess.run(
            [python, "-c", LIST_SHIPPED % (STATIC_ATTRIBUTES,)],
            capture_output=True,
            text=True,
            timeout=120,
            env=PREFECT.clean_environment(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    try:
        return json.loads(found.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


@dataclass(frozen=True)
class UiClient:
    """One UI of one client release: what one set of UI journeys runs with."""

    python: str
    version: str
    ui: str  # v1 or v2
    folder: str

    @property
    def id(self) -> str:
        return f"{self.version}-{self.ui}"

    @property
    def suffix(self) -> str:
        """How the journeys' names tell this client and UI apart (names and slugs)."""
        return f"{self.ui}-{self.version.replace('.', '-')}"


def requested(settings: Settings) -> list[str]:
    return list(settings.value(UI_DEST) or [])


def ui_clients(pythons: list[str], uis: list[str]) -> list[UiClient]:
    """Each client release with each UI asked for ("default": the release's own), once."""
    from .client_journeys import prefect_version

    found: list[UiClient] = []
    for python in pythons:
        shipped, version = shipped_uis(python), prefect_version(python)
        if not shipped or not version:
            continue
        for asked in uis:
            ui = shipped.get(DEFAULT) if asked == DEFAULT else asked
            folder = shipped.get(ui or "")
            client = UiClient(python, version, ui or asked, folder or "")
            if folder and client not in found:
                found.append(client)
    return found


def chromium(settings: Settings) -> str:
    return settings.value(CHROMIUM_DEST) or shutil.which("chromium") or CHROMIUM


def unusable_ui(settings: Settings) -> str | None:
    """What keeps the UI journeys from running, as one paragraph (a usage error, exit 4)."""
    uis = requested(settings)
    if not uis:
        return None
    pythons = list(settings.value(PREFECT.dest) or [])
    if not pythons:  # the UI journeys are not covered: they need the client too
        return None
    if importlib.util.find_spec("playwright") is None:
        return (
            f"{UI_OPTION} drives the Prefect UI in headless Chromium with Playwright for "
            "Python, which is not installed here. Nothing was tested. Install it with "
            "pip install 'blocks-conformance[ui]' (or pip install playwright); the suite uses "
            "your Chromium, so 'playwright install' is not needed."
        )
    browser = chromium(settings)
    if not Path(browser).is_file() or not os.access(browser, os.X_OK):
        return (
            f"{UI_OPTION} drives the Prefect UI in headless Chromium, and there is no Chromium "
            f"at {browser}. Nothing was tested. Install Debian's chromium (apt-get install "
            f"chromium) or name another Chromium with {CHROMIUM_OPTION} PATH."
        )
    return missing_uis(pythons, uis)


def missing_uis(pythons: list[str], uis: list[str]) -> str | None:
    for python in pythons:
        shipped = shipped_uis(python) or {}
        for asked in uis:
            ui = shipped.get(DEFAULT) if asked == DEFAULT else asked
            if not shipped.get(ui or ""):
                return (
                    f"{UI_OPTION} {asked}: the prefect installed for {python} ships no {asked} "
                    "UI (prefect/server/ui is the v1 UI, prefect/server/ui-v2 the v2 UI of "
                    "3.8 and newer). Nothing was tested. Ask for a UI that release ships, or "
                    "name the Python of another release."
                )
    return None


def parametrize_ui_clients(metafunc: pytest.Metafunc, settings: Settings | None) -> None:
    """A test taking ``ui_client`` runs once per client release and UI (``[3.9.1-v2]``)."""
    if "ui_client" not in metafunc.fixturenames:
        return
    pythons = list(settings.value(PREFECT.dest) or []) if settings else []
    uis = requested(settings) if settings else []
    clients = ui_clients(pythons, uis) if pythons and uis else []
    parameters = [pytest.param(client, id=client.id) for client in clients]
    metafunc.parametrize(
        "ui_client", parameters or [pytest.param(None, id="no-ui")], scope="module"
    )


# ---- the real Python client beside the UI ------------------------------------------------------


class ClientAgent:
    """``ui_agent.py`` run by the client's interpreter, pointed at the target: one command at a
    time, each answered with what the client returned or raised."""

    def __init__(self, client: UiClient, destination: Destination, workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        env = {
            **PREFECT.clean_environment(),
            **client_environment(destination, workdir),
            "BLOCKS_JOURNEY_NAMESPACE": destination.namespace,
            "BLOCKS_UI_SUFFIX": client.suffix,
        }
        self.errors = workdir / "agent-stderr.txt"
        with self.errors.open("w") as errors:
            # -I: the script's folder (this package, whose bisect.py would shadow the standard
            # library's) is not put on the path
            self.process = subprocess.Popen(
                [client.python, "-I", str(AGENT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=env,
                cwd=workdir,
                text=True,
            )
        self.ready = self.answer()

    def answer(self) -> dict:
        stdout = self.process.stdout
        assert stdout is not None
        readable, _, _ = select.select([stdout], [], [], AGENT_TIMEOUT)
        line = stdout.readline() if readable else ""
        if not line:
            tail = self.errors.read_text()[-3000:] if self.errors.exists() else ""
            fail(
                "the Prefect client beside the UI must answer",
                f"it {'stopped' if readable else 'did not answer in time'}; its output ends "
                f"with:\n{tail}",
            )
        return json.loads(line)

    def ask(self, action: str, **fields: Any) -> dict:
        """{"value": what the client returned} or {"error", "message", "traceback"}."""
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(json.dumps({"do": action, **fields}) + "\n")
        stdin.flush()
        return self.answer()

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class UiSession:
    """What the UI journeys of one client release and UI share: the suite's server of that UI,
    the client beside it, and the browser."""

    def __init__(
        self, client: UiClient, browser: Any, destination: Destination, workdir: Path
    ) -> None:
        self.client = client
        self.browser = browser
        self.namespace = destination.namespace
        self.server = UiServer(Path(client.folder), destination.url, dict(destination.headers))
        self.context: Any = None
        try:
            self.agent = ClientAgent(client, destination, workdir)
        except BaseException:
            self.server.close()
            raise

    def journey(self, name: str) -> UiJourney:
        """A journey in a page of its own (the session's pages share the browser's cache: the
        UI's scripts are loaded once)."""
        if self.context is None:
            self.context = self.browser.new_context(viewport=VIEWPORT)
            # loopback only: the UI's own origin; its pictures on the internet and its
            # analytics are refused
            origin = self.server.url
            self.context.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(origin) else route.abort()
                ),
            )
            self.context.set_default_timeout(STEP_TIMEOUT_MS)
        return UiJourney(name, self, self.context.new_page())

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
        self.agent.close()
        self.server.close()


# ---- one journey and its steps -----------------------------------------------------------------


@dataclass
class Step:
    """One step of a journey: what it checks, the page at its end, the UI's calls during it."""

    name: str
    caption: str
    mark: int  # where its calls begin in the server's log
    picture: str | None = None  # a data: URL
    calls: list[Call] = field(default_factory=list)
    failed: bool = False

    def shown(self) -> dict:
        return {
            "name": self.name,
            "caption": self.caption,
            "picture": self.picture,
            "calls": [call.shown() for call in self.calls],
            "failed": self.failed,
        }


def calls_described(calls: list[Call]) -> str:
    if not calls:
        return "    (none)"
    return "\n".join(f"    {call.line()}" for call in calls)


class UiJourney:
    """One journey through the UI pages, step by step."""

    def __init__(self, name: str, session: UiSession, page: Any) -> None:
        self.name = name
        self.session = session
        self.page = page
        self.pages = BlocksPages(self.page, session.server.url, session.client.ui)
        self.steps: list[Step] = []
        self.current: Step | None = None

    @property
    def label(self) -> str:
        return f"UI journey {self.name} [{self.session.client.id}]"

    def named(self, what: str) -> str:
        """A name in the run's namespace, told apart by the client release and UI."""
        return f"{self.session.namespace}ui-{self.session.client.suffix}-{what}"

    @contextmanager
    def step(self, name: str, caption: str) -> Iterator[Step]:
        """A step: what happens inside is pictured at its end, with the calls the UI made."""
        from playwright.sync_api import Error as PlaywrightError

        log = self.session.server.log
        step = Step(name, caption, log.mark())
        self.steps.append(step)
        self.current = step
        try:
            yield step
        except PlaywrightError as error:
            step.failed = True
            self.picture(step)
            self.fail_on_page(caption, error)
        except BaseException:
            step.failed = True
            raise
        finally:
            step.calls = log.since(step.mark)
            if step.picture is None:
                self.picture(step)

    def picture(self, step: Step) -> None:
        try:
            shot = self.page.screenshot(type="jpeg", quality=SCREENSHOT_QUALITY, timeout=5000)
        except Exception:  # a page that cannot be pictured still has its failure
            return
        step.picture = "data:image/jpeg;base64," + base64.b64encode(shot).decode()

    def page_text(self) -> str:
        try:
            text = " ".join(self.pages.text().split())
        except Exception:
            return "(unreadable)"
        return text if len(text) <= SHOWN_PAGE_TEXT else f"{text[:SHOWN_PAGE_TEXT]}..."

    def fail_on_page(self, requirement: str, error: Exception) -> None:
        __tracebackhide__ = True
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        self.expect(
            False,
            requirement,
            f"the page did not show it ({first_line}); at {self.pages.path()} it showed: "
            f"{self.page_text()}",
        )

    def expect(self, condition: bool, requirement: str, observed: str) -> None:
        """A check of the current step: its failure names the journey and the step, and lists
        the API calls the UI made in the step."""
        __tracebackhide__ = True
        if condition:
            return
        step = self.current
        calls = self.session.server.log.since(step.mark) if step else []
        where = f", step {step.name}" if step else ""
        fail(
            f"{self.label}{where}: {requirement}",
            f"{observed}\n  the UI's API calls in this step:\n{calls_described(calls)}",
        )

    def wait_for_call(self, call: tuple[str, str, str], after: tuple[str, str]) -> None:
        """Wait until the UI has made ``call`` (method, path, words of its body) after a call
        ``after`` (method, path) of the current step, and had its answer: what the page shows
        next is the server's answer since then."""
        __tracebackhide__ = True
        method, path, words = call
        log, step = self.session.server.log, self.current
        for _ in range(STEP_TIMEOUT_MS // 50):
            calls = log.since(step.mark if step else 0)
            first = next(
                (i for i, c in enumerate(calls) if c.method == after[0] and after[1] in c.path),
                None,
            )
            later = calls[first + 1 :] if first is not None else []
            if any(
                c.method == method and path in c.path and words in (c.request_body or "")
                for c in later
            ):
                return
            self.page.wait_for_timeout(50)
        self.expect(
            False,
            f"after {' '.join(after)} the UI must ask {method} {path} for {words!r}",
            "it did not",
        )

    def client(self, action: str, **fields: Any) -> dict:
        return self.session.agent.ask(action, **fields)

    def client_value(self, action: str, what: str, **fields: Any) -> Any:
        """What the Python client returned; its error fails the step."""
        __tracebackhide__ = True
        answer = self.client(action, **fields)
        if "error" in answer:
            trace = "\n".join(f"      {line}" for line in answer.get("traceback", []))
            self.expect(
                False,
                f"the Python client must {what}",
                f"it raised {answer['error']}: {answer['message']}\n{trace}",
            )
        return answer.get("value")

    def close(self) -> None:
        self.page.close()

    def shown_steps(self) -> list[dict]:
        return [step.shown() for step in self.steps]


# where a test's journey is kept for its report (conftest.py)
UI_STEPS = pytest.StashKey[UiJourney]()
