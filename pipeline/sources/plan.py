"""Input planning: what the launcher makes of the user's input specs before any worker reads a byte.

Files, folders and globs (on disk or in a bucket) become paths; feed URLs and feed lists become
feeds; what cannot be opened becomes failures. A large input is cut into parts that each run as
one pipeline (``split_plan``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from pipeline.config import ConfigError
from pipeline.failures import Reason
from pipeline.records import Failure
from pipeline.sources.feedlists import FeedSpec
from pipeline.storage.location import StorageError, has_scheme, is_object_store, scheme_of

# The bundled samples: inside the package where it was installed from a wheel or sdist (setup.py
# maps the top-level seeds/ onto pipeline/seeds/), beside the package in a checkout (editable
# install), else in the working folder.
_PACKAGE = Path(__file__).resolve().parents[1]  # pipeline/


SEEDS_CANDIDATES = (_PACKAGE / "seeds", _PACKAGE.parent / "seeds", Path("seeds"))


def default_inputs() -> list[str]:
    """The bundled seeds/, for a run given no input; a one-line error where there is none."""
    for candidate in SEEDS_CANDIDATES:
        if candidate.is_dir():
            return [str(candidate.resolve())]
    raise ConfigError("no input given, and no seeds/ folder here to fall back on: name files, folders or feeds")


@dataclass(frozen=True)
class InputPlan:
    """What the launcher found in the user's input specs, before any worker reads a byte."""

    paths: list[str] = field(default_factory=list)
    feeds: list[FeedSpec] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


FEED_SCHEMES = ("http", "https")


def is_url(spec: str) -> bool:
    return has_scheme(spec) and not Path(spec).exists()


def plan_inputs(specs: list[str], *, storage_options: Optional[dict[str, Any]] = None) -> InputPlan:
    """Split specs into local files (folders and globs expanded) and feeds (URLs and feed lists).

    s3:// and gs:// specs are files, folders or globs in a bucket; any other scheme is refused
    before any work (a typo in a scheduled job should fail loudly, not become an empty run).
    """
    from pipeline.sources.feedlists import is_feed_list, load_feed_list
    from pipeline.sources.files import expand_paths

    feeds: list[FeedSpec] = []
    failures: list[Failure] = []
    local: list[str] = []
    for spec in specs:
        scheme = scheme_of(spec) if is_url(spec) else "file"
        if scheme in FEED_SCHEMES:
            feeds.append(FeedSpec(url=spec))
        elif is_object_store(spec) or (scheme == "file" and has_scheme(spec)):
            local.append(spec)  # files, folders or globs, read through the bucket's (or the disk's) filesystem
        elif scheme != "file":
            raise StorageError(f"{spec}: unsupported scheme {scheme}:// (use http(s)://, s3://, gs:// or a local path)")
        elif Path(spec).is_file() and is_feed_list(spec):
            listed, problems = load_feed_list(spec)
            feeds.extend(listed)
            failures.extend(problems)
        else:
            local.append(spec)
    paths, missing = expand_paths(local, storage_options=storage_options) if local else ([], [])
    unique_feeds = list({feed.url: feed for feed in feeds}.values())
    return InputPlan(paths=paths, feeds=unique_feeds, failures=[*failures, *missing])


def unopened_inputs(plan: InputPlan, specs: list[str]) -> tuple[str, ...]:
    """The named specs that planning could not open: an unreadable-path failure of the spec itself
    (a malformed line of a feed list is bad data inside a readable input, not this)."""
    named = set(specs)
    return tuple(dict.fromkeys(
        failure.origin for failure in plan.failures
        if failure.origin in named and failure.reason == Reason.UNREADABLE_PATH and not failure.locator
    ))


def split_plan(plan: InputPlan, *, files_per_run: int) -> list[InputPlan]:
    """Cut a large input into several pipeline runs of at most ``files_per_run`` files, as even as
    the count allows (2,225 files at 2,000 per run are 1,113 + 1,112, not 2,000 + 225).

    The local runners hold every element between two stages in memory, so one run over an archive
    grows with the archive; runs of a bounded size keep peak memory flat, at the cost of a
    pipeline start-up per part. Even parts set the peak by the largest part: a part as large as
    allowed followed by a small remainder costs the same start-ups with a higher peak. Feeds and
    the launcher's failures go with the first part. Each part sees what the parts before it wrote,
    so a re-run or an overlap costs no NLP.
    """
    total = len(plan.paths)
    if not total:
        return [plan]
    parts = -(-total // files_per_run)
    smaller, larger_parts = divmod(total, parts)  # the first ``larger_parts`` parts hold one file more

    def start(index: int) -> int:
        return index * smaller + min(index, larger_parts)

    chunks = [plan.paths[start(index) : start(index + 1)] for index in range(parts)]
    return [InputPlan(paths=chunks[0], feeds=plan.feeds, failures=plan.failures)] + [
        InputPlan(paths=chunk) for chunk in chunks[1:]
    ]
