from django.core.management.base import BaseCommand, CommandError

from petitions.models import Petition
from signatories import export


class Command(BaseCommand):
    help = "Write a letter's signatures as CSV (UTF-8 with BOM, Excel-safe) to stdout or a file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The letter's slug, as in /petitions/<slug>/.")
        parser.add_argument(
            "--status",
            choices=export.STATUS_CHOICES,
            default="approved",
            help="Which signatures to export (default: approved).",
        )
        parser.add_argument("--output", help="Write to this file instead of stdout.")

    def handle(self, *args, slug: str, status: str, output: str | None, **options) -> None:
        petition = Petition.objects.filter(slug=slug).first()
        if petition is None:
            raise CommandError(f"No letter has the slug {slug!r}.")
        lines = export.lines(export.rows_to_export(petition.signatures.with_status(status)))
        if output is None:
            for line in lines:
                self.stdout.write(line, ending="")
            return
        with open(output, "w", encoding="utf-8", newline="") as file:
            file.writelines(lines)
        self.stdout.write(f"Wrote the {status} signatures of {slug!r} to {output}.")
