"""`newsbeam`: a thin command line over run(), query(), the HTML report and the quote, entity, identity and story evaluations.

Exit status: 0 when the job ran (bad input is counted in the summary, not fatal); 2 when the job
itself cannot run (bad config, unwritable output, bad SQL, another job writing the dataset), when
an input named on the command line cannot be opened, or when inputs were given and not one of them
could be opened or fetched; always with a one-line error and no traceback (docs/scheduling.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Iterator, Optional

from pipeline import __version__

if TYPE_CHECKING:
    from rich.console import Console

    from pipeline.progress import RunProgress

EXIT_OK = 0
EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbeam", description="News ingestion on Apache Beam: who said what, about whom, when, where.")
    parser.add_argument("--version", action="version", version=f"newsbeam {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="ingest files, folders and globs into a Parquet dataset")
    run.add_argument("inputs", nargs="*", help="files, folders (recursive), globs, s3:// and gs:// paths, feed URLs and feed lists "
                     "(.yaml/.opml); default: the bundled seeds/")
    _add_job_options(run)

    watch = commands.add_parser("watch", help="ingest continuously: poll feeds and folders every interval until stopped")
    watch.add_argument("inputs", nargs="*", help="feed URLs, feed lists (.yaml/.opml), folders, files and globs")
    watch.add_argument("--interval", help="time between cycles, e.g. 90s, 5m, 1h (default: watch.interval_seconds)")
    watch.add_argument("--cycles", type=int, help="stop after this many cycles (default: until SIGINT/SIGTERM)")
    _add_job_options(watch)

    query = commands.add_parser("query", help="run SQL over a dataset (views: articles, entities, quotes, failures, speakers, ...)")
    query.add_argument("sql", nargs="?", help="one or more read-only statements (SELECT, SHOW, DESCRIBE, EXPLAIN)")
    query.add_argument("--tables", action="store_true", help="list the tables and views with their columns and types, instead of SQL")
    query.add_argument("--data", default="output", help="the dataset: a folder, s3://BUCKET/PREFIX or gs://... (default: ./output)")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")

    report = commands.add_parser("report", help="write one self-contained HTML report of a dataset (works offline)")
    report.add_argument("--data", default="output", help="the dataset: a folder, s3://BUCKET/PREFIX or gs://... (default: ./output)")
    report.add_argument("--out", default="report.html", help="the HTML file to write (default: ./report.html)")
    report.add_argument("--since", type=_day, help="first day (YYYY-MM-DD) of the date partitions reported")
    report.add_argument("--until", type=_day, help="last day (YYYY-MM-DD) of the date partitions reported")

    compact = commands.add_parser("compact", help="merge the small files that frequent runs leave in each partition")
    compact.add_argument("--output", help="the dataset: a folder, s3://BUCKET/PREFIX or gs://... (default: ./output)")
    compact.add_argument("--config", help="a YAML file overriding the packaged defaults")
    compact.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")

    # Its options belong to pipeline.evaluation.quotes's own parser; main() hands them over unparsed.
    commands.add_parser("eval-quotes", help="score the quote extractor on PolNeAR", add_help=False)
    # Likewise pipeline.evaluation.entities's.
    commands.add_parser("eval-entities", help="score the entity extraction on CoNLL-2003 (en) or Europeana French newspapers (fr)",
                        add_help=False)
    # And pipeline.evaluation.identity's.
    commands.add_parser("eval-identity", help="score dataset-wide identity on AIDA CoNLL-YAGO", add_help=False)
    # And pipeline.evaluation.stories's.
    commands.add_parser("eval-stories", help="score near-duplicate story and quotation clustering on copies of BBC articles",
                        add_help=False)
    return parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _add_job_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--output", help="the dataset: a folder, s3://BUCKET/PREFIX or gs://BUCKET/PREFIX (default: ./output)")
    command.add_argument("--config", help="a YAML file overriding the packaged defaults")
    command.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                         help="override one setting, e.g. --set nlp.batch_size=64 (repeatable)")
    command.add_argument("--workers", type=int, help="worker processes (more than 1 runs the multi-process runner)")
    command.add_argument("--runner", choices=("local", "multiprocess", "dask", "dataflow", "flink", "spark"),
                         help="where the job runs (default: local, one process; configs/runners/ and "
                              "docs/runners.md say what each needs)")
    command.add_argument("--source", metavar="NAME",
                         help="the source (outlet) of the articles read from the files and folders named here, "
                              "unless an article names its own (input.sources in config does it per folder)")
    command.add_argument("--dask-address", help="tcp://HOST:8786 of a Dask scheduler (with --runner dask)")
    command.add_argument("--allow-private-hosts", action="store_true",
                         help="let feeds and links resolve to loopback, private or link-local addresses")
    command.add_argument("--quiet", action="store_true", help="print only the summary (no progress, no log lines but warnings)")
    command.add_argument("--json", action="store_true",
                         help="print the summary as one JSON object on stdout (watch: one per cycle); see docs/scheduling.md")


def main(argv: Optional[list[str]] = None) -> int:
    parser = build_parser()
    args, unparsed = parser.parse_known_args(argv)
    if args.command == "eval-quotes":
        from pipeline.evaluation.quotes import main as evaluate_main

        return evaluate_main(unparsed)
    if args.command == "eval-entities":
        from pipeline.evaluation.entities import main as entity_eval_main

        return entity_eval_main(unparsed)
    if args.command == "eval-identity":
        from pipeline.evaluation.identity import main as identity_eval_main

        return identity_eval_main(unparsed)
    if args.command == "eval-stories":
        from pipeline.evaluation.stories import main as story_eval_main

        return story_eval_main(unparsed)
    if unparsed:
        parser.error(f"unrecognized arguments: {' '.join(unparsed)}")
    if args.command == "query":
        if (args.sql is None) == (not args.tables):
            parser.error("newsbeam query takes SQL or --tables (one of the two)")
        return _query(args)
    if args.command == "report":
        return _report(args)
    try:
        if args.command == "compact":
            return _compact(args)
        _skip_ipython_probe()
        if args.command == "watch":
            return _watch(args)
        return _run(args)
    except Exception as error:  # noqa: BLE001 - only disk and permission faults are answered here
        from pipeline.storage.faults import operator_fault

        fault = operator_fault(error)
        if fault is None:
            raise
        return _fail(f"cannot write: {fault} (the dataset is as the last complete run left it; "
                     "the next run finishes or undoes this one)", as_json=getattr(args, "json", False))


def _skip_ipython_probe() -> None:
    """Beam asks "is this an IPython session?" by importing IPython, 1.8 s of every run's start-up
    here. A command-line job never is one: unless IPython is already loaded, mark it unavailable so
    that the probe's import fails at once and Beam takes its non-interactive path, as it would anyway."""
    sys.modules.setdefault("IPython", None)  # type: ignore[arg-type]


