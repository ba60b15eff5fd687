"""A real Dask cluster on 127.0.0.1 for tests and benchmarks: a scheduler and N workers, each a process.

    with local_dask_cluster(2, home=tmp_path, repo=REPO) as address:
        run(load_settings(overrides=["runner.name=dask", f"runner.dask_address={address}"]), [...])
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def local_dask_cluster(workers: int, *, home: Path, repo: Path) -> Iterator[str]:
    """Start the cluster, wait until every worker has joined, yield its address, then stop it.

    Workers import `pipeline` from ``repo`` whatever the installed copy, so they run the same code as
    the caller. On a failure to start, the processes' logs are printed before the error propagates.
    """
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))}
    processes: list[subprocess.Popen] = []
    try:
        processes.append(_spawn(
            ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            home / "scheduler.log", env, home,
        ))
        for index in range(1, workers + 1):
            processes.append(_spawn(
                ["worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                 "--local-directory", str(home / f"w{index}"), "--name", f"w{index}"],
                home / f"worker{index}.log", env, home,
            ))
        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    except Exception:
        for log in sorted(home.glob("*.log")):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        raise
    finally:
        _stop(processes)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _spawn(args: list[str], log: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *args],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd,
            start_new_session=True,  # its own process group: the nanny's worker process dies with it
        )


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):  # workers first, then the scheduler
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for process in reversed(processes):
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)  # whatever is left of the group
        except ProcessLookupError:
            pass
        process.wait(timeout=15)
