"""Build the pipeline from settings, and run it: the functions behind `newsbeam run`.

``build_pipeline`` returns the pipeline without running it (as Google's Dataflow samples do), so
that tests and users can add to it, or run it on a runner of their own choosing.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Optional

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.config import Settings
from pipeline.nlp.annotate import Annotate
from pipeline.records import Failure
from pipeline.sinks.dataset import prepare_root, remove_partial_files
from pipeline.sinks.write import WriteDataset, report_path
from pipeline.stages import Deduplicate, ReadFiles, SkipStored, ToRows

log = logging.getLogger(__name__)

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@dataclass(frozen=True)
class InputPlan:
    """What the launcher found in the user's input specs, before any worker reads a byte."""

    paths: list[str]
    failures: list[Failure] = field(default_factory=list)


def plan_inputs(specs: list[str]) -> InputPlan:
    from pipeline.sources.files import expand_paths

    paths, failures = expand_paths(specs)
    return InputPlan(paths=paths, failures=failures)


def pipeline_options(settings: Settings) -> PipelineOptions:
    """Beam options for the configured runner. The runner is always named: the default would try
    to download Prism, which cannot work offline (DESIGN.md)."""
    runner = settings.runner
    if runner.name == "local":
        flags = ["--runner=DirectRunner", "--direct_running_mode=in_memory", "--direct_num_workers=1"]
    elif runner.name == "multiprocess":
        flags = [
            "--runner=DirectRunner",
            "--direct_running_mode=multi_processing",
            f"--direct_num_workers={runner.workers}",
        ]
    elif runner.name == "dask":
        if not runner.dask_address:
            raise ValueError("runner dask needs runner.dask_address (or --dask-address tcp://HOST:8786)")
        flags = ["--runner=apache_beam.runners.dask.dask_runner.DaskRunner", f"--dask_client_address={runner.dask_address}"]
    else:
        names = {"dataflow": "DataflowRunner", "flink": "FlinkRunner", "spark": "SparkRunner"}
        flags = [f"--runner={names[runner.name]}"]
    return PipelineOptions([*flags, *runner.options])


def build_pipeline(
    settings: Settings,
    plan: InputPlan,
    *,
    run_id: str,
    started_at: datetime,
    options: Optional[PipelineOptions] = None,
) -> beam.Pipeline:
    """The whole graph: read -> de-duplicate -> skip stored -> annotate -> rows -> write."""
    output = str(Path(settings.output).resolve())
    pipeline = beam.Pipeline(options=options or pipeline_options(settings))
    read = pipeline | "ReadFiles" >> ReadFiles(plan.paths, settings.input, started_at)
    launcher_failures = pipeline | "InputFailures" >> beam.Create(plan.failures)
    (
        (read, launcher_failures)
        | "AllInputs" >> beam.Flatten()
        | "Deduplicate" >> Deduplicate()
        | "SkipStored" >> SkipStored(output, run_id)
        | "Annotate" >> Annotate(settings.nlp)
        | "ToRows" >> ToRows()
        | "WriteDataset" >> WriteDataset(output, run_id)
    )
    return pipeline


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    output: str
    counts: dict[str, int]
    seconds: float

    @property
    def failures_by_reason(self) -> dict[str, int]:
        prefix = "failure:"
        return {name[len(prefix):]: n for name, n in self.counts.items() if name.startswith(prefix) and n}

    def get(self, name: str) -> int:
        return self.counts.get(name, 0)

    @property
    def articles_per_second(self) -> float:
        return self.get("articles_read") / self.seconds if self.seconds > 0 else 0.0


def run(settings: Settings, specs: Optional[list[str]] = None) -> RunSummary:
    """Run one batch job over ``specs`` (or the configured inputs, or the bundled seeds)."""
    started = time.monotonic()
    started_at = datetime.now(timezone.utc)
    specs = list(specs or settings.inputs or [str(SEEDS_DIR)])
    output = prepare_root(settings.output)
    with dataset_lock(output):
        remove_partial_files(output)
        plan = plan_inputs(specs)
        log.info("newsbeam: %d file(s) to read into %s", len(plan.paths), output)
        run_id = f"{started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
        pipeline = build_pipeline(settings, plan, run_id=run_id, started_at=started_at)
        result = pipeline.run()
        result.wait_until_finish()
        counts = json.loads(report_path(str(output), run_id).read_text(encoding="utf-8"))["counts"]
    return RunSummary(run_id=run_id, output=str(output), counts=counts, seconds=time.monotonic() - started)


class DatasetBusy(RuntimeError):
    """Another newsbeam process is writing the same dataset."""


@contextmanager
def dataset_lock(output: Path) -> Iterator[None]:
    """One writer per dataset at a time: two jobs merging into one partition would lose rows."""
    with open(output / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatasetBusy(f"another newsbeam job is writing {output} (lock {output / '.lock'})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
