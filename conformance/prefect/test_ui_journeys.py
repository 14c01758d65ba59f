"""Level 5, the UI: the real Prefect UI of each --blocks-prefect-python client (its v1 or v2
UI, --blocks-prefect-ui), served by the suite on loopback and driven in headless Chromium
against the target, with the real Python client of the same release beside it. Each step
passes on what the page shows and on what the Python client then reads, never on the exact
calls the UI made; each journey runs once per client release and UI (``[3.9.1-v2]``), in the
run's namespace, so the run's clean-up deletes what it made."""

import pytest

from .. import timestamps
from ..browser import launched_browser
from ..client import ApiClient
from ..real_clients import Destination
from ..run import Run
from ..target import Target
from .client_journeys import PREFECT
from .ui_journeys import (
    NEEDED,
    UI_DEST,
    UI_STEPS,
    UiJourney,
    UiSession,
    chromium,
)

pytestmark = [pytest.mark.needs(UI_DEST, NEEDED), PREFECT.needs]

MASK = "********"  # what the real server shows of a secret (obfuscate)
TOKEN = "tok-2f9c-never-shown"
PAGE = 200  # the largest page the API gives


@pytest.fixture(scope="module")
def ui_browser(conformance_run: Run):
    """Headless Chromium for the UI journeys of this module (one per worker), closed once they
    are done."""
    with launched_browser(chromium(conformance_run.settings)) as browser:
        yield browser


@pytest.fixture(scope="module")
def ui_session(conformance_run: Run, target: Target, ui_client, ui_browser, tmp_path_factory):
    """The suite's server of one client release's UI and that release's Python client."""
    destination = Destination(target.url, conformance_run.settings.headers, target.namespace)
    workdir = tmp_path_factory.mktemp(f"ui-{ui_client.id}")
    session = UiSession(ui_client, ui_browser, destination, workdir)
    yield session
    session.close()


@pytest.fixture
def ui(ui_session: UiSession, request: pytest.FixtureRequest):
    """One journey in a fresh browser context; its steps go into the test's report."""
    journey = ui_session.journey(request.node.originalname)
    request.node.stash[UI_STEPS] = journey
    yield journey
    journey.close()


def save_secret(ui: UiJourney, name: str, value: str) -> str:
    return ui.client_value("save_secret", f"save the Secret {name}", name=name, value=value)


@pytest.mark.clause("PF-JRN-ui-blocks-page")
def test_the_blocks_page_lists_a_block_the_client_saved_with_its_type(ui):
    name = ui.named("listed")
    with ui.step("blocks-page", f"the Blocks page, searched for {name}, lists it as a Secret"):
        save_secret(ui, name, "listed-value")
        ui.pages.search_blocks(name)
        row = ui.pages.row_text(name)
        ui.expect(
            "Secret" in row,
            f"the row of {name} must name its block type, Secret",
            f"its row says: {row}",
        )


def system_type_names(api: ApiClient) -> list[str]:
    """The names of the protected block types the target lists (the system blocks)."""
    listed = api.post("/block_types/filter", {}).json
    types = listed if isinstance(listed, list) else []
    return sorted(t["name"] for t in types if isinstance(t, dict) and t.get("is_protected"))


def newest_schema_fields(api: ApiClient, type_slug: str) -> dict:
    """The properties of the type's newest schema, found among every schema the server lists
    (not through the filter by type the UI uses, which is what the step checks)."""
    block_type = api.get(f"/block_types/slug/{type_slug}").json or {}
    schemas: list = []
    while True:
        page = api.post("/block_schemas/filter", {"limit": PAGE, "offset": len(schemas)}).json
        if not isinstance(page, list):
            break
        schemas += page
        if len(page) < PAGE:
            break
    own = [
        s for s in schemas if isinstance(s, dict) and s.get("block_type_id") == block_type.get("id")
    ]
    newest = max(own, key=lambda schema: timestamps.parse(schema.get("created")), default={})
    return newest.get("fields", {}).get("properties", {})


@pytest.mark.clause("PF-JRN-ui-catalog")
def test_the_catalog_shows_the_system_types_and_the_secret_form_its_schema(ui, api):
    system = system_type_names(api)
    with ui.step("catalog", "the catalog shows every system block type"):
        text = ui.pages.catalog_text("Secret")
        missing = [name for name in ["Secret", *system] if name not in text]
        ui.expect(not missing, "the catalog must show every system block type", f"{missing} not")
    with ui.step("secret-type", "the Secret type's page shows its name"):
        ui.pages.type_page_text("secret", "Secret")
    fields = newest_schema_fields(api, "secret")
    titles = [str(field.get("title", key)) for key, field in fields.items()]
    with ui.step("secret-form", f"its Create form shows the schema's fields {titles}"):
        text = ui.pages.open_create_form("secret")
        shown = [
            words
            for field in fields.values()
            for words in (field.get("title"), field.get("description"))
            if isinstance(words, str)
        ]
        missing = [words for words in shown if words not in text]
        ui.expect(
            bool(fields) and not missing,
            "the Secret form must show each field of the Secret schema, with its description",
            f"{missing or 'no field'} not shown",
        )


@pytest.mark.clause("PF-JRN-ui-create")
def test_a_secret_created_in_the_form_loads_in_the_client_with_its_value(ui):
    name, value = ui.named("created"), "typed-in-the-form"
    with ui.step("form", "the Secret's Create form, filled in"):
        ui.pages.open("/blocks/catalog/secret/create")
        ui.pages.label("Value").wait_for()
        ui.pages.fill_create_form(name, {"Value": value})
    with ui.step("created", "Create goes to the new block's page; the client loads the value"):
        document_id = ui.pages.submit_create_form()
        ui.pages.shows(name).wait_for()
        loaded = ui.client_value("load_secret", f"load the Secret {name}", name=name)
        ui.expect(
            loaded == value,
            f"Secret.load({name!r}).get() must give the value typed in the form, {value!r}",
            f"it gave {loaded!r} (the document {document_id})",
        )


