"""The dataset in a bucket, end to end, on real S3 and GCS servers on 127.0.0.1 (tests/object_store.py).

What a user of a bucket relies on: run, rerun (nothing new, nothing written), a changed article
replaced, a killed run finished by the next, readers straight from the bucket, one writer at a
time, inputs read from the bucket, and bad locations refused before any work.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.dataset as pads
import pytest

from pipeline.query import run_query
from pipeline.storage.location import Location
from pipeline.storage.lock import DatasetBusy, dataset_lock
from tests.conftest import REPO_ROOT, Bucket, run_newsbeam
from tests.object_store import moto_server

pytestmark = pytest.mark.slow


def _article(folder: Path, name: str, body: str, *, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"Title: {name}\nDate: 2026-03-02\nURL: {url}\n\n{body}\n", encoding="utf-8")
    return path


def _inputs(folder: Path, count: int = 3) -> Path:
    for number in range(count):
        _article(folder, f"a{number}.txt", f'Mayor Dana Whitfield spoke. "We open bridge {number} soon," Whitfield said.',
                 url=f"https://news.example.org/{number}")
    return folder


def _objects(bucket: Bucket) -> dict[str, str]:
    fs = Location.parse(bucket.url).fs
    fs.invalidate_cache()
    return {path: info.get("ETag") or str(info.get("mtime")) for path, info in fs.find(bucket.name, detail=True).items()
            if path.endswith(".parquet")}


def _ids(url: str, table: str, key: str) -> list[str]:
    return sorted(row[0] for row in run_query(url, f"SELECT {key} FROM {table}")[1])


def test_run_rerun_and_replace_on_s3(s3_server: Bucket, tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "in")
    first = run_newsbeam("run", str(inputs), "--output", s3_server.url, "--quiet")
    assert first.returncode == 0, first.stderr
    assert "3 new" in first.stdout
    assert not (Path.cwd() / "s3:").exists()  # never a local folder named after the URL
    stored = _objects(s3_server)
    assert any("/articles/date=2026-03-02/" in path for path in stored)

    again = run_newsbeam("run", str(inputs), "--output", s3_server.url, "--quiet")
    assert again.returncode == 0, again.stderr
    assert "3 already stored unchanged" in again.stdout
    assert _objects(s3_server) == stored  # nothing written

    _article(inputs, "a0.txt", 'Mayor Dana Whitfield spoke. "We close bridge 0 instead," Whitfield said.',
             url="https://news.example.org/0")
    changed = run_newsbeam("run", str(inputs), "--output", s3_server.url, "--quiet")
    assert changed.returncode == 0, changed.stderr
    assert "1 changed" in changed.stdout
    texts = sorted(row[0] for row in run_query(s3_server.url, "SELECT text FROM quotes")[1])
    assert texts == ["We close bridge 0 instead,", "We open bridge 1 soon,", "We open bridge 2 soon,"]
    assert len(_ids(s3_server.url, "articles", "article_id")) == 3


def test_readers_read_the_bucket_as_it_is(s3_server: Bucket, tmp_path: Path) -> None:
    result = run_newsbeam("run", str(_inputs(tmp_path / "in", 2)), "--output", s3_server.url, "--quiet")
    assert result.returncode == 0, result.stderr
    fs = Location.parse(s3_server.url).fs
    table = pads.dataset(f"{s3_server.name}/quotes", filesystem=fs, partitioning="hive", format="parquet").to_table()
    assert sorted(table.column("date").to_pylist()) == ["2026-03-02", "2026-03-02"]
    connection = duckdb.connect()
    connection.register_filesystem(fs)
    rows = connection.execute(
        f"SELECT count(*) FROM read_parquet('s3://{s3_server.name}/articles/*/*.parquet', hive_partitioning=true)"
    ).fetchone()
    assert rows == (2,)


def test_every_table_is_readable_in_the_bucket_after_a_run_without_failures(s3_server: Bucket, tmp_path: Path) -> None:
    from pipeline.sinks.schema import PARTITION_COLUMNS, SCHEMAS

    result = run_newsbeam("run", str(_inputs(tmp_path / "in", 1)), "--output", s3_server.url, "--quiet")
    assert result.returncode == 0, result.stderr
    fs = Location.parse(s3_server.url).fs
    connection = duckdb.connect()
    connection.register_filesystem(fs)
    for table, schema in SCHEMAS.items():
        columns = [*schema.names, PARTITION_COLUMNS[table]]
        arrow = pads.dataset(f"{s3_server.name}/{table}", filesystem=fs, partitioning="hive", format="parquet").to_table()
        relation = connection.sql(f"SELECT * FROM read_parquet('s3://{s3_server.name}/{table}/*/*.parquet', hive_partitioning=true)")
        assert arrow.column_names == relation.columns == columns, table
        assert arrow.num_rows == len(relation.fetchall()) == (0 if table == "failures" else arrow.num_rows)
    assert run_query(s3_server.url, "SELECT count(*) FROM failures")[1] == [(0,)]
    assert run_query(s3_server.url, "SELECT count(*) FROM articles")[1] == [(1,)]


def test_a_run_killed_mid_way_is_completed_by_the_next_one(s3_server: Bucket, tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "in", 40)
    env = {**os.environ}
    job = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(inputs), "--output", s3_server.url, "--quiet"],
                           cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    fs = Location.parse(s3_server.url).fs
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and job.poll() is None:
            fs.invalidate_cache()
            if fs.glob(f"{s3_server.name}/_staging/*/*/date=*/*.parquet"):
                break
            time.sleep(0.05)
        assert job.poll() is None, "the job finished before it could be killed"
        os.killpg(job.pid, signal.SIGKILL)
    finally:
        job.wait(timeout=30)
    assert fs.exists(f"{s3_server.name}/_lock.json")  # the dead job's lock is still there...
    resumed = run_newsbeam("run", str(inputs), "--output", s3_server.url, "--quiet")
    assert resumed.returncode == 0, resumed.stderr  # ...and taken over: its holder is dead
    clean = tmp_path / "clean"
    assert run_newsbeam("run", str(inputs), "--output", str(clean), "--quiet").returncode == 0
    for table, key in (("articles", "article_id"), ("entities", "entity_id"), ("quotes", "quote_id")):
        assert _ids(s3_server.url, table, key) == _ids(str(clean), table, key)
    fs.invalidate_cache()
    assert not fs.glob(f"{s3_server.name}/_staging/*/*")


def test_one_writer_at_a_time_in_a_bucket(s3_server: Bucket, tmp_path: Path) -> None:
    location = Location.parse(s3_server.url)
    with dataset_lock(location):
        with pytest.raises(DatasetBusy, match="another newsbeam job is writing"):
            with dataset_lock(location):
                pass
        busy = run_newsbeam("run", str(_inputs(tmp_path / "in", 1)), "--output", s3_server.url, "--quiet")
        assert busy.returncode == 2
        assert busy.stderr.count("\n") == 1 and "another newsbeam job is writing" in busy.stderr
    with dataset_lock(location):  # released: free again
        pass


def test_inputs_from_a_bucket(s3_server: Bucket, tmp_path: Path) -> None:
    fs = Location.parse(s3_server.url).fs
    for number in range(2):
        fs.pipe_file(f"{s3_server.name}/inbox/story-{number}.txt",
                     f"Title: Story {number}\nURL: https://news.example.org/b{number}\n\nAna Lima said the plan works.\n".encode())
    fs.pipe_file(f"{s3_server.name}/inbox/.hidden.txt", b"not news")
    output = tmp_path / "out"
    result = run_newsbeam("run", f"s3://{s3_server.name}/inbox/", "--output", str(output), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "documents read     2" in result.stdout
    origins = sorted(row[0] for row in run_query(str(output), "SELECT origin FROM articles")[1])
    assert origins == [f"s3://{s3_server.name}/inbox/story-0.txt", f"s3://{s3_server.name}/inbox/story-1.txt"]


@pytest.mark.parametrize(
    "output, message",
    [
        ("s3://no-such-bucket-here/news", "does not exist"),
        ("ftp://example.org/news", "unsupported location scheme"),
    ],
)
def test_bad_locations_fail_before_any_work(s3_server: Bucket, tmp_path: Path, output: str, message: str) -> None:
    result = run_newsbeam("run", str(_inputs(tmp_path / "in", 1)), "--output", output, "--quiet")
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "s3:").exists() and not (REPO_ROOT / "s3:").exists()


def test_refused_credentials_fail_before_any_work(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    with moto_server(home=tmp_path_factory.mktemp("moto-auth"), enforce_auth=True) as store:
        env = {**os.environ, **store.env}
        result = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "run", str(_inputs(tmp_path / "in", 1)), "--output", "s3://any-bucket/news", "--quiet"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
        )
    assert result.returncode == 2
    assert "access refused" in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "s3:").exists()


def test_run_and_rerun_on_gcs(gcs_server: Bucket, tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "in", 2)
    first = run_newsbeam("run", str(inputs), "--output", gcs_server.url, "--quiet")
    assert first.returncode == 0, first.stderr
    assert "2 new" in first.stdout
    again = run_newsbeam("run", str(inputs), "--output", gcs_server.url, "--quiet")
    assert again.returncode == 0, again.stderr
    assert "2 already stored unchanged" in again.stdout
    assert len(_ids(gcs_server.url, "quotes", "quote_id")) == 2


@pytest.mark.skipif(not (REPO_ROOT.parent / "shared" / "eval" / "bbc-news" / "bbc").is_dir(), reason="BBC corpus absent")
def test_a_dask_cluster_with_no_shared_disk_reads_and_writes_the_bucket(s3_server: Bucket, tmp_path: Path) -> None:
    """Inputs and output in the bucket; the workers get only the environment variables, as on a cluster
    whose machines share no disk with the launcher."""
    pytest.importorskip("distributed")
    from pipeline.config import load_settings
    from pipeline.run import run
    from tests.dask_cluster import local_dask_cluster

    bbc = REPO_ROOT.parent / "shared" / "eval" / "bbc-news" / "bbc" / "politics"
    fs = Location.parse(s3_server.url).fs
    local_inputs = tmp_path / "in"
    local_inputs.mkdir()
    for article in sorted(bbc.glob("[0-9][0-9][0-9].txt"))[:12]:
        fs.pipe_file(f"{s3_server.name}/inbox/{article.name}", article.read_bytes())
        (local_inputs / article.name).write_bytes(article.read_bytes())
    profiles = REPO_ROOT / "configs" / "runners"
    (tmp_path / "dask").mkdir()
    with local_dask_cluster(2, home=tmp_path / "dask", repo=REPO_ROOT) as address:
        on_dask = run(
            load_settings(profiles / "dask.yaml", [f"output={s3_server.url}/news", f"runner.dask_address={address}"]),
            [f"s3://{s3_server.name}/inbox/"],
        )
    local = run(load_settings(profiles / "local.yaml", [f"output={tmp_path / 'local'}"]), [str(local_inputs)])
    assert on_dask.get("rows_added:articles") == local.get("rows_added:articles") == 12
    for table, key in (("articles", "title"), ("entities", "name"), ("quotes", "text")):
        assert sorted(map(str, (r[0] for r in run_query(f"{s3_server.url}/news", f"SELECT {key} FROM {table}")[1]))) == sorted(
            map(str, (r[0] for r in run_query(str(tmp_path / "local"), f"SELECT {key} FROM {table}")[1]))
        ), table


def test_the_feed_state_lives_in_the_bucket_so_a_restart_elsewhere_continues(s3_server: Bucket, tmp_path: Path) -> None:
    """Two runs from two different working folders (two machines, as far as the state can tell): the
    second sends the validator the first one stored, and the feed's entries are not fetched again."""
    from tests.http_server import LocalHTTPServer

    with LocalHTTPServer() as server:
        base = server.url("")
        feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>River News</title><link>{base}/</link>'
                f"<item><title>Ferry returns</title><link>{base}/a</link><guid>{base}/a</guid>"
                "<pubDate>Mon, 02 Mar 2026 10:00:00 +0000</pubDate><description>The ferry is back, officials said."
                "</description></item></channel></rss>").encode()
        server.document("/rss.xml", feed, etag='"v1"')
        for machine in ("first", "second"):
            (tmp_path / machine).mkdir()
            result = run_newsbeam("run", server.url("/rss.xml"), "--output", s3_server.url, "--allow-private-hosts",
                                  "--quiet", cwd=tmp_path / machine)
            assert result.returncode == 0, result.stderr
        polls = server.requests_for("/rss.xml")
    assert [poll.header("If-None-Match") for poll in polls] == [None, '"v1"']
    assert Location.parse(s3_server.url).fs.exists(f"{s3_server.name}/_state/feeds.sqlite")
    assert not (tmp_path / "first" / "_state").exists() and not (tmp_path / "second" / "output").exists()


def test_a_watch_into_a_bucket_restarted_elsewhere_reads_nothing_twice(s3_server: Bucket, tmp_path: Path) -> None:
    inbox = _inputs(tmp_path / "inbox", 2)
    for path in inbox.iterdir():
        os.utime(path, (time.time() - 60, time.time() - 60))  # settled: not still being written
    first = run_newsbeam("watch", str(inbox), "--output", s3_server.url, "--cycles", "1", "--quiet", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "new 2" in first.stdout
    (tmp_path / "elsewhere").mkdir()
    again = run_newsbeam("watch", str(inbox), "--output", s3_server.url, "--cycles", "1", "--quiet", cwd=tmp_path / "elsewhere")
    assert again.returncode == 0, again.stderr
    assert "(nothing due)" in again.stdout  # the file signatures came back from the bucket
    assert len(_ids(s3_server.url, "articles", "article_id")) == 2
