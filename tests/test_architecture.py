"""The shape of the code: no import cycle in ``conformance/``, no module-level state written at
run time, small classes and functions, and an architecture page whose Layout names every
package and module the repository holds."""

import ast
import re
import subprocess
from pathlib import Path

import pytest

from .support import ROOT

PACKAGE = ROOT / "conformance"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str], root: Path = ROOT) -> set[str]:
    """The modules of ``known`` that ``path`` imports: when it runs (imports inside functions
    included) and for type checkers alike (a cycle of type-only imports is a cycle of the
    design all the same)."""
    path = root / path
    tree = ast.parse(path.read_text())
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found |= {name for name in names if name in known}
    return found


def import_graph() -> dict[str, set[str]]:
    paths = [path for path in PACKAGE.rglob("*.py") if "journeys" not in path.parts]
    known = {module_name(path) for path in paths}
    return {
        module_name(path): imported_modules(path, known) - {module_name(path)} for path in paths
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for child in sorted(graph.get(node, ())):
            if state.get(child) == "open":
                found.append([*stack[stack.index(child) :], child])
            elif child not in state:
                visit(child)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_conformance_has_no_import_cycle():
    graph = import_graph()
    assert "conformance.session" in graph and graph["conformance.session"], "graph not read"
    found = [" -> ".join(cycle) for cycle in cycles(graph)]
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_type_only_imports_count(tmp_path):
    module = tmp_path / "conformance" / "m.py"
    module.parent.mkdir()
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .n import X\n")
    found = imported_modules(module.relative_to(tmp_path), {"conformance.n"}, root=tmp_path)
    assert found == {"conformance.n"}


MUTABLE = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
WRITERS = {"append", "update", "add", "pop", "clear", "extend", "setdefault", "remove", "insert"}
# calls whose result holds state that changes as it is used: a module-level one is run state
STATEFUL = {"count", "cycle", "iter", "Counter", "defaultdict", "deque", "OrderedDict", "Lock"}
STATEFUL |= {"RLock", "Event", "Semaphore", "Queue", "Random", "dict", "list", "set"}


def called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def module_state_problems(source: str, where: str) -> list[str]:
    """Where a module keeps state that changes at run time: a ``global`` statement, a
    module-level dict, list or set that a function writes, or a module-level object made by a
    stateful call (``itertools.count()``, a ``Counter``, a lock, a random generator)."""
    tree = ast.parse(source)
    problems = []
    mutable = set()
    for node in tree.body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [target.id for target in targets if isinstance(target, ast.Name)]
        if isinstance(node.value, MUTABLE):
            mutable.update(names)
        elif isinstance(node.value, ast.Call) and called_name(node.value) in STATEFUL:
            problems.append(f"{where}:{node.lineno}: module-level {ast.unparse(node.value)}")
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Global):
                problems.append(f"{where}:{node.lineno}: global {', '.join(node.names)}")
            written = None
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                written = node.value
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                written = node.func.value if node.func.attr in WRITERS else None
            if isinstance(written, ast.Name) and written.id in mutable:
                problems.append(f"{where}:{node.lineno}: writes the module's {written.id}")
    return problems


def test_no_module_state_is_written_at_run_time():
    """Run settings and counts live in the run object (the server's in its app), never in a
    module."""
    problems = []
    for path in [*PACKAGE.rglob("*.py"), *(ROOT / "reference_server").rglob("*.py")]:
        problems += module_state_problems(path.read_text(), str(path.relative_to(ROOT)))
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "source",
    [
        "import itertools\nruns = itertools.count()\n",
        "from collections import Counter\nseen = Counter()\n",
        "CACHE = {}\ndef f(k):\n    CACHE[k] = 1\n",
        "N = 0\ndef f():\n    global N\n    N += 1\n",
    ],
)
def test_the_module_state_check_finds_state(source):
    assert module_state_problems(source, "m.py")


def architecture_layout() -> str:
    text = (ROOT / "docs" / "architecture.md").read_text()
    return text.split("## Layout", 1)[1].split("\n## ", 1)[0]


