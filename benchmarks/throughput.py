"""Throughput, memory and incremental cost of `newsbeam run`, measured against the spaCy limit.

In one session on one machine it measures:

  (a) raw spaCy: the article bodies through ``nlp.pipe`` with the pipeline's model, the components
      the pipeline runs and ``n_process`` = the number of workers (the model loaded beforehand, so
      this is the limit the pipeline can approach, not reach);
  (b) ``newsbeam run --workers N`` end to end (a subprocess, through the CLI) over the same files
      into a fresh dataset, and the ratio b/a;
  (c) the same run again over the same dataset (nothing new) as a fraction of (b);
  peak RSS of each process tree (sampled from /proc through psutil, summed over the tree) at N/4
  and N articles; where the time of (b) goes (each stage timed in-process on a sample with the
  plain functions the transforms wrap);
  (d) start-up: `newsbeam run` on one short article against a bare Python that imports Beam and
      loads the model;
  (e) components: spaCy with every component of the model, with the model's defaults, and with
      only ``pipeline.nlp.extract.required_components()``, and the cost of each component.

Run from the repository root:

    python benchmarks/throughput.py                     # all 2,225 BBC articles, 2 workers
    python benchmarks/throughput.py --articles 300 --json /tmp/bench.json

Timings depend on the machine and on what else runs on it; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "eval" / "bbc-news" / "bbc"
SHORT_SEED = REPO / "seeds" / "articles" / "library-reopening.md"

if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))


# ---------------------------------------------------------------- inputs


def select_files(data: Path, limit: Optional[int]) -> list[str]:
    """The corpus's article files, categories interleaved so that any prefix is a balanced sample."""
    if not data.is_dir():
        raise SystemExit(f"no corpus at {data} (give --data)")
    folders = sorted(path for path in data.iterdir() if path.is_dir())
    per_folder = [sorted(str(path) for path in folder.glob("*.txt")) for folder in folders] or [
        sorted(str(path) for path in data.glob("*.txt"))
    ]
    interleaved: list[str] = []
    for rank in range(max(len(files) for files in per_folder)):
        interleaved.extend(files[rank] for files in per_folder if rank < len(files))
    return interleaved if limit is None else interleaved[:limit]


def parse_articles(paths: list[str]) -> list[Any]:
    """Articles exactly as the pipeline reads them (the NLP runs on ``article.body``)."""
    from pipeline.config import load_settings
    from pipeline.records import Article
    from pipeline.stages import read_and_parse

    settings = load_settings()
    now = datetime.now(timezone.utc)
    return [item for path in paths for item in read_and_parse(path, settings.input, now) if isinstance(item, Article)]


# ---------------------------------------------------------------- memory


