"""Throughput on Dask (scheduler + two single-threaded workers, separate processes) against the
local multi-process runner with two processes, on the same N BBC articles. A benchmark, not a test.

    python benchmarks/dask_vs_local.py [--articles 300] [--workers 2]

Prints articles/s for each runner and the ratio dask/local; the numbers measured on the project's
machines are in docs/runners.md. Each run starts from an empty dataset, so both do all the work
(read, parse, spaCy, write); the time is newsbeam's own (from run() to the report, model loading in
every worker process included), the cluster's start-up is not counted.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROFILES = REPO / "configs" / "runners"
DEFAULT_BBC = REPO.parent / "shared" / "eval" / "bbc-news" / "bbc"


def pick_articles(bbc: Path, count: int, target: Path) -> int:
    """The first ``count`` articles, taken round-robin over the categories, copied to ``target``."""
    categories = [sorted(folder.glob("[0-9][0-9][0-9].txt")) for folder in sorted(bbc.iterdir()) if folder.is_dir()]
    picked = 0
    for index in range(max(map(len, categories))):
        for files in categories:
            if picked == count:
                return picked
            if index < len(files):
                (target / files[index].parent.name).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(files[index], target / files[index].parent.name / files[index].name)
                picked += 1
    return picked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2, help="local processes and Dask workers")
    parser.add_argument("--bbc", type=Path, default=DEFAULT_BBC)
    parser.add_argument("--shards", type=int, default=16, help="nlp.shards for both runs")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))
    from pipeline.config import load_settings
    from pipeline.run import run
    from tests.dask_cluster import local_dask_cluster

    same = [f"nlp.shards={args.shards}", f"runner.workers={args.workers}"]
    with tempfile.TemporaryDirectory(prefix="newsbeam-bench-") as scratch:
        root = Path(scratch)
        inputs = root / "in"
        count = pick_articles(args.bbc, args.articles, inputs)
        print(f"{count} BBC articles, {args.workers} worker processes each")

        local = run(load_settings(PROFILES / "multiprocess.yaml", [f"output={root / 'local'}", *same]), [str(inputs)])

        (root / "dask").mkdir()
        started = time.monotonic()
        with local_dask_cluster(args.workers, home=root / "dask", repo=REPO) as address:
            print(f"dask cluster up in {time.monotonic() - started:.1f} s (not counted)")
            on_dask = run(
                load_settings(PROFILES / "dask.yaml", [f"output={root / 'dask-out'}", f"runner.dask_address={address}", *same]),
                [str(inputs)],
            )

    for name, summary in (("local multiprocess", local), ("dask", on_dask)):
        print(f"{name:20s} {summary.get('articles_read'):5d} articles  {summary.seconds:7.1f} s  "
              f"{summary.articles_per_second:6.2f} articles/s")
    print(f"ratio dask/local: {on_dask.articles_per_second / local.articles_per_second:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