def tracked_modules() -> list[str]:
    """Every package and module under conformance/ and reference_server/ that git tracks."""
    listed = subprocess.run(
        ["git", "ls-files", "conformance", "reference_server"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    names = set()
    for entry in listed:
        path = Path(entry)
        if path.suffix != ".py":
            continue
        names.add(path.parent.name + "/" if path.name == "__init__.py" else path.name)
    return sorted(names)


def test_the_architecture_page_names_every_package_and_module():
    layout = architecture_layout()
    missing = [name for name in tracked_modules() if not re.search(rf"\b{re.escape(name)}", layout)]
    assert missing == [], f"docs/architecture.md's Layout does not name: {missing}"


LITERALS = (ast.Dict, ast.List, ast.Tuple, ast.Set)
MAX_CLASS_LINES = 200
MAX_FUNCTION_LINES = 80
SIZED = ("conformance", "reference_server", "tests", "benchmarks")


# what a table's entries may be: constants, names, nested literals, and rows made by a call
# whose arguments are themselves data (``query("limit", INTEGER)``)
DATA = (ast.Constant, ast.Name, ast.Attribute, ast.Call, ast.keyword, ast.Starred)
DATA_PARTS = (*DATA, *LITERALS, ast.expr_context, ast.UnaryOp, ast.USub, ast.UAdd)


def is_data(node: ast.AST) -> bool:
    """A literal written as data: constants, names, nested literals and rows made by calls of
    them. A literal that computes its entries (an f-string, an operator, a comprehension, a
    condition) is code, however it is laid out."""
    return all(isinstance(inner, DATA_PARTS) for inner in ast.walk(node))


def literal_lines(node: ast.AST) -> set[int]:
    """The lines of ``node`` inside data literals (dict, list, tuple and set displays of
    constants): tables of options, contracts and cases are data, however long."""
    lines: set[int] = set()
    for inner in ast.walk(node):
        if isinstance(inner, LITERALS) and inner.end_lineno > inner.lineno and is_data(inner):
            lines.update(range(inner.lineno + 1, inner.end_lineno))
    return lines


def oversized(source: str, where: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        limit = MAX_CLASS_LINES if isinstance(node, ast.ClassDef) else MAX_FUNCTION_LINES
        lines = node.end_lineno - node.lineno + 1 - len(literal_lines(node))
        if lines > limit:
            found.append(f"{where}:{node.lineno}: {node.name} has {lines} lines (at most {limit})")
    return found


def test_no_class_over_200_lines_and_no_function_over_80():
    """Small parts a newcomer can read: data literals aside."""
    found = []
    for folder in SIZED:
        for path in (ROOT / folder).rglob("*.py"):
            found += oversized(path.read_text(), str(path.relative_to(ROOT)))
    assert found == [], "\n".join(found)


def test_the_size_check_finds_a_long_function_but_not_a_long_literal():
    long_function = "def f():\n" + "    x = 1\n" * 81
    long_literal = "def g():\n    return [\n" + "        1,\n" * 200 + "    ]\n"
    assert oversized(long_function, "m.py") and not oversized(long_literal, "m.py")


def test_a_table_built_in_code_counts_as_code():
    computed = "def h(x):\n    return (\n" + '        f"{x}",\n' * 100 + "    )\n"
    assert oversized(computed, "m.py")


def test_conftest_holds_fixtures_and_no_test_module_imports_it():
    """Helpers live in tests/support; conftest.py only offers fixtures (and hooks) and imports
    no test module, and no module imports conftest as a library."""
    tests = ROOT / "tests"
    known = {module_name(path) for path in tests.rglob("*.py")}
    conftest = imported_modules(tests / "conftest.py", known)
    assert not {name for name in conftest if name.rpartition(".")[2].startswith("test_")}
    importing = [
        str(path.relative_to(ROOT))
        for path in tests.rglob("*.py")
        if "tests.conftest" in imported_modules(path, known)
    ]
    assert importing == []


def test_the_reference_server_reads_the_suite_only_through_its_data_folder():
    """The suite judges the reference server and never imports it; the server reads the data
    they share (the timeline of Prefect releases) through ``conformance.fixtures_dir`` alone."""
    server = ROOT / "reference_server"
    suite_modules = {module_name(path) for path in PACKAGE.rglob("*.py")}
    server_modules = {module_name(path) for path in server.rglob("*.py")}
    shared = {"conformance", "conformance.fixtures_dir"}
    for path in server.rglob("*.py"):
        found = imported_modules(path, suite_modules | shared)
        assert found <= shared, f"{path.relative_to(ROOT)} imports {sorted(found - shared)}"
    for path in PACKAGE.rglob("*.py"):
        found = imported_modules(path, server_modules)
        assert not found, f"{path.relative_to(ROOT)} imports {sorted(found)}"
