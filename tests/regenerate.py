"""Every generated file of the project, rewritten by one command::

    python -m tests.regenerate

The clause catalogues (``docs/clauses/``), the variants document (``docs/variants.md``), the
OpenAPI contracts (``fixtures/openapi/``), the Layout of the packages (in
``docs/architecture.md``) and the options page (``docs/options.md``) are each made from their
source here; ``tests/test_regenerate.py`` fails naming every file that differs from what this
module makes, and this command.
"""

import importlib
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conformance import file_name, profiles
from conformance.contracts import render as render_contract

ROOT = Path(__file__).resolve().parent.parent
COMMAND = "python -m tests.regenerate"


@dataclass(frozen=True)
class Generated:
    path: Path
    make: Callable[[], str]  # the file's whole text as it must be

    def stale(self) -> bool:
        return not self.path.exists() or self.path.read_text() != self.make()

    def write(self) -> bool:
        """Write the file if it differs; whether it did."""
        text = self.make()
        if self.path.exists() and self.path.read_text() == text:
            return False
        self.path.write_text(text)
        return True


def clause_doc(name: str) -> str:
    """A profile's catalogue with the tests of each clause (the suite collects them)."""
    with tempfile.TemporaryDirectory() as folder:
        written = Path(folder) / "clauses.md"
        command = [sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider"]
        command += [f"--blocks-profile={name}", f"--blocks-clauses-doc={written}"]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
        if not written.exists():
            raise RuntimeError(f"no catalogue of {name}:\n{done.stdout[-2000:]}{done.stderr}")
        return written.read_text()


def contract(name: str) -> tuple[Path, Callable[[], str]]:
    """A profile's OpenAPI contract, if its package builds one (``contract.py``)."""
    package = profiles.installed()[name].split(":")[0].rpartition(".")[0]
    try:
        module = importlib.import_module(f"{package}.contract")
    except ModuleNotFoundError:
        return None
    return module.CONTRACT_PATH, lambda: render_contract(module.build())


def generated() -> list[Generated]:
    from .support.docs_pages import architecture, options_page
    from .variants.document import render as variants_doc

    made = [
        Generated(
            ROOT / "docs" / "clauses" / f"{file_name(name)}.md", lambda name=name: clause_doc(name)
        )
        for name in profiles.names()
    ]
    for name in profiles.names():
        found = contract(name)
        if found is not None:
            made.append(Generated(*found))
    made += [
        Generated(ROOT / "docs" / "variants.md", variants_doc),
        Generated(ROOT / "docs" / "architecture.md", architecture),
        Generated(ROOT / "docs" / "options.md", options_page),
    ]
    return made


def main() -> None:
    for made in generated():
        if made.write():
            print(f"rewrote {made.path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
