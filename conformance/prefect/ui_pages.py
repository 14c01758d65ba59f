"""The blocks pages of the two Prefect UIs, as a user goes through them: the Blocks page and its
search box, the catalog, a block type's page and its form, a block's page, its edit form and its
menu's Delete. ``v1`` is the Vue UI (``prefect/server/ui``), ``v2`` the React UI
(``prefect/server/ui-v2``, the default of 3.8 and 3.9); both have the same pages at the same
paths, and differ only in a few words and in how their menu button is named (``UI_WORDS``).

Fields are found by their labels (the schema's titles), never by their position: a server may
list a schema's properties in any order, and the form follows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

# how a link of the app goes to a path: through the v1 UI's Vue Router (whose history entries
# carry its own state), or (the v2 UI's TanStack Router) by the browser's history, which its
# router follows
FOLLOW_LINK = """path => {
    const router = document.querySelector("#app")?.__vue_app__?.config.globalProperties.$router;
    if (router) {
        router.push(path);
        return;
    }
    history.pushState({}, "", path);
    dispatchEvent(new PopStateEvent("popstate", {state: history.state}));
}"""
# what the page shows before the app goes elsewhere is marked, so that a wait for what the next
# page shows is not met by what the last one showed
MARK_SHOWN = "() => document.querySelectorAll('body *').forEach(e => e.dataset.suiteShown = '')"
SHOWN_BEFORE = "[data-suite-shown]"
# the next text field after a label, in document order
NEXT_FIELD = "xpath=following::*[self::textarea or self::input][1]"
SEARCH = re.compile("search", re.IGNORECASE)


@dataclass(frozen=True)
class UiWords:
    """What differs between the two UIs' blocks pages."""

    create_button: str  # the create form's submit button
    name_label: str  # the create form's name field
    # how the block page's menu button is found: its accessible name, or (v1: an icon button
    # with none) the button of the page heading
    menu_button: str | None


UI_WORDS = {
    "v1": UiWords(create_button="Create", name_label="Block Name", menu_button=None),
    "v2": UiWords(create_button="Save", name_label="Name", menu_button="Open menu"),
}