def _tree_rss(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, in bytes (shared pages counted per process)."""
    try:
        import psutil
    except ImportError:  # /proc directly: VmRSS of every process whose ancestry reaches root
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                text = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            parents[int(entry)] = int(fields.get("PPid", "0").strip() or 0)
            rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
        total = 0
        for pid in rss:
            cursor = pid
            while cursor and cursor != root:
                cursor = parents.get(cursor, 0)
            total += rss[pid] if cursor == root else 0
        return total
    try:
        process = psutil.Process(root)
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


class PeakRss(threading.Thread):
    """Samples the RSS of a process tree every ``interval`` seconds and keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


# ---------------------------------------------------------------- (a) raw spaCy


@dataclass
class Measure:
    label: str
    articles: int
    tokens: int
    seconds: float
    peak_rss: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


def pipeline_components() -> tuple[str, list[str]]:
    """The model and the components the pipeline runs, as its own settings decide."""
    from pipeline.config import load_settings
    from pipeline.nlp.model import load_model

    settings = load_settings().nlp
    model = settings.pipelines["en"]  # the corpus is English
    nlp = load_model(model, **_model_kwargs(settings))
    return model, list(nlp.pipe_names)


def _model_kwargs(settings: Any) -> dict:
    """What the Annotate stage passes to load_model (kept in one place: pipeline.nlp.annotate)."""
    try:
        from pipeline.nlp.annotate import model_kwargs
    except ImportError:  # older checkouts: the stage passed only the disable list
        return {"disable": settings.disable}
    return model_kwargs(settings)


def raw_spacy(texts: list[str], *, model: str, components: list[str], processes: int, batch_size: int) -> Measure:
    """Measured in a child process so that its memory is its own; the model loads before the clock starts."""
    script = r"""
import json, sys, time, spacy
spec = json.load(sys.stdin)
t0 = time.perf_counter()
nlp = spacy.load(spec["model"])
nlp.select_pipes(enable=spec["components"])
load = time.perf_counter() - t0
t0 = time.perf_counter()
tokens = 0
articles = 0
for doc in nlp.pipe(spec["texts"], batch_size=spec["batch_size"], n_process=spec["processes"]):
    tokens += len(doc)
    articles += 1
print(json.dumps({"seconds": time.perf_counter() - t0, "tokens": tokens, "articles": articles, "load": load,
                  "pipes": nlp.pipe_names}))
"""
    spec = {"model": model, "components": components, "texts": texts, "batch_size": batch_size, "processes": processes}
    with tempfile.TemporaryFile("w+") as stdin:
        json.dump(spec, stdin)
        stdin.seek(0)
        child = subprocess.Popen([sys.executable, "-c", script], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        sampler = PeakRss(child.pid)
        sampler.start()
        out, _ = child.communicate()
        peak = sampler.stop()
    if child.returncode != 0:
        raise SystemExit(f"raw spaCy run failed (exit {child.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    return Measure(f"raw spaCy nlp.pipe, n_process={processes}", result["articles"], result["tokens"], result["seconds"], peak,
                   {"model_load_s": result["load"], "pipes": result["pipes"]})


# ---------------------------------------------------------------- (b), (c) newsbeam run


def newsbeam_command() -> list[str]:
    found = shutil.which("newsbeam")
    return [found] if found else [sys.executable, "-m", "pipeline.cli"]


def newsbeam_run(paths: list[str], output: Path, *, workers: Optional[int], label: str) -> Measure:
    command = [*newsbeam_command(), "run", *paths, "--output", str(output), "--quiet"]
    if workers is not None:
        command += ["--workers", str(workers)]
    with tempfile.TemporaryFile("w+") as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=tempfile.gettempdir())
        sampler = PeakRss(child.pid)
        sampler.start()
        out, _ = child.communicate()
        seconds = time.perf_counter() - started
        peak = sampler.stop()
        stderr.seek(0)
        errors = stderr.read()
    if child.returncode != 0:
        raise SystemExit(f"newsbeam run failed (exit {child.returncode}):\n{errors[-3000:]}")
    summary = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] in ("articles", "entities", "quotes", "skipped"):
            summary[" ".join(parts[:2]) if parts[0] == "articles" else parts[0]] = line.strip()
    return Measure(label, len(paths), 0, seconds, peak, {"summary": summary, "stderr_lines": len(errors.splitlines())})


def commit_steps(output: Path) -> dict[str, float]:
    """Seconds of the commit steps that decide across articles (identities, stories), summed over the
    run reports of the parts of the run that wrote ``output``."""
    totals: dict[str, float] = {}
    for report in sorted((output / "_runs").glob("*.json")):
        for step, seconds in json.loads(report.read_text()).get("seconds_by_step", {}).items():
            totals[step] = totals.get(step, 0.0) + float(seconds)
    return totals


# ---------------------------------------------------------------- where the time goes


# The breakdown's one stage that costs per run rather than per article: left out of the scaling to the corpus.
PER_RUN_STAGE = "Parquet write and commit (per run)"


def stage_breakdown(paths: list[str], *, model: str, load_kwargs: dict, batch_size: int) -> dict[str, float]:
    """Seconds per stage over ``paths`` in this process, each stage with the functions its transform wraps."""
    from pipeline.config import load_settings
    from pipeline.nlp.extract import annotate_doc
    from pipeline.nlp.model import load_model
    from pipeline.records import Article, TableRow
    from pipeline.sinks.dataset import prepare_root, write_rows
    from pipeline.stages import read_and_parse, to_rows
    from pipeline.storage.location import Location

    settings = load_settings()
    now = datetime.now(timezone.utc)
    nlp = load_model(model, **load_kwargs)
    list(nlp.pipe(["Warm-up text, said the benchmark."]))  # first call builds caches; not the corpus's cost

    timings: dict[str, float] = {}
    started = time.perf_counter()
    articles = [item for path in paths for item in read_and_parse(path, settings.input, now) if isinstance(item, Article)]
    timings["read and parse"] = time.perf_counter() - started

    started = time.perf_counter()
    docs = list(nlp.pipe((article.body for article in articles), batch_size=batch_size))
    timings["spaCy (nlp.pipe)"] = time.perf_counter() - started

    started = time.perf_counter()
    annotated = [annotate_doc(article, doc) for article, doc in zip(articles, docs)]
    timings["quotes and entities"] = time.perf_counter() - started

    started = time.perf_counter()
    rows = [row for item in annotated for row in to_rows(item) if isinstance(row, TableRow)]
    timings["rows (to_rows: identity deltas, signatures)"] = time.perf_counter() - started

    # Staging and a whole commit: mostly a fixed cost per run (index shards, identities, stories),
    # not per article, so its ms/article here says little about a large run.
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsbeam-bench-write-") as root:
        write_rows(prepare_root(Location.parse(root)), rows)
    timings[PER_RUN_STAGE] = time.perf_counter() - started
    return timings


