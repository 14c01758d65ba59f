"""Every generated file is what ``python -m tests.regenerate`` makes of its source: the clause
catalogues, the variants document, the OpenAPI contracts, the architecture page's Layout and
the options page."""

from .regenerate import COMMAND, ROOT, generated


def test_every_generated_file_is_current():
    stale = [str(made.path.relative_to(ROOT)) for made in generated() if made.stale()]
    assert stale == [], f"stale: {', '.join(stale)}; run {COMMAND}"
