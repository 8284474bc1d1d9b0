"""Crash points: the places where a worker can die between terraform exiting and the change moving on.

With `IDP_CRASH_POINT=<point>` a worker SIGKILLs its own process group when it reaches that
point, as a power cut would. The crash tests (`make chaos`, and a slice in `make test`) use it to
prove that no change is ever stranded. Never set in production: a system check warns.
"""

from __future__ import annotations

import os
import signal

from django.conf import settings

CRASH_POINTS = (
    "plan-exited",  # terraform plan exited; the plan file is not stored yet
    "plan-saved",  # the plan file is stored; its JSON is not
    "plan-shown",  # the plan JSON is stored; policies and approvals not evaluated
    "plan-recorded",  # inside the transaction that records the outcome, before it commits
    "plan-committed",  # after that transaction, before the environment lock is released
    "apply-exited",  # terraform apply exited; outputs and state not read
    "apply-read",  # outputs and state read; nothing recorded
    "apply-recorded",  # inside the transaction that records the outcome, before it commits
    "apply-committed",  # after that transaction, before the environment lock is released
)


def crash_point(name: str) -> None:
    if name not in CRASH_POINTS:
        raise ValueError(f"unknown crash point {name!r}")
    if name == settings.CRASH_POINT:
        os.killpg(os.getpgrp(), signal.SIGKILL)
