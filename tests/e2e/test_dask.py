"""The pipeline on a real Dask cluster writes the same dataset as the local runner.

The slow test starts `dask scheduler` and two `dask worker` processes on 127.0.0.1 (free ports, own
process groups), runs ~300 BBC articles plus bad inputs through ``pipeline.run.run`` on them and on
the local runner, and compares the four tables row by row (ingestion timestamps aside), and the
run reports. The fast tests check the graph's shape against what the DaskRunner gets wrong
(docs/architecture.md): no side inputs (the DaskRunner recomputes their producer inside each consuming task),
and everything upstream of the one last transform (the only graph it computes).

BBC articles are read from ``../shared/eval/bbc-news`` beside the repo and copied into tmp_path.
The local run imports the NLP code in this process, the workers import it again minutes later: run
these tests on a tree nobody is editing meanwhile, or a half-edited extractor shows up as a diff.
"""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

from pipeline.config import load_settings
from pipeline.run import build_pipeline, run
from pipeline.sources.plan import plan_inputs

REPO = Path(__file__).resolve().parents[2]
PROFILES = REPO / "configs" / "runners"
BBC = REPO.parent / "shared" / "eval" / "bbc-news" / "bbc"
PER_CATEGORY = 60  # x 5 categories = 300 articles
TABLES = ("articles", "entities", "quotes", "failures")
# Not comparable between two runs: when each run ingested, when each failure happened (and so
# the failures' date partition, which is the day it happened).
RUN_DEPENDENT = {"ingested_at", "occurred_at"}
BAD_REASONS = {"empty_file", "truncated_gzip", "malformed_json", "binary_file"}
# Both runs use the same NLP settings; the dask profile raises the shard count for balance.
SAME_NLP = ["nlp.shards=16"]


# ---------------------------------------------------------------- graph shape (fast)


def _dask_graph(tmp_path: Path):
    pytest.importorskip("dask.bag")
    from apache_beam.runners.dask.dask_runner import DaskRunner
    from apache_beam.runners.dask.overrides import dask_overrides

    settings = load_settings(PROFILES / "dask.yaml", [f"output={tmp_path / 'out'}"])
    pipeline = build_pipeline(
        settings, plan_inputs([str(REPO / "seeds")]), run_id="shape", started_at=datetime.now(timezone.utc)
    )
    return pipeline, DaskRunner, dask_overrides


def test_graph_has_no_side_inputs(tmp_path: Path) -> None:
    from apache_beam.pipeline import PipelineVisitor

    pipeline, _, _ = _dask_graph(tmp_path)
    with_side_inputs: list[str] = []

    class Visitor(PipelineVisitor):
        def visit_transform(self, node) -> None:
            if node.side_inputs:
                with_side_inputs.append(node.full_label)

    pipeline.visit(Visitor())
    assert with_side_inputs == []


def test_dask_computes_every_step_as_part_of_the_last_one(tmp_path: Path) -> None:
    """The DaskRunner computes only the bag of the last transform visited; a step whose bag is not
    a layer of that graph would silently never run (or run elsewhere, as a side input does)."""
    pipeline, runner, overrides = _dask_graph(tmp_path)
    pipeline.replace_all(overrides())
    visitor = runner.to_dask_bag_visitor()
    pipeline.visit(visitor)
    bags = list(visitor.bags.items())
    last_node, last_bag = bags[-1]
    assert last_node.full_label == "WriteDataset/WriteReport"
    layers = set(last_bag.dask.layers)
    missing = [node.full_label for node, bag in bags if bag is not None and bag.name not in layers]
    assert missing == []


