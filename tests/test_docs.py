"""The README is a front page and every link in it and in ``docs/`` resolves: to a file or
folder of the repository and, with ``#anchor``, to a heading of that page."""

import re
from pathlib import Path

import pytest

from .support import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")
MAX_README_LINES = 200


def anchor_of(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    inside_code = False
    found = set()
    for line in page.read_text().splitlines():
        if line.startswith("```"):
            inside_code = not inside_code
        elif not inside_code and line.startswith("#"):
            found.add(anchor_of(line.lstrip("#")))
    return found


def links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)  # code spans quote text, they link nothing
    return [first or second for first, second in LINK.findall(text)]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_link_resolves(page):
    broken = []
    for link in links(page):
        if re.match(r"^[a-z]+:", link):  # http:, https:, mailto:: not this repository's
            continue
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(f"{link}: no {path.relative_to(ROOT) if ROOT in path.parents else path}")
        elif anchor and path.is_file() and anchor not in anchors(path):
            broken.append(f"{link}: {path.name} has no heading #{anchor}")
    assert broken == [], f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_readme_is_a_front_page():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines"


def test_the_link_check_finds_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[here](missing.md) [there](page.md#nowhere) [ok](page.md#title)\n")
    assert links(page) == ["missing.md", "page.md#nowhere", "page.md#title"]
    assert "nowhere" not in anchors(page) and "title" in anchors(page)
