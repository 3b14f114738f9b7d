import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from signatories import counts

logger = logging.getLogger(__name__)


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
        while True:
            started = time.monotonic()
            changed = counts.refresh(exact=exact)
            if changed is None:
                logger.info("Another process is counting: this one waits its turn")
            elif changed:
                logger.info("Counted: %d letters changed", changed)
            if once:
                return
            time.sleep(max(0.0, every - (time.monotonic() - started)))
