import logging
import os

from django.core.management.base import BaseCommand, CommandError, CommandParser

from petitions.models import Petition
from signatories import export
from signatories.choices import STATUS_FILTER_VALUES

audit = logging.getLogger("solidarity.audit")


class Command(BaseCommand):
    help = "Write a letter's signatures as CSV (UTF-8 with BOM, Excel-safe) to stdout or a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The letter's slug, as in /petitions/<slug>/.")
        parser.add_argument(
            "--status",
            choices=STATUS_FILTER_VALUES,
            default="approved",
            help="Which signatures to export (default: approved).",
        )
        parser.add_argument(
            "--output", help="Write to this file, readable by its owner only, not to stdout."
        )

    def handle(self, *args, slug: str, status: str, output: str | None, **options) -> None:
        petition = Petition.objects.filter(slug=slug).first()
        if petition is None:
            raise CommandError(f"No letter has the slug {slug!r}.")
        lines = export.lines(export.rows_to_export(petition.signatures.with_status(status)))
        audit.info("The command line exported signatures of %s (%s)", slug, status)
        if output is None:
            for line in lines:
                self.stdout.write(line, ending="")
            return
        try:
            # Personal data: the file is created readable by its owner only.
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        with open(descriptor, "w", encoding="utf-8", newline="") as file:
            os.fchmod(descriptor, 0o600)  # an earlier file written over is made so too
            file.writelines(lines)
        self.stdout.write(f"Wrote the signatures of {slug!r} ({status}) to {output}.")
