"""When fetching must give up, whatever each fetch's own deadline: at a point in time, or on a stop.

A watch cycle makes one ``Cutoff`` for all its polls: its ``at`` is the cycle's deadline
(``watch.cycle_deadline_seconds``), its ``stop`` the event that SIGINT/SIGTERM set. ``fetch`` ends a
response in progress when either comes (pipeline/sources/http.py), and sleeps before a retry no longer
than either allows. A ``run`` has none: its fetches are bounded by ``http.response_deadline_seconds``.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Optional

# How often a waiter looks at the stop event when it cannot block on it (the fetch watchdog also waits
# for its own response to end): a stop is seen this long after it was set, at most.
STOP_POLL_SECONDS = 0.2


class Cutoff:
    def __init__(
        self, *, at: Optional[float] = None, stop: Optional[threading.Event] = None, label: str = "the deadline"
    ) -> None:
        self.at = at  # time.monotonic() value, or None for no time limit
        self.stop = stop
        self.label = label  # names the limit in a failure's detail: "the watch cycle's deadline (...)"

    @property
    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def remaining(self) -> float:
        """Seconds until ``at`` (infinite without one); a stop does not change it."""
        return math.inf if self.at is None else self.at - time.monotonic()

    def expired(self) -> bool:
        return self.stopped or self.remaining() <= 0

    def sleep(self, seconds: float) -> bool:
        """Sleep ``seconds``, or less if the cutoff comes first; True if it has come."""
        seconds = max(0.0, min(seconds, self.remaining()))
        if self.stop is not None:
            self.stop.wait(seconds)  # a stop wakes it at once
        else:
            time.sleep(seconds)
        return self.expired()
