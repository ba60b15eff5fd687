"""The Dataflow profile for real: the job is built from the real graph, with inputs and output in a
bucket, without submitting it (Beam's --dry_run) and without network.

The gcp extra of Beam is big (about 1.2 GB) and only a launcher for Dataflow needs it, so it is not a
test dependency of the suite: this test installs it into a virtualenv of its own (built on this
environment's packages), and skips when that install cannot be had.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT, Bucket

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gcp_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    venv = tmp_path_factory.mktemp("gcp-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "apache-beam[gcp]==2.77.0"], capture_output=True, text=True, timeout=900,
    )
    if install.returncode != 0:
        pytest.skip(f"apache-beam[gcp] could not be installed: {install.stderr.strip().splitlines()[-1:]}")
    return python


def test_the_dataflow_job_is_built_from_the_real_graph_with_only_bucket_paths(gcp_python: str, gcs_server: Bucket) -> None:
    from pipeline.storage.location import Location

    fs = Location.parse(gcs_server.url).fs
    for number in range(3):
        fs.pipe_file(f"{gcs_server.name}/inbox/story-{number}.txt", f"Title: Story {number}\n\nAna Lima said it works.\n".encode())
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    built = subprocess.run(
        [gcp_python, str(REPO_ROOT / "tests" / "dataflow_job.py"), gcs_server.name, f"gs://{gcs_server.name}/inbox/",
         f"gs://{gcs_server.name}/news"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    job = json.loads(built.stdout.strip().splitlines()[-1])
    assert job["runner"] == "DataflowRunner" and job["state"] == "DONE"
    assert job["transforms"] > 10
    assert len(job["inputs"]) == 3
    locations = [job["temp_location"], job["staging_location"], *job["graph_paths"]]
    assert f"gs://{gcs_server.name}/news" in job["graph_paths"]
    assert all(path.startswith(f"gs://{gcs_server.name}/") for path in locations), locations
