"""What a running `newsbeam run` shows while it works: a live line on a terminal, log lines elsewhere.

Honest by construction: the only progress the launcher knows is the part (``input.files_per_run``
cuts a large input into several pipeline runs) and the counts of the parts already committed. A
pipeline's counts travel in its report and are known only when it ends (docs/architecture.md), so
nothing here pretends to count articles inside a running part.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional, Protocol

from pipeline import counters
from pipeline.counters import Count

if TYPE_CHECKING:  # run.py imports this module; the summary type is only an annotation here
    from rich.console import Console
    from rich.progress import TaskID

    from pipeline.summary import RunSummary

log = logging.getLogger(__name__)


class RunProgress(Protocol):
    def part_started(self, number: int, parts: int, *, files: int, feeds: int) -> None: ...

    def part_finished(self, number: int, parts: int, so_far: "RunSummary") -> None: ...


def so_far_text(so_far: "RunSummary") -> str:
    failures = counters.failure_total(so_far.counts)
    return (f"{so_far.get(Count.ARTICLES_READ)} articles read so far, {so_far.get(counters.rows_added('articles'))} new, "
            f"{failures} failures")


class LogProgress:
    """Plain log lines, for a log file or a scheduler's captured stderr. A run in one part says
    nothing extra: its start is logged by run_plan and its end is the summary."""

    def part_started(self, number: int, parts: int, *, files: int, feeds: int) -> None:
        if parts > 1:
            log.info("newsbeam: part %d of %d", number, parts)

    def part_finished(self, number: int, parts: int, so_far: "RunSummary") -> None:
        if parts > 1:
            log.info("newsbeam: part %d of %d done: %s", number, parts, so_far_text(so_far))


class TerminalProgress:
    """One live line on a terminal (rich): a spinner, part k of n, what the parts done so far gave,
    and the time since the run started. Transient: it leaves the terminal to the summary."""

    def __init__(self, console: "Console") -> None:
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("newsbeam run  part {task.fields[part]}"),
            BarColumn(bar_width=20),
            TextColumn("{task.fields[doing]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task: Optional[TaskID] = None

    def __enter__(self) -> "TerminalProgress":
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def part_started(self, number: int, parts: int, *, files: int, feeds: int) -> None:
        fields = {"part": f"{number} of {parts}", "doing": f"reading {files} file(s) and {feeds} feed(s)"}
        if self._task is None:
            self._task = self._progress.add_task("run", total=parts, completed=number - 1, **fields)
        else:
            self._progress.update(self._task, completed=number - 1, **fields)

    def part_finished(self, number: int, parts: int, so_far: "RunSummary") -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=number, doing=so_far_text(so_far))