# ---------------------------------------------------------------- the cluster


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler and two single-threaded workers, each a separate process; yields the address."""
    pytest.importorskip("distributed")
    from tests.dask_cluster import local_dask_cluster

    with local_dask_cluster(2, home=tmp_path_factory.mktemp("dask"), repo=REPO) as address:
        yield address


# ---------------------------------------------------------------- input and comparison


def make_input(root: Path) -> Path:
    """~300 BBC articles (the first PER_CATEGORY of each category), one exact copy, bad inputs."""
    folder = root / "in"
    for category in sorted(path for path in BBC.iterdir() if path.is_dir()):
        (folder / category.name).mkdir(parents=True)
        for article in sorted(category.glob("[0-9][0-9][0-9].txt"))[:PER_CATEGORY]:
            shutil.copyfile(article, folder / category.name / article.name)
    shutil.copyfile(folder / "business" / "001.txt", folder / "business" / "copy-of-001.txt")
    make_bad_inputs(folder / "bad")
    return folder


def make_bad_inputs(bad: Path) -> None:
    """One input per class of bad file: each must become a failures row, on every runner."""
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "truncated.txt.gz").write_bytes(gzip.compress(("Title\n\n" + "Words of a body. " * 200).encode())[:60])
    (bad / "lines.jsonl").write_text('{"title": "Fine", "text": "A fine line with a body."}\n{"title": "broken",\n')
    (bad / "blob.bin").write_bytes(bytes(range(256)) * 16)


def table_rows(output: Path, table: str) -> list[str]:
    import pyarrow.dataset as ds

    data = ds.dataset(output / table, format="parquet", partitioning="hive").to_table()
    columns = [
        name for name in data.column_names
        if name not in RUN_DEPENDENT and not (table == "failures" and name == "date")
    ]
    return sorted(json.dumps(row, sort_keys=True, default=str) for row in data.select(columns).to_pylist())


def report_counts(summary) -> dict[str, int]:
    return {name: n for name, n in summary.counts.items() if n}


@pytest.mark.slow
def test_multiprocess_writes_the_same_dataset_as_the_local_runner(tmp_path: Path) -> None:
    """The other runner tested here, on the seeds and the bad inputs (small: the graph is the same)."""
    folder = tmp_path / "in"
    shutil.copytree(REPO / "seeds", folder)
    make_bad_inputs(folder / "bad")
    local_out, multi_out = tmp_path / "local", tmp_path / "multi"
    local = run(load_settings(PROFILES / "local.yaml", [f"output={local_out}"]), [str(folder)])
    multi = run(load_settings(PROFILES / "multiprocess.yaml", [f"output={multi_out}"]), [str(folder)])
    assert local.get("articles_read") > 0 and set(local.failures_by_reason) >= BAD_REASONS
    for table in TABLES:
        assert table_rows(multi_out, table) == table_rows(local_out, table), table
    assert report_counts(multi) == report_counts(local)


@pytest.mark.slow
@pytest.mark.skipif(not BBC.is_dir(), reason=f"{BBC} is absent (../shared beside the repo)")
def test_dask_writes_the_same_dataset_as_the_local_runner(dask_cluster: str, tmp_path: Path) -> None:
    inputs = [str(make_input(tmp_path))]
    local_out, dask_out = tmp_path / "local", tmp_path / "dask"

    local = run(load_settings(PROFILES / "local.yaml", [f"output={local_out}", *SAME_NLP]), inputs)
    on_dask = run(
        load_settings(PROFILES / "dask.yaml", [f"output={dask_out}", f"runner.dask_address={dask_cluster}", *SAME_NLP]),
        inputs,
    )

    assert local.get("articles_read") >= 300 and local.get("duplicates") >= 1
    assert set(local.failures_by_reason) >= BAD_REASONS
    for table in TABLES:
        local_rows, dask_rows = table_rows(local_out, table), table_rows(dask_out, table)
        assert len(dask_rows) == len(local_rows), table
        assert dask_rows == local_rows, f"{table}: the rows written on Dask differ from the local runner's"
    assert report_counts(on_dask) == report_counts(local)  # the run summary is right on Dask too

    # Workers only staged: nothing is left below _staging once the launcher has published.
    assert not any((dask_out / "_staging").glob("*/*"))

    # Incremental on Dask: a second run over the same input finds everything stored.
    again = run(
        load_settings(PROFILES / "dask.yaml", [f"output={dask_out}", f"runner.dask_address={dask_cluster}", *SAME_NLP]),
        inputs,
    )
    written = local.get("rows_added:articles")
    assert again.get("unchanged") == written and again.get("rows_added:articles") == 0
    assert again.get("articles_annotated") == 0
    assert table_rows(dask_out, "articles") == table_rows(local_out, "articles")
