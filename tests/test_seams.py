"""Variants change the reference server only through the seams it documents: the modules each
profile package lists in ``SEAMS``, and public names of theirs that exist. A refactoring of the
server that renames a seam fails here, naming the variant, rather than leaving the variant
without effect."""

import ast
import importlib
from pathlib import Path

import pytest

from .support import ROOT

VARIANT_FILES = sorted((ROOT / "tests" / "variants").glob("*.py"))


def imports_from_server(tree: ast.AST):
    """(node, module, name, bound name) of every ``from reference_server... import name``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reference_server"):
            for alias in node.names:
                yield node, node.module, alias.name, alias.asname or alias.name


def seam_of(module: str, name: str) -> tuple[str, str] | None:
    """(profile package, seam module) that ``from module import name`` reaches, or None for
    the top-level modules (``reference_server.app``, ``__main__``)."""
    parts = module.split(".")
    if len(parts) == 1:
        return None
    package = parts[1]
    if not (ROOT / "reference_server" / package).is_dir():
        return None
    seam = parts[2] if len(parts) > 2 else name
    return package, seam


def attribute_chains(function: ast.AST, root: str):
    """The attribute chains (``store.Store.block_type``) used on ``root`` in ``function``,
    unless a nested function rebinds the name (a parameter called ``store``)."""
    rebinding = {
        node
        for node in ast.walk(function)
        if isinstance(node, ast.FunctionDef | ast.Lambda)
        and node is not function
        and root in {arg.arg for arg in node.args.args}
    }
    shadowed = {id(inner) for scope in rebinding for inner in ast.walk(scope)}
    for node in ast.walk(function):
        if not isinstance(node, ast.Attribute) or id(node) in shadowed:
            continue
        chain, current = [], node
        while isinstance(current, ast.Attribute):
            chain.append(current.attr)
            current = current.value
        if isinstance(current, ast.Name) and current.id == root:
            yield node, list(reversed(chain))


def enclosing_function(tree: ast.AST, target: ast.AST) -> ast.AST:
    """The innermost function holding ``target`` (the module if none)."""
    best = tree
    for node in ast.walk(tree):
        holds = isinstance(node, ast.FunctionDef) and any(c is target for c in ast.walk(node))
        if holds and (best is tree or any(inner is node for inner in ast.walk(best))):
            best = node
    return best


@pytest.mark.parametrize("path", VARIANT_FILES, ids=lambda path: path.name)
def test_variants_touch_only_documented_seams(path: Path):
    tree = ast.parse(path.read_text())
    problems = []
    for node, module, name, bound in imports_from_server(tree):
        where = f"{path.name}:{node.lineno}"
        if name.startswith("_") and not name.startswith("__"):
            problems.append(f"{where}: imports the private name {module}.{name}")
        seam = seam_of(module, name)
        if seam is not None:
            package, seam_module = seam
            declared = importlib.import_module(f"reference_server.{package}").SEAMS
            if seam_module not in declared:
                problems.append(f"{where}: reference_server.{package}.{seam_module} is no seam")
        imported = getattr(importlib.import_module(module), name, None)
        if imported is None:
            imported = importlib.import_module(f"{module}.{name}")
        function = enclosing_function(tree, node)
        for use, chain in attribute_chains(function, bound):
            found = imported
            for part in chain:
                if part.startswith("_") and not part.startswith("__"):
                    problems.append(f"{path.name}:{use.lineno}: reads the private name {part}")
                    break
                if not hasattr(found, part):
                    problems.append(
                        f"{path.name}:{use.lineno}: {module}.{name}.{'.'.join(chain)} does not "
                        "exist (a seam the server no longer offers)"
                    )
                    break
                found = getattr(found, part)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("path", VARIANT_FILES, ids=lambda path: path.name)
def test_variants_read_no_private_attribute_of_the_server(path: Path):
    """Not even on an object the server handed over (``self._query`` in a replaced method)."""
    tree = ast.parse(path.read_text())
    private = [
        f"{path.name}:{node.lineno}: .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    ]
    assert private == []


STORES = ("prefect", "kragle", "peak_press")


def parts_of(package: str):
    store = importlib.import_module(f"reference_server.{package}.store")
    return store, dict(store.PARTS)


@pytest.mark.parametrize("package", STORES)
@pytest.mark.parametrize("replacement", [None, "UNIQUE (seam_check)"])
def test_every_table_part_changes_the_tables(package, replacement):
    """A part of a store's tables that variants change (``PARTS``) is in the SQL the store
    opens with, and changing it (leaving it out, or another text) changes that SQL: a seam
    that no longer does what it names fails here, not silently in a variant."""
    store, defaults = parts_of(package)
    original = store.schema()
    try:
        for name, text in defaults.items():
            assert text in original, f"{package}.PARTS[{name!r}] is not in its tables"
            store.PARTS[name] = replacement
            changed = store.schema()
            store.PARTS[name] = text
            assert changed != original, f"{package}.PARTS[{name!r}] changes nothing"
            assert (replacement or "") in changed
    finally:
        store.PARTS.update(defaults)


def test_a_part_no_table_has_is_refused():
    store, _ = parts_of("prefect")
    with pytest.raises(KeyError, match="no table part named"):
        store.PARTS["document_name_unique"] = None
