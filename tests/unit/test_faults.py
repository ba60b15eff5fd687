"""Disk and permission faults told apart from bugs (pipeline/storage/faults.py)."""

from __future__ import annotations

import errno
import os

from pipeline.storage.faults import operator_fault, operator_fault_in_text


def test_a_full_disk_raised_while_handling_another_error_is_found_in_the_chain():
    try:
        try:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/data/out/part.parquet")
        except OSError:
            raise RuntimeError("commit failed")
    except RuntimeError as error:
        assert operator_fault(error) == "No space left on device: /data/out/part.parquet"


def test_a_workers_fault_is_found_in_the_text_the_runner_kept():
    text = "Traceback ...\nOSError: [Errno 28] No space left on device [while running 'WriteDataset/StagePartitions']"
    assert operator_fault(RuntimeError(text)) == "No space left on device [while running 'WriteDataset/StagePartitions']"
    assert operator_fault_in_text("PermissionError: [Errno 13] Permission denied: '/data/out'") == \
        "Permission denied: '/data/out'"


def test_bugs_and_other_os_errors_are_not_the_operators():
    assert operator_fault(ValueError("bad")) is None
    assert operator_fault(FileNotFoundError(errno.ENOENT, "No such file or directory", "/x")) is None
    assert operator_fault_in_text("OSError: [Errno 2] No such file or directory: '/x'") is None