@pytest.mark.clause("PF-JRN-ui-masked")
def test_a_blocks_page_shows_its_secret_masked_never_in_clear(ui):
    name, value = ui.named("masked"), "clear-text-never-shown"
    with ui.step("block-page", f"the block's page shows the value as {MASK}, never in clear"):
        document_id = save_secret(ui, name, value)
        ui.pages.block_page_text(document_id, name)
        ui.pages.shows(MASK).or_(ui.pages.shows(value)).first.wait_for()
        text = ui.pages.text()
        ui.expect(
            value not in text and value not in ui.pages.page.content(),
            "the page must never hold the secret's value",
            f"it shows {value!r}",
        )
        ui.expect(MASK in text, f"the page must show the value as {MASK}", f"it shows: {text}")
    with ui.step("edit-form", "its edit form holds the mask, never the value"):
        ui.pages.open_edit_form(document_id, "Value")
        values = ui.pages.field_values()
        ui.expect(
            MASK in values and not any(value in held for held in values),
            f"the edit form's Value field must hold {MASK}, never the value",
            f"its fields hold {values}",
        )


@pytest.mark.clause("PF-JRN-ui-edit")
def test_editing_a_block_in_its_form_changes_what_the_client_loads(ui):
    name = ui.named("edited")
    original = {"greeting": "hello", "note": "a note to clear", "token": TOKEN}
    with ui.step("edit-form", "the edit form shows the block's values, its secret masked; edited"):
        document_id = ui.client_value("save_note", f"save the block {name}", name=name, **original)
        ui.pages.open_edit_form(document_id, "Greeting")
        shown = {title: ui.pages.field(title).input_value() for title in ("Greeting", "Note")}
        ui.expect(
            shown == {"Greeting": "hello", "Note": "a note to clear"}
            and TOKEN not in ui.pages.field_values(),
            "the edit form must show the saved values, and not the secret",
            f"it shows {shown} and {ui.pages.field_values()}",
        )
        ui.pages.field("Greeting").fill("hello again")
        ui.pages.field("Note").fill("")
    with ui.step("saved", "Save replaces the data: the client loads the new greeting, no note"):
        ui.pages.save_edit(document_id, {})
        ui.pages.shows("hello again").wait_for()
        loaded = ui.client_value("load_note", f"load the block {name}", name=name)
        wanted = {"greeting": "hello again", "note": None, "token": TOKEN}
        ui.expect(
            loaded == wanted,
            f"after the form's Save (greeting changed, note cleared, the secret left masked) "
            f"the client must load {wanted}",
            f"it loaded {loaded}",
        )


@pytest.mark.clause("PF-JRN-ui-delete")
def test_a_block_deleted_in_the_ui_leaves_the_blocks_page_and_no_longer_loads(ui):
    prefix = ui.named("delete-")
    gone, kept = f"{prefix}gone", f"{prefix}kept"
    with ui.step("listed", "the Blocks page lists the two blocks the client saved"):
        document_id = save_secret(ui, gone, "to be deleted")
        save_secret(ui, kept, "to be kept")
        ui.pages.search_blocks(prefix)
        ui.pages.row_text(gone)
        ui.pages.row_text(kept)
    with ui.step("deleted", "after Delete the Blocks page lists only the other one"):
        ui.pages.delete(document_id, gone)
        # searched in other words than before, so that the UI asks again rather than showing
        # what it kept of the last search
        again = prefix.rstrip("-")
        ui.pages.search_blocks(again)
        listed = ("POST", "/block_documents/filter", again)
        ui.wait_for_call(listed, after=("DELETE", f"/block_documents/{document_id}"))
        ui.pages.row_text(kept)
        ui.expect(
            ui.pages.row_leaves(gone),
            f"{gone} must be gone from the page",
            "it is still listed",
        )
    with ui.step("load-fails", "the client's load of the deleted block fails"):
        answer = ui.client("load_secret", name=gone)
        ui.expect(
            answer.get("error") == "ValueError",
            f"Secret.load({gone!r}) must raise the client's not-found ValueError",
            f"it gave {answer}",
        )


@pytest.mark.clause("PF-JRN-ui-nested")
def test_a_block_holding_two_saved_blocks_shows_both_on_its_page(ui):
    first, second, outer = (ui.named(what) for what in ("inner-1", "inner-2", "pair"))
    with ui.step("block-page", "the page of a block holding two saved Secrets shows both"):
        for inner in (first, second):
            save_secret(ui, inner, f"{inner} value")
        document_id = ui.client_value(
            "save_pair", f"save the block {outer}", name=outer, first=first, second=second
        )
        ui.pages.block_page_text(document_id, outer)
        if ui.session.client.ui == "v1":  # each nested block by its name, fetched by id
            ui.pages.shows(second).wait_for()
            shown = ui.pages.text()
            ok, wanted = first in shown and second in shown, f"the names {first} and {second}"
        else:  # each nested block's fields, from the document's own data
            ui.pages.new(ui.pages.page.get_by_text(MASK)).nth(1).wait_for()
            shown = ui.pages.text()
            ok, wanted = shown.count(MASK) >= 2, f"two fields holding {MASK}"
        ui.expect(
            ok,
            f"the page must show both nested blocks: {wanted}",
            f"it shows: {' '.join(shown.split())[:600]}",
        )
