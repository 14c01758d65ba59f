"""The Kragle profile: the Kragle.io block types API, its clean-up and its errors.

Kragle has no DELETE: the run's blocks are deleted through the out-of-band test hook when the
run has one (``--blocks-kragle-hook-url``) and otherwise reported as left behind. The sweep
lists what each test user sees. Both need the run's settings (hook URL, users' session
cookies), which the profile's conftest puts in ``SETTINGS`` once it has them.
"""

from dataclasses import dataclass, field
from pathlib import Path

from ..client import ApiClient, Exchange, LeftBehind
from ..profiles import Profile, Resource

BASE_PATH = "/kragle/api/v1"
HOOKS_PATH = "/kragle/_hooks"
MAX_SWEEP_PAGES = 2000


@dataclass
class Settings:
    hook_url: str | None = None
    cookies: list[str] = field(default_factory=list)  # the test users' Cookie headers


SETTINGS = Settings()


def created_by(client: ApiClient, path: str, exchange: Exchange) -> list[tuple[str, str]]:
    body = exchange.json
    if exchange.method != "POST" or path != "/blocktypes" or exchange.status != 200:
        return []
    if not isinstance(body, dict) or not isinstance(body.get("id"), int | str):
        return []
    return [("blocktype", str(body["id"]))]


def delete_blocktype(client: ApiClient, block_id: str) -> Exchange:
    if SETTINGS.hook_url is None:
        raise LeftBehind("Kragle has no DELETE and the run has no --blocks-kragle-hook-url")
    return client.delete(f"{SETTINGS.hook_url}/blocktypes/{block_id}")


def sweep(client: ApiClient, namespace: str) -> list[tuple[str, str]]:
    """The blocks of the namespace that the test users see, page by page."""
    found: set[tuple[str, str]] = set()
    for cookie in SETTINGS.cookies:
        for page in range(1, MAX_SWEEP_PAGES + 1):
            answer = client.get("/blocktypes", params={"page": page}, headers={"Cookie": cookie})
            body = answer.json
            items = body.get("blocktypes") if isinstance(body, dict) else None
            if answer.status != 200 or not isinstance(items, list) or not items:
                break
            for item in items:
                if isinstance(item, dict) and str(item.get("name", "")).startswith(namespace):
                    found.add(("blocktype", str(item.get("id"))))
            if len(items) < (body.get("pagesize") or 10):
                break
    return sorted(found)


def server_error(status: int) -> bool:
    """Kragle answers every API error with HTTP 500 and its {code, msg} body."""
    return status >= 500


PROFILE = Profile(
    name="kragle",
    clause_prefix="KR",
    suite_dir=Path(__file__).resolve().parent,
    areas={
        "AUTH": "auth",
        "ERR": "auth",
        "CRT": "create",
        "READ": "read",
        "LIST": "list",
        "DEF": "definitions",
        "REM": "remote",
        "VAL": "validate",
        "UPD": "update",
        "VIS": "visibility",
        "GEN": "generated",
    },
    level_names={
        1: "create and read",
        2: "list and paging",
        3: "validation and update",
        4: "visibility",
    },
    resources=(Resource("blocktype", delete_blocktype),),
    created_by=created_by,
    sweep=sweep,
    example_url="http://127.0.0.1:4200/kragle/api/v1",
    probe_path="/blocktypes",
    probe_expectation="200 (the public block list)",
    embedded_base_path=BASE_PATH,
    error_schema="error",
    is_error=server_error,
)
