"""One process at a time, across every process and machine, for jobs that must not overlap."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def single_flight(name: str) -> Iterator[bool]:
    """Whether this process holds the job called `name` now, and may run it.

    On PostgreSQL, a session advisory lock that one connection holds at a time, whichever
    machine it comes from; a job that finds it taken skips its turn. SQLite serves one machine,
    where the job runs in one process: there this always holds.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        [held] = cursor.fetchone()
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