# ---------------------------------------------------------------- (d) start-up


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bare_startup(model: str) -> tuple[float, float]:
    """(wall, CPU) seconds of a bare Python that imports Beam and loads the model."""
    code = f"import apache_beam, spacy; spacy.load({model!r})"
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, _children_cpu() - cpu


def cli_startup(workers: Optional[int]) -> tuple[float, float]:
    """(wall, CPU of the whole process tree) seconds of `newsbeam run` on one short article."""
    with tempfile.TemporaryDirectory(prefix="newsbeam-bench-start-") as root:
        cpu = _children_cpu()
        wall = newsbeam_run([str(SHORT_SEED)], Path(root) / "out", workers=workers, label="start-up").seconds
        return wall, _children_cpu() - cpu


# ---------------------------------------------------------------- (e) components


def component_costs(texts: list[str], model: str, batch_size: int, *, rounds: int = 2) -> dict[str, Any]:
    """spaCy time over ``texts`` with every component, the model's defaults, and only the required ones."""
    import spacy

    from pipeline.nlp.extract import required_components

    everything = spacy.load(model)
    all_names = list(everything.component_names)
    defaults = list(everything.pipe_names)
    required = [name for name in all_names if name in set(required_components())]

    def timed(enabled: list[str]) -> float:
        with everything.select_pipes(enable=enabled):
            started = time.perf_counter()
            for _ in everything.pipe(texts, batch_size=batch_size):
                pass
            return time.perf_counter() - started

    configurations = {"all": all_names, "model defaults": defaults, "required": required}
    with everything.select_pipes(enable=all_names):
        list(everything.pipe(texts[:4], batch_size=batch_size))  # warm-up
    best: dict[str, float] = {}
    for _ in range(rounds):  # interleaved rounds, best of each: the machine is shared, noise is large
        for name, enabled in configurations.items():
            best[name] = min(best.get(name, float("inf")), timed(enabled))
    results: dict[str, Any] = {name: {"components": enabled, "seconds": best[name]} for name, enabled in configurations.items()}
    per_component: dict[str, float] = {}
    with everything.select_pipes(enable=all_names):
        docs = [everything.make_doc(text) for text in texts]
        for name in all_names:
            component = everything.get_pipe(name)
            started = time.perf_counter()
            docs = list(component.pipe(docs, batch_size=batch_size)) if hasattr(component, "pipe") else [component(d) for d in docs]
            per_component[name] = time.perf_counter() - started
    results["per component"] = per_component
    return results


