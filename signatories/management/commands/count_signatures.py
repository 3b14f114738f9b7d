import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import Error, connection

from signatories import counts

logger = logging.getLogger(__name__)

# Two passes start at least this many times a pass's length apart: where the letters are so
# large that a pass takes more than a tenth of COUNTS_EVERY_SECONDS, they are counted that much
# less often, and counting never takes more than a tenth of the job's time.
PASSES_APART = 10
# How long counting once waits for another process's turn to end.
WAIT_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Count each active letter's signatures and store the counts that pages show, every few "
        "seconds until stopped; one process at a time counts, however many run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Count once, then stop.")
        parser.add_argument(
            "--exact",
            action="store_true",
            help="Count every letter, closed long ago or not, and break each down by country "
            "and day (nightly).",
        )
        parser.add_argument(
            "--every",
            type=float,
            default=settings.COUNTS_EVERY_SECONDS,
            help="Seconds between counts (default: COUNTS_EVERY_SECONDS).",
        )

    def handle(self, *args, once: bool, exact: bool, every: float, **options) -> None:
        if once:
            self.count_once(exact=exact)
            return
        while True:
            started = time.monotonic()
            try:
                changed = counts.refresh(exact=exact)
            except Error:
                # The database restarting must not end counting: the next turn tries again.
                logger.exception("Counting failed: trying again in %s seconds", every)
                connection.close()
                changed = 0
            if changed is None:
                logger.info("Another process is counting: this one waits its turn")
            elif changed:
                logger.info("Counted: %d letters changed", changed)
            took = time.monotonic() - started
            time.sleep(max(every, PASSES_APART * took) - took)

    def count_once(self, *, exact: bool) -> None:
        """Count once, waiting for the process that counts now to finish its turn (the nightly
        exact count must not be skipped because the every-few-seconds one was running)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while (changed := counts.refresh(exact=exact)) is None:
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Another process kept counting for {WAIT_SECONDS} seconds: nothing counted."
                )
            time.sleep(0.2)
        logger.info("Counted: %d letters changed", changed)
