"""Every third-party module the package imports is declared by the package itself.

`pip install .` (the README's first command) installs only what setup.py's install_requires names,
while the test environment adds the extras: a module that arrives only through an extra's
dependency (fsspec came with dask) imports fine here and fails on a user's plain install. The
imports are read from the source, and the declared requirements from the installed metadata. An
import guarded by ``except ImportError`` (which names the extra to install) need only be in an extra.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PACKAGE = Path(__file__).resolve().parents[2] / "pipeline"


def imported_top_level_modules(root: Path) -> dict[str, dict[str, set[str]]]:
    """Top-level names of absolute imports in ``root``'s sources -> {"required" | "optional": files}.

    An import is optional inside a ``try`` that catches ImportError: the code names the extra to
    install when it fails (``--runner dask``)."""
    found: dict[str, dict[str, set[str]]] = {}

    def visit(node: ast.AST, file: str, optional: bool) -> None:
        if isinstance(node, ast.Try) and any(_catches_import_error(handler) for handler in node.handlers):
            for child in node.body:
                visit(child, file, True)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, file, optional)
            return
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            kinds = found.setdefault(name.split(".")[0], {"required": set(), "optional": set()})
            kinds["optional" if optional else "required"].add(file)
        for child in ast.iter_child_nodes(node):
            visit(child, file, optional)

    for path in sorted(root.rglob("*.py")):
        visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), str(path.relative_to(root.parent)), False)
    return found


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(name, ast.Name) and name.id in ("ImportError", "ModuleNotFoundError") for name in caught)


def declared_requirements(distribution: str) -> tuple[set[str], set[str]]:
    """Normalised names of a distribution's requirements: (outside any extra, in some extra)."""
    base, extras = set(), set()
    for line in metadata.requires(distribution) or []:
        requirement = Requirement(line)
        in_an_extra = requirement.marker is not None and "extra" in str(requirement.marker)
        (extras if in_an_extra else base).add(canonicalize_name(requirement.name))
    return base, extras


def test_the_import_scan_sees_this_package_imports():
    modules = imported_top_level_modules(PACKAGE)
    assert "pipeline/storage/location.py" in modules["fsspec"]["required"]
    assert "pipeline/runner_options.py" in modules["distributed"]["optional"]
    assert modules["apache_beam"]["required"] and modules["spacy"]["required"]


def test_every_third_party_import_is_declared_base_or_guarded_and_in_an_extra():
    try:
        base, extras = declared_requirements("newsbeam")
    except metadata.PackageNotFoundError:
        pytest.fail("newsbeam is not installed: run `pip install -e '.[test,dask]'` first")
    providers = metadata.packages_distributions()
    undeclared = {}
    for module, kinds in imported_top_level_modules(PACKAGE).items():
        if module in sys.stdlib_module_names or module == PACKAGE.name:
            continue
        distributions = {canonicalize_name(name) for name in providers.get(module, [])}
        required, optional = sorted(kinds["required"]), sorted(kinds["optional"])
        if not distributions:
            undeclared[module] = f"not installed (imported by {required + optional})"
        elif required and not distributions & base:
            undeclared[module] = f"from {sorted(distributions)}, imported by {required}: not in install_requires"
        elif optional and not distributions & (base | extras):
            undeclared[module] = f"from {sorted(distributions)}, imported by {optional}: in no extra"
    assert not undeclared, f"imports setup.py does not declare: {undeclared}"
