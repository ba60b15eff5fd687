"""Every third-party module the package imports is declared by the package itself.

`pip install .` (the README's first command) installs only what setup.py's install_requires names,
while the test environment adds the extras: a module that arrives only through an extra's
dependency (fsspec came with dask) imports fine here and fails on a user's plain install. The
imports are read from the source, and the declared requirements from the installed metadata.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pipeline"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_top_level_modules(root: Path) -> dict[str, set[str]]:
    """Top-level names of absolute imports in ``root``'s sources -> the files importing them."""
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(root.parent)))
    return found


def declared_base_requirements(distribution: str) -> set[str]:
    """Normalised names of a distribution's requirements outside any extra."""
    names = set()
    for requirement in metadata.requires(distribution) or []:
        if "extra" in requirement.partition(";")[2]:  # the marker of an extra's requirement
            continue
        names.add(_normalise(re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0]))
    return names


def test_the_import_scan_sees_this_package_imports():
    modules = imported_top_level_modules(PACKAGE)
    assert "pipeline/storage/location.py" in modules["fsspec"]
    assert "apache_beam" in modules and "spacy" in modules


def test_every_third_party_import_is_a_base_requirement():
    try:
        declared = declared_base_requirements("newsbeam")
    except metadata.PackageNotFoundError:
        pytest.fail("newsbeam is not installed: run `pip install -e '.[test,dask]'` first")
    providers = metadata.packages_distributions()
    undeclared = {}
    for module, files in imported_top_level_modules(PACKAGE).items():
        if module in sys.stdlib_module_names or module == PACKAGE.name:
            continue
        distributions = {_normalise(name) for name in providers.get(module, [])}
        if not distributions:
            undeclared[module] = f"not installed (imported by {sorted(files)})"
        elif not distributions & declared:
            undeclared[module] = f"from {sorted(distributions)}, imported by {sorted(files)}"
    assert not undeclared, f"imported but not in setup.py's install_requires: {undeclared}"