def _settings_from(args: argparse.Namespace):  # -> Settings; imported lazily to keep --help fast
    """The settings with the command's own options applied as typed values (never re-read as YAML)."""
    from pipeline.config import load_settings

    values: dict = {}
    if getattr(args, "output", None):
        values["output"] = args.output
    workers = getattr(args, "workers", None)
    if workers is not None:
        values["runner.workers"] = workers
        if workers > 1 and not getattr(args, "runner", None):
            values["runner.name"] = "multiprocess"
    if getattr(args, "runner", None):
        values["runner.name"] = args.runner
    if getattr(args, "source", None):
        from pipeline.sources.plan import is_url

        named = [spec for spec in getattr(args, "inputs", None) or [] if not is_url(spec)]
        values["input.sources"] = {spec: args.source for spec in named}
    if getattr(args, "dask_address", None):
        values["runner.dask_address"] = args.dask_address
    if getattr(args, "allow_private_hosts", False):
        values["http.allow_private_hosts"] = True
    if getattr(args, "interval", None):
        from pipeline.sources.feedlists import parse_duration

        values["watch.interval_seconds"] = parse_duration(args.interval)
    return load_settings(args.config, list(args.overrides), values=values)


def _run(args: argparse.Namespace) -> int:
    console = _live_console(quiet=args.quiet)
    _configure_logging(quiet=args.quiet, console=console)
    from pipeline.run import run
    from pipeline.summary import STATUS_NOTHING_READ, summary_document

    try:
        settings = _settings_from(args)
        with _progress(console) as progress:
            summary = run(settings, args.inputs or None, progress=progress)
    except _user_errors() as error:
        return _fail(str(error), as_json=args.json)
    print(json.dumps(summary_document(summary)) if args.json else format_summary(summary))
    if summary.status == STATUS_NOTHING_READ:
        # Not one input could be opened or fetched: a scheduler must hear of it, though it is no crash.
        print("newsbeam: error: nothing could be read: no input could be opened or fetched (recorded in failures)",
              file=sys.stderr)
        return EXIT_ERROR
    if summary.unopened_inputs:
        # The rest was ingested; a scheduler still has to hear about a typo in a path.
        names = ", ".join(repr(spec) for spec in summary.unopened_inputs)
        print(f"newsbeam: error: could not open {names} (recorded in failures)", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _fail(message: str, *, as_json: bool) -> int:
    """The one-line error on stderr; with --json also an object on stdout, so that a scheduler that
    parses stdout always gets one."""
    if as_json:
        print(json.dumps({"status": "error", "error": message}))
    print(f"newsbeam: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _live_console(*, quiet: bool) -> Optional["Console"]:
    """A rich console on stderr when stderr is a terminal (and not --quiet); else None, and progress
    is plain log lines (a scheduler's log, a pipe)."""
    if quiet or not sys.stderr.isatty():
        return None
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def _progress(console: Optional["Console"]) -> Iterator["RunProgress"]:
    from pipeline.progress import LogProgress, TerminalProgress

    if console is None:
        yield LogProgress()
        return
    with TerminalProgress(console) as progress:
        yield progress


def _watch(args: argparse.Namespace) -> int:
    _configure_logging(quiet=args.quiet, console=_live_console(quiet=args.quiet))
    from pipeline.watch import watch

    try:
        settings = _settings_from(args)
        watch(settings, args.inputs or None, max_cycles=args.cycles, as_json=args.json)
    except _user_errors() as error:
        return _fail(str(error), as_json=args.json)
    return EXIT_OK


def _user_errors() -> tuple[type[BaseException], ...]:
    """Errors that are the user's to fix: one line and exit status 2, no traceback."""
    from pipeline.config import ConfigError
    from pipeline.sinks.dataset import DatasetError
    from pipeline.storage.location import StorageError
    from pipeline.storage.lock import DatasetBusy

    return (ConfigError, DatasetError, DatasetBusy, StorageError, ValueError)


def _compact(args: argparse.Namespace) -> int:
    _configure_logging(quiet=False)
    from pipeline.run import compact_dataset

    try:
        merged = compact_dataset(_settings_from(args))
    except _user_errors() as error:
        print(f"newsbeam: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    print(f"newsbeam compact: {merged} small file(s) merged")
    return EXIT_OK


def _query(args: argparse.Namespace) -> int:
    from pipeline.query import (
        QueryError,
        format_rows,
        format_tables,
        list_tables,
        run_query,
    )

    try:
        if args.tables:
            text = format_tables(list_tables(args.data), fmt=args.format)
        else:
            columns, rows = run_query(args.data, args.sql)
            text = format_rows(columns, rows, fmt=args.format)
    except QueryError as error:
        print(f"newsbeam: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(text)
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from pipeline.query import QueryError
    from pipeline.report import write_report

    try:
        report = write_report(args.data, args.out, since=args.since, until=args.until)
    except QueryError as error:
        print(f"newsbeam: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    totals = report.totals
    print(f"newsbeam report: {totals['articles']} articles, {totals['quotes']} quotes, {totals['speakers']} speakers, "
          f"{totals['failures']} failures -> {args.out}")
    return EXIT_OK


def format_summary(summary) -> str:  # summary: pipeline.summary.RunSummary
    from pipeline.summary import headline_counts

    counts = headline_counts(summary.counts)
    lines = [
        f"newsbeam run {summary.run_id} -> {summary.output}" + (f" ({summary.parts} parts)" if summary.parts > 1 else ""),
        f"  documents read     {counts['documents_read']}",
        f"  articles read      {counts['articles_read']}",
        f"  articles written   {counts['articles_written']} ({counts['articles_new']} new, {counts['articles_changed']} changed)",
        f"  skipped            {counts['duplicates']} duplicate(s) in the input, {counts['unchanged']} already stored unchanged",
        f"  entities           {counts['entities']}",
        f"  quotes             {counts['quotes']}",
    ]
    not_annotated = summary.not_annotated_by_language
    if not_annotated:  # stored, but no pipeline reads their language (nlp.pipelines)
        languages = ", ".join(f"{language} {count}" for language, count in sorted(not_annotated.items(), key=lambda item: (-item[1], item[0])))
        lines.append(f"  not annotated      {languages}")
    failures = summary.failures_by_reason
    lines.append(f"  failures           {counts['failures']}" + (" (new)" if counts["failures"] else ""))
    for reason, count in sorted(failures.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"    {reason:<22} {count}")
    if counts["failures_already_recorded"]:
        lines.append(f"    (and {counts['failures_already_recorded']} already recorded by an earlier run)")
    lines.append(f"  time               {summary.seconds:.1f} s, {summary.articles_per_second:.1f} articles/s")
    return "\n".join(lines)


def _configure_logging(*, quiet: bool, console: Optional["Console"] = None) -> None:
    handler: logging.Handler
    if console is not None:  # log lines print above the live progress line instead of through it
        from rich.logging import RichHandler

        handler = RichHandler(console=console, show_path=False, log_time_format="%H:%M:%S")
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S"))
    handler.addFilter(_drop_optional_gcp_notice)
    handler.addFilter(_drop_worker_operator_faults)
    # force=True: importing Beam may already have given the root logger a default handler.
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, handlers=[handler], force=True)
    # Beam logs every stage at INFO; keep the user's terminal for newsbeam's own progress.
    logging.getLogger("apache_beam").setLevel(logging.WARNING)


def _drop_worker_operator_faults(record: logging.LogRecord) -> bool:
    """A runner logs a worker's full disk with its traceback before raising it; main() says it in one line."""
    if not record.name.startswith("apache_beam") or record.levelno < logging.ERROR:
        return True
    from pipeline.storage.faults import operator_fault_in_text

    return operator_fault_in_text(record.getMessage()) is None


def _drop_optional_gcp_notice(record: logging.LogRecord) -> bool:
    """Beam warns at import that Google Cloud clients are missing; newsbeam never uses them."""
    return not record.getMessage().startswith("apitools not found")


if __name__ == "__main__":
    sys.exit(main())
