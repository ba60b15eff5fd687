"""Cost of a run as the dataset grows: a run of 5 new articles and an idle watch cycle, against stored size.

For each size N it builds a dataset of N synthetic articles in the contract's schema (bodies of
realistic length, 3 entities and 1 quote each, over 30 date partitions) through the project's own
writer (``pipeline.sinks.dataset.write_rows``, in chunks as a series of runs would, then compacted
as ``newsbeam compact`` would), and then measures, each in a fresh process through the CLI:

  run    ``newsbeam run`` of 5 new short articles dated on the last day (wall time, peak RSS);
  idle   ``newsbeam watch --cycles 1`` over the same 5 files, already ingested (nothing new).

Targets (docs/performance.md): at 1,000,000 articles, run wall time <= 1.3x the empty dataset's and
peak RSS <= the empty dataset's + 200 MB.

    python benchmarks/scale.py --articles 0,100000,1000000 --json

prints one JSON line per size (``articles``, ``run_wall_s``, ``run_peak_rss_mb``,
``idle_cycle_wall_s``, ``build_s``, ``dataset_mb``). Timings depend on the machine; nothing here is a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.records import Annotated, Article, Entity, Mention, Quote, Span, stable_id  # noqa: E402
from pipeline.sinks.dataset import compact, prepare_root, write_rows  # noqa: E402
from pipeline.stages import to_rows  # noqa: E402
from pipeline.storage.location import Location  # noqa: E402

DAYS = 30
FIRST_DAY = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
CHUNK = 50_000  # articles per build step: each step is one commit, like a run
# A vocabulary of pseudo-words, so that bodies compress about as real text does (a handful of
# repeated words would shrink a million bodies to almost nothing and flatter the measurement).
_VOCABULARY = ["".join(random.Random(seed).choices("etaoinshrdlucmfwypvbgkqjxz", k=3 + seed % 8)) for seed in range(20_000)]


def synthetic_article(number: int, rng: random.Random) -> Annotated:
    """An article of ~400 words (about 2,600 characters, a typical news body) with 3 entities and 1 quote."""
    words = rng.choices(_VOCABULARY, k=400)
    speaker = f"Person{number % 5000} Surname{number % 977}"
    quote = "We will deliver the plan on time"
    body = f"{speaker} spoke on Monday. \"{quote},\" {speaker} said. " + " ".join(words) + "."
    url = f"https://news.example.org/{number}"
    article_id = stable_id("url", url)
    article = Article(
        article_id=article_id,
        body=body,
        origin=url,
        ingested_at=FIRST_DAY,
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
        url=url,
        title=f"Story {number}",
        source="Example News",
        published_at=FIRST_DAY + timedelta(days=number % DAYS),
    )
    first = body.index(speaker)
    entities = tuple(
        Entity(stable_id(article_id, label, name), article_id, name, label, (Mention(first, first + len(speaker), name),))
        for name, label in ((speaker, "PERSON"), (f"Council{number % 300}", "ORG"), (f"City{number % 100}", "GPE"))
    )
    start = body.index(quote)
    spans = (Span(start, start + len(quote)),)
    quotes = (
        Quote(stable_id(article_id, spans), article_id, quote, "direct", spans, speaker=speaker,
              speaker_mention=speaker, speaker_entity_id=entities[0].entity_id, cue="say", confidence=1.0),
    )
    return Annotated(article, entities, quotes)


def build_dataset(root: Path, articles: int) -> float:
    """The dataset of ``articles`` synthetic articles below ``root``; returns the seconds it took."""
    started = time.monotonic()
    location = prepare_root(Location.parse(str(root)))
    rng = random.Random(20261202)
    for first in range(0, articles, CHUNK):
        rows: list = []
        for number in range(first, min(first + CHUNK, articles)):
            rows.extend(row for row in to_rows(synthetic_article(number, rng)) if hasattr(row, "table"))
        write_rows(location, rows)
        print(f"  built {min(first + CHUNK, articles):,} of {articles:,} articles", file=sys.stderr, flush=True)
    compact(location, run_id="build-compaction")
    return time.monotonic() - started


def new_inputs(folder: Path) -> list[str]:
    """5 short new articles dated on the last day of the dataset (new URLs for every folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    last_day = (FIRST_DAY + timedelta(days=DAYS - 1)).date().isoformat()
    paths = []
    for number in range(5):
        path = folder / f"new-{number}.txt"
        path.write_text(
            f"Title: New story {number}\nDate: {last_day}\nURL: https://news.example.org/{folder.name}/{number}\n\n"
            f'Mayor Dana Whitfield spoke on Tuesday. "The bridge opens next week," Whitfield said of plan {number}.\n',
            encoding="utf-8",
        )
        paths.append(str(path))
    return paths


def measure(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB summed over the process tree, sampled every 20 ms)."""
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        parent = psutil.Process(child.pid)
        while not done.is_set():
            try:
                processes = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in processes if p.is_running()) / 1e6)
            except psutil.Error:
                pass
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, errors = child.communicate()
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed (exit {child.returncode}):\n{errors[-3000:]}")
    return time.monotonic() - started, peak


def _median(values) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def warm_up(workdir: Path) -> None:
    """One throwaway run first: the first process to import Beam and spaCy pays for a cold disk cache."""
    root = workdir / "warm-up"
    measure([*CLI, "run", *new_inputs(workdir / "warm-up-inputs"), "--output", str(root), "--quiet"])
    shutil.rmtree(root, ignore_errors=True)


def folder_mb(root: Path) -> float:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file()) / 1e6


CLI = [sys.executable, "-m", "pipeline.cli"]


def measure_size(articles: int, workdir: Path, *, repeats: int, reuse: bool = False) -> dict:
    """Build the dataset (or, with ``reuse``, take the one an earlier call built in ``workdir``), then
    the median of ``repeats`` runs (each of 5 articles it has not seen) and idle cycles."""
    root = workdir / f"dataset-{articles}"
    if reuse and (root / "_newsbeam.json").exists():
        build_s = 0.0
    else:
        build_s = build_dataset(root, articles) if articles else (prepare_root(Location.parse(str(root))) and 0.0)
    runs, idles = [], []
    for repeat in range(repeats):
        inputs = new_inputs(workdir / f"new-{articles}-{time.monotonic_ns()}-{repeat}")
        runs.append(measure([*CLI, "run", *inputs, "--output", str(root), "--quiet"]))
        # The watch's first cycle over files it has not recorded reads them (they are stored, so NLP
        # skips them, but a pipeline runs); record them first, then time an idle cycle.
        measure([*CLI, "watch", *inputs, "--output", str(root), "--cycles", "1", "--quiet"])
        idles.append(measure([*CLI, "watch", *inputs, "--output", str(root), "--cycles", "1", "--quiet"]))
    return {
        "articles": articles,
        "run_wall_s": round(_median(wall for wall, _ in runs), 2),
        "run_peak_rss_mb": round(_median(peak for _, peak in runs), 1),
        "idle_cycle_wall_s": round(_median(wall for wall, _ in idles), 2),
        "idle_cycle_peak_rss_mb": round(_median(peak for _, peak in idles), 1),
        "build_s": round(build_s, 1),
        "dataset_mb": round(folder_mb(root), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", default="0,100000,1000000", help="comma-separated dataset sizes")
    parser.add_argument("--json", action="store_true", help="print one JSON line per size")
    parser.add_argument("--workdir", help="where to build the datasets (default: a temporary folder, removed)")
    parser.add_argument("--repeats", type=int, default=3, help="runs and idle cycles per size; the median is reported")
    parser.add_argument("--reuse", action="store_true", help="measure the datasets an earlier call left in --workdir")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.articles.split(",")]
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="newsbeam-scale-"))
    try:
        results = []
        warm_up(workdir)
        for size in sizes:
            result = measure_size(size, workdir, repeats=args.repeats, reuse=args.reuse)
            results.append(result)
            print(json.dumps(result) if args.json else _line(result), flush=True)
        if len(results) > 1 and not args.json:
            base, top = results[0], results[-1]
            print(f"run wall x{top['run_wall_s'] / base['run_wall_s']:.2f}, "
                  f"peak RSS +{top['run_peak_rss_mb'] - base['run_peak_rss_mb']:.0f} MB at {top['articles']:,} articles")
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _line(result: dict) -> str:
    return (f"{result['articles']:>9,} articles: run {result['run_wall_s']:.2f} s, {result['run_peak_rss_mb']:.0f} MB; "
            f"idle cycle {result['idle_cycle_wall_s']:.2f} s; built in {result['build_s']:.0f} s, {result['dataset_mb']:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
