"""Load a spaCy pipeline once per process.

Beam workers call :func:`load_model` from ``DoFn.setup()``; the cache makes every further call in
the same process (other DoFn instances, tests) free, so a worker never holds two copies of the model.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # spaCy is imported where a model is loaded, not by the launcher's checks
    from spacy.language import Language


class ModelNotFound(ValueError):
    """The named spaCy pipeline is neither an installed package nor a path to one."""


def ensure_installed(name: str) -> None:
    """Fail fast, in the launcher, when the model is neither an installed package nor a path.

    It only looks the name up (no spaCy import, no loading), so a job with a misspelt model stops
    with one line before any worker starts, instead of failing in every worker later.
    """
    if Path(name).exists() or importlib.util.find_spec(name) is not None:
        return
    raise ModelNotFound(f"spaCy model {name!r} is not installed (install its package or give a path to it)")


def load_model(name: str, *, disable: Sequence[str] = (), keep: Optional[Sequence[str]] = None) -> "Language":
    """Return the spaCy pipeline ``name`` with the components in ``disable`` switched off.

    With ``keep``, every component not named in it is removed from the pipeline (not merely
    disabled), so it never runs and its weights are not held.

    Cached per (name, disable, keep) within a process; raises :class:`ModelNotFound` with a one-line
    message when the pipeline is not installed (nothing is ever downloaded at run time).
    """
    # lru_cache needs hashable arguments, and the order of disabled components does not matter.
    kept = None if keep is None else tuple(sorted(set(keep)))
    return _load_cached(name, tuple(sorted(set(disable))), kept)


@functools.lru_cache(maxsize=None)
def _load_cached(name: str, disable: tuple[str, ...], keep: Optional[tuple[str, ...]] = None) -> "Language":
    import spacy

    try:
        nlp = spacy.load(name, disable=list(disable))
    except OSError as error:
        # spaCy raises OSError [E050] for an unknown package or path; the message is long and
        # suggests a download, which this pipeline must never do.
        raise ModelNotFound(
            f"spaCy model {name!r} is not installed (install its package or give a path to it)"
        ) from error
    for component in list(nlp.component_names) if keep is not None else ():
        if component not in keep:
            nlp.remove_pipe(component)
    return nlp
