"""Disk and permission faults while writing, told apart from bugs so the CLI can say them in one line.

A full disk or a folder that turned read-only is the operator's to fix, not a traceback to read:
the commit protocol already leaves the dataset as the last complete run left it (the next run
finishes or undoes an interrupted commit), so all the user needs is what happened and where.
Such an error reaches the launcher either as the ``OSError`` itself (raised while it commits) or
inside the exception a Beam runner raises for a failed worker, where only its text survives.
"""

from __future__ import annotations

import errno
import os
import re
from typing import Optional

# The operator's faults: no space or quota, no permission, a read-only or failing device.
OPERATOR_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS, errno.EIO})
# How a worker's OSError reads once a runner has turned it into text.
_ERRNO_IN_TEXT = re.compile(r"(?:OSError|PermissionError|IOError): \[Errno (\d+)\] ([^\n]*)")


def operator_fault(error: BaseException) -> Optional[str]:
    """A one-line description of a disk or permission fault behind ``error``, None for anything else."""
    seen: set[int] = set()
    current: Optional[BaseException] = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in OPERATOR_ERRNOS:
            where = f": {current.filename}" if current.filename else ""
            return f"{os.strerror(current.errno)}{where}"
        current = current.__cause__ or current.__context__
    return operator_fault_in_text(str(error))


def operator_fault_in_text(text: str) -> Optional[str]:
    """The same, for an error a runner has only the text of (a worker's traceback, a log record)."""
    for match in _ERRNO_IN_TEXT.finditer(text):
        if int(match.group(1)) in OPERATOR_ERRNOS:
            return match.group(2).strip()
    return None