class BlocksPages:
    """One browser page of one UI, served at ``base_url``."""

    def __init__(self, page: Page, base_url: str, ui: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.words = UI_WORDS[ui]
        self.loaded = False

    def open(self, path: str) -> None:
        """Go to ``path``: the first time by loading the UI, then as its own links go (the app
        stays loaded, as it does for a user who clicks through it, and each page asks the
        server again for what it shows)."""
        if not self.loaded:
            self.page.goto(f"{self.base_url}{path}")
            self.loaded = True
        else:
            self.page.evaluate(MARK_SHOWN)
            self.page.evaluate(FOLLOW_LINK, path)
        self.page.wait_for_url(f"{self.base_url}{path}**")

    def new(self, found: Locator) -> Locator:
        """What the page shows since the app last went elsewhere."""
        return found.and_(self.page.locator(f"*:not({SHOWN_BEFORE})"))

    def shows(self, text: str, exact: bool = False) -> Locator:
        """The first element showing ``text`` that the current page rendered."""
        return self.new(self.page.get_by_text(text, exact=exact)).first

    def click(self, found: Locator) -> None:
        """Click, as a user does: the app may go elsewhere (what it showed is marked first)."""
        element = found.element_handle()
        self.page.evaluate(MARK_SHOWN)
        element.click()

    def text(self) -> str:
        return self.page.locator("body").inner_text()

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    # ---- the Blocks page ---------------------------------------------------------------------

    def search_blocks(self, words: str) -> None:
        """The Blocks page (unless the UI is on it), its search box filled with ``words``."""
        if not re.fullmatch(r"/blocks/?(\?.*)?", self.path()):
            self.open("/blocks")
        # the Blocks page has one search box (it may keep the one it had: no new() here)
        self.page.get_by_placeholder(SEARCH).first.fill(words)

    def row(self, name: str) -> Locator:
        """The row of the document ``name`` (a list may keep a row it showed: no new() here)."""
        return self.page.get_by_role("row").filter(has_text=name)

    def row_text(self, name: str) -> str:
        """The text of the row of the document called ``name`` (waiting for it)."""
        row = self.row(name).first
        row.wait_for()
        return " ".join(row.inner_text().split())

    def row_leaves(self, name: str) -> bool:
        """Whether the row of ``name`` is gone, or goes within the step's time (a list may show
        what it had before it has asked again)."""
        try:
            self.row(name).first.wait_for(state="detached")
        except Exception:
            return False
        return True

    # ---- the catalog and a block type's page --------------------------------------------------

    def catalog_text(self, wait_for: str) -> str:
        self.open("/blocks/catalog")
        self.shows(wait_for, exact=True).wait_for()
        return self.text()

    def type_page_text(self, slug: str, name: str) -> str:
        self.open(f"/blocks/catalog/{slug}")
        self.shows(name, exact=True).wait_for()
        return self.text()

    def open_create_form(self, slug: str) -> str:
        """From the block type's page, its Create button; the form's text once it shows."""
        create = self.page.get_by_role("link", name="Create").or_(
            self.page.get_by_role("button", name="Create")
        )
        self.click(self.new(create).first)
        self.page.wait_for_url(f"**/blocks/catalog/{slug}/create")
        self.label(self.words.name_label).wait_for()
        # the schema's fields come after the name's, once the schema is in
        self.new(self.page.locator("form").locator("textarea, input")).nth(1).wait_for()
        return self.text()

    # ---- forms -------------------------------------------------------------------------------

    def label(self, title: str) -> Locator:
        """The label of a form field: its title, maybe followed by "(Optional)"."""
        form = self.page.locator("form")
        return self.new(form.get_by_text(re.compile(rf"^\s*{re.escape(title)}\b"))).first

    def field(self, title: str) -> Locator:
        return self.label(title).locator(NEXT_FIELD)

    def field_values(self) -> list[str]:
        fields = self.page.locator("form").locator("textarea, input")
        return [fields.nth(index).input_value() for index in range(fields.count())]

    def fill_create_form(self, name: str, values: dict[str, str]) -> None:
        """Fill the create form: its name, then each field by title."""
        self.field(self.words.name_label).fill(name)
        for title, value in values.items():
            self.field(title).fill(value)

    def submit_create_form(self) -> str:
        """Submit the create form; the id of the block page the UI goes to."""
        self.click(self.page.get_by_role("button", name=self.words.create_button, exact=True))
        self.page.wait_for_url(re.compile(r"/blocks/block/[0-9a-f-]{36}$"))
        return self.path().rsplit("/", 1)[-1]

    # ---- a block's page, its edit form and its menu ------------------------------------------

    def block_page_text(self, document_id: str, name: str) -> str:
        self.open(f"/blocks/block/{document_id}")
        self.shows(name).wait_for()
        return self.text()

    def open_edit_form(self, document_id: str, field: str) -> None:
        self.open(f"/blocks/block/{document_id}/edit")
        self.label(field).wait_for()

    def save_edit(self, document_id: str, values: dict[str, str]) -> None:
        """Fill the edit form's fields (an empty value clears one) and save it."""
        for title, value in values.items():
            self.field(title).fill(value)
        self.click(self.page.get_by_role("button", name="Save", exact=True))
        self.page.wait_for_url(re.compile(rf"/blocks/block/{document_id}$"))

    def menu_button(self) -> Locator:
        if self.words.menu_button is None:
            return self.page.locator(".page-heading__trailing button").first
        return self.page.get_by_role("button", name=self.words.menu_button).first

    def delete(self, document_id: str, name: str) -> None:
        """The block page's menu, Delete, and Delete again in the dialog that asks."""
        self.block_page_text(document_id, name)
        self.menu_button().click()
        self.page.get_by_text("Delete", exact=True).first.click()
        self.click(self.page.get_by_role("button", name="Delete", exact=True).last)
        self.page.wait_for_url(re.compile(r"/blocks/?(\?.*)?$"))
