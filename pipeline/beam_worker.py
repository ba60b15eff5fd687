"""The command of the multiprocess runner's worker processes: Beam's SDK worker, quiet on stderr.

Beam's worker writes to the terminal it inherits from the launcher: at import, a root-logger warning
("apitools not found") makes Python's logging print everything to stderr, and the worker then logs
its start-up ("Logging handler created", "No semi_persistent_directory found") there, before it has
read the log level it was given. The same records also go over the Fn API logging channel to the
launcher, whose logging decides what a user sees. A handler on the root logger before Beam is
imported stops the first path (``logging.basicConfig`` and the module-level logging functions add a
stderr handler only to a root logger that has none) and keeps the second.

A worker that served its job to the end leaves with ``os._exit``: by then Beam has torn down the
DoFns and flushed its log channel, and the launcher waits for each worker process to end before it
reports the job done, so the interpreter's clean-up of a heap that holds a spaCy model (0.3 s here)
would only delay every part of every run. A worker that fails still raises, with its traceback.
"""

from __future__ import annotations

import logging
import os
import sys


def main() -> None:
    logging.getLogger().addHandler(logging.NullHandler())
    from apache_beam.runners.worker import sdk_worker_main

    sdk_worker_main.main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