# ---------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = int(Path("/proc/meminfo").read_text().split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        memory = 0
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    versions = {}
    for name in ("apache_beam", "spacy"):
        try:
            versions[name] = __import__(name).__version__
        except Exception:  # noqa: BLE001 - a report, not a requirement
            versions[name] = "?"
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(memory / 2**30, 1), "python": platform.python_version(),
            "load_avg_1min_at_start": round(load, 2), **versions, "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def mb(value: int) -> str:
    return f"{value / 2**20:,.0f} MB"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=None, help="how many articles (default: all 2,225)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for newsbeam and for spaCy (default 2)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"the BBC corpus folder (default {DEFAULT_DATA})")
    parser.add_argument("--sample", type=int, default=150, help="articles for the in-process breakdowns (default 150)")
    parser.add_argument("--component-sample", type=int, default=60, help="articles for the components comparison (default 60)")
    parser.add_argument("--skip-small", action="store_true", help="skip the N/4 run (memory growth)")
    parser.add_argument("--rounds", type=int, default=1, help="run (a) and (b) in turn this many times; report the median ratio (default 1)")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    args = parser.parse_args(argv)

    from pipeline.config import load_settings

    nlp_settings = load_settings().nlp
    paths = select_files(args.data, args.articles)
    quarter = paths[: max(1, len(paths) // 4)]
    articles = parse_articles(paths)
    texts = [article.body for article in articles]
    model, components = pipeline_components()
    info = machine()
    print(f"newsbeam throughput benchmark, {info['date']}")
    print(f"machine: {info['nproc']} CPU(s), {info['cpu']}, {info['ram_gb']} GB RAM, load {info['load_avg_1min_at_start']}; "
          f"Python {info['python']}, Beam {info['apache_beam']}, spaCy {info['spacy']}")
    print(f"corpus: {len(paths)} files of {args.data} -> {len(articles)} articles; model {model}, components {components}; "
          f"{args.workers} worker(s)\n", flush=True)

    results: dict[str, Any] = {"machine": info, "articles": len(paths), "workers": args.workers, "model": model, "components": components}

    # (a) then (b), (c) back to back, so the load on the machine is as alike as it can be. With
    # --rounds N the (a), (b) pair runs N times in turn and the pair of the median ratio is reported
    # (of an even count, the lower of the middle two), because raw spaCy alone varied from 83 to 96 s
    # within one hour on the same idle machine here.
    pairs: list[tuple[Measure, Measure, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(prefix="newsbeam-bench-") as root:
        for round_index in range(args.rounds):
            raw = raw_spacy(texts, model=model, components=components, processes=args.workers, batch_size=nlp_settings.batch_size)
            print(f"(a) raw spaCy: {raw.seconds:.1f} s, {raw.articles_per_s:.2f} articles/s, {raw.tokens_per_s:,.0f} tokens/s", flush=True)
            output = Path(root) / f"dataset-{round_index}"
            first = newsbeam_run(paths, output, workers=args.workers, label=f"newsbeam run --workers {args.workers}")
            first.tokens = raw.tokens  # the same texts
            print(f"(b) newsbeam run: {first.seconds:.1f} s, {first.articles_per_s:.2f} articles/s, "
                  f"ratio {first.articles_per_s / raw.articles_per_s:.3f}, peak {mb(first.peak_rss)}", flush=True)
            steps = commit_steps(output)
            print("    of which, in the commits: " + ", ".join(
                f"{step} {seconds:.1f} s ({seconds / first.seconds:.1%})" for step, seconds in steps.items() if step in ("identities", "stories")
            ), flush=True)
            pairs.append((raw, first, steps))
        ratios = [run.articles_per_s / base.articles_per_s for base, run, _ in pairs]
        median_index = sorted(range(len(pairs)), key=lambda index: ratios[index])[(len(pairs) - 1) // 2]  # even count: the lower middle
        raw, first, steps = pairs[median_index]
        results["rounds"] = [
            {"raw_s": base.seconds, "newsbeam_s": run.seconds, "ratio": ratio, "peak_rss_mb": run.peak_rss / 2**20}
            for (base, run, _), ratio in zip(pairs, ratios)
        ]
        results["commit_steps"] = steps
        if len(pairs) > 1:
            print(f"    ratios of the {len(pairs)} rounds: {', '.join(f'{ratio:.3f}' for ratio in ratios)}; reported: the median, round {median_index + 1}", flush=True)
        second = newsbeam_run(paths, Path(root) / f"dataset-{median_index}", workers=args.workers, label="second run (nothing new)")
        second.tokens = 0
        print(f"(c) second run: {second.seconds:.1f} s", flush=True)
    small: Optional[Measure] = None
    if not args.skip_small and len(quarter) < len(paths):
        with tempfile.TemporaryDirectory(prefix="newsbeam-bench-") as root:
            small = newsbeam_run(quarter, Path(root) / "dataset", workers=args.workers, label=f"newsbeam run, N/4 = {len(quarter)}")
        print(f"    N/4 run: {small.seconds:.1f} s, peak {mb(small.peak_rss)}", flush=True)

    # (d) start-up: best of two, wall and CPU (on a shared machine the CPU time is the steadier figure)
    bare = min((bare_startup(model) for _ in range(2)), key=lambda pair: pair[0])
    start_default = min((cli_startup(None) for _ in range(2)), key=lambda pair: pair[0])
    start_workers = cli_startup(args.workers)
    print(f"(d) start-up: bare {bare[0]:.1f} s (CPU {bare[1]:.1f} s), newsbeam run {start_default[0]:.1f} s (CPU {start_default[1]:.1f} s), "
          f"with --workers {args.workers} {start_workers[0]:.1f} s (CPU {start_workers[1]:.1f} s)", flush=True)

    # where the time goes, and (e) components, on a sample in this process
    sample_paths = paths[: args.sample]
    breakdown = stage_breakdown(sample_paths, model=model, load_kwargs=_model_kwargs(nlp_settings), batch_size=nlp_settings.batch_size)
    costs = component_costs([article.body for article in parse_articles(sample_paths[: args.component_sample])], model, nlp_settings.batch_size)

    ratio = first.articles_per_s / raw.articles_per_s if raw.articles_per_s else 0.0
    fraction = second.seconds / first.seconds if first.seconds else 0.0
    stage_total = sum(breakdown.values())
    # Per-article work of the stages scaled to the corpus and spread over the workers; the rest of (b)
    # is what Beam, process start-up, model loading, the commits and the imbalance between workers cost.
    scale = len(paths) / max(len(sample_paths), 1) / args.workers
    per_article = stage_total - breakdown[PER_RUN_STAGE]
    other = max(first.seconds - per_article * scale, 0.0)

    rows = [
        ("", "seconds", "articles/s", "tokens/s", "peak RSS (tree)"),
        ("(a) " + raw.label, f"{raw.seconds:.1f}", f"{raw.articles_per_s:.2f}", f"{raw.tokens_per_s:,.0f}", mb(raw.peak_rss)),
        ("(b) " + first.label, f"{first.seconds:.1f}", f"{first.articles_per_s:.2f}", f"{first.tokens_per_s:,.0f}", mb(first.peak_rss)),
        ("(c) " + second.label, f"{second.seconds:.1f}", "", "", mb(second.peak_rss)),
    ]
    if small is not None:
        rows.append(("    " + small.label, f"{small.seconds:.1f}", f"{small.articles_per_s:.2f}", "", mb(small.peak_rss)))
    width = max(len(row[0]) for row in rows)
    print("\n" + "\n".join(f"{row[0]:<{width}}  {row[1]:>8}  {row[2]:>10}  {row[3]:>9}  {row[4]:>15}" for row in rows))
    print(f"\nratio b/a (articles/s)                 {ratio:.3f}   target >= 0.90")
    print(f"second run / first run                 {fraction:.3f}   target <= 0.10")
    print(f"peak RSS of (b)                        {mb(first.peak_rss)}   target <= 2048 MB"
          + (f"; at N/4 {mb(small.peak_rss)} (growth x{first.peak_rss / max(small.peak_rss, 1):.2f} for x4 articles)" if small else ""))
    print(f"start-up: newsbeam run / bare          {start_default[0] / bare[0]:.2f}   target <= 2.0"
          f"   (wall {start_default[0]:.1f} s vs {bare[0]:.1f} s; CPU {start_default[1]:.1f} s vs {bare[1]:.1f} s, x{start_default[1] / bare[1]:.2f};"
          f" --workers {args.workers}: wall x{start_workers[0] / bare[0]:.2f}, CPU x{start_workers[1] / bare[1]:.2f})")
    print(f"\nwhere the time goes: {len(sample_paths)} articles, one process (share of the stage total)")
    for name, seconds in breakdown.items():
        print(f"  {name:<44} {seconds:8.2f} s  {1000 * seconds / max(len(sample_paths), 1):8.1f} ms/article  {100 * seconds / stage_total:5.1f} %")
    print(f"  (b) beyond the stages' work (Beam, start-up, model loads, commits, imbalance): ~{other:.1f} s of {first.seconds:.1f} s")
    base = costs["all"]["seconds"]
    print(f"\nspaCy components over {min(len(sample_paths), args.component_sample)} articles, one process, best of 2 interleaved rounds")
    for name in ("all", "model defaults", "required"):
        entry = costs[name]
        print(f"  {name:<15} {entry['seconds']:7.2f} s  ({100 * (1 - entry['seconds'] / base):+5.1f} % saved vs all)  {','.join(entry['components'])}")
    print("  per component: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in costs["per component"].items()))

    results.update({
        "raw": {**asdict(raw), "articles_per_s": raw.articles_per_s, "tokens_per_s": raw.tokens_per_s},
        "first": {**asdict(first), "articles_per_s": first.articles_per_s, "tokens_per_s": first.tokens_per_s},
        "second": asdict(second),
        "quarter": asdict(small) if small else None,
        "ratio": ratio, "second_fraction": fraction,
        "startup": {"bare_wall_cpu_s": bare, "newsbeam_wall_cpu_s": start_default, "newsbeam_workers_wall_cpu_s": start_workers,
                    "ratio_wall": start_default[0] / bare[0], "ratio_cpu": start_default[1] / bare[1]},
        "breakdown": {"sample": len(sample_paths), "seconds": breakdown, "other_s": other},
        "components": costs,
    })
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
