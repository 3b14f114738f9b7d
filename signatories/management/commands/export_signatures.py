import logging
from pathlib import Path

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
            "--output",
            help="Write to this file, readable by its owner only, whole or not at all; never "
            "through a symbolic link.",
        )

    def handle(self, *args, slug: str, status: str, output: str | None, **options) -> None:
        petition = Petition.objects.filter(slug=slug).first()
        if petition is None:
            raise CommandError(f"No letter has the slug {slug!r}.")
        signatures = petition.signatures.with_status(status)
        audit.info("The command line exported signatures of %s (%s)", slug, status)
        if output is None:
            for line in export.lines(export.rows_to_export(signatures)):
                self.stdout.write(line, ending="")
            return
        try:
            rows = export.write_file(signatures, Path(output))
        except export.NotAFile:
            raise CommandError(
                f"{output} is a symbolic link: refusing to write through it."
            ) from None
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        self.stdout.write(f"Wrote {rows} signatures of {slug!r} ({status}) to {output}.")
