"""Signatures as CSV: written row by row, Excel-safe, the same bytes from admin and CLI, and
always whole: a file is offered only once its last row is written, with its length."""

import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from datetime import tzinfo
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.tasks import task
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from .models import Export
from .text import neutralise_formula

# Each column of the CSV (its header, a contract) and what it is read from: plain values, not
# signatures, so that a million rows take seconds.
CSV_COLUMNS = [
    ("signed_at", "created_at"),
    ("name", "name"),
    ("email", "email"),
    ("organisation", "organisation"),
    ("country", "country"),
    ("comment", "comment"),
    ("hide_name", "hide_name"),
    ("status", "status"),
    ("confirmed", "confirmed_at"),
    ("source", "source"),
    ("notable", "notable"),
    ("letter", "petition__slug"),
]
HEADER = [header for header, _read_from in CSV_COLUMNS]
COLUMNS = [read_from for _header, read_from in CSV_COLUMNS]
# Rows read from the database at a time: memory stays flat however long the list.
CHUNK_SIZE = 2000
# How often a background export tells its progress, in rows.
PROGRESS_EVERY = 20_000
# The most signatures the admin's action exports at once, in memory; a letter's export from its
# own admin page takes any number, written in the background.
SELECTED_MAX = 10_000
# Excel reads a file as UTF-8 only when it starts with a byte order mark.
BOM = "\ufeff"


class _Line:
    """A file-like object whose write() hands back the line, so csv.writer can stream."""

    def write(self, value: str) -> str:
        return value


def row(values: tuple, zone: tzinfo) -> list[str]:
    """One signature's cells, from its COLUMNS, its time in `zone`: what people typed made
    safe to open in a spreadsheet (the other cells are the site's own words)."""
    signed, name, email, organisation, country, comment, hidden, status = values[:8]
    confirmed, source, notable, slug = values[8:]
    return [
        signed.astimezone(zone).replace(tzinfo=None).isoformat(" ", "seconds"),
        neutralise_formula(name),
        neutralise_formula(email),
        neutralise_formula(organisation),
        country or "",
        neutralise_formula(comment),
        "yes" if hidden else "no",
        status,
        "yes" if confirmed else "no",
        source,
        "yes" if notable else "no",
        slug,
    ]


def lines(rows: Iterable[tuple]) -> Iterator[str]:
    """The CSV text, one RFC 4180 line at a time, starting with the byte order mark; times
    in the site's time zone."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    zone = timezone.get_current_timezone()
    yield BOM + writer.writerow(HEADER)
    for values in rows:
        yield writer.writerow(row(values, zone))


def rows_to_export(signatures: QuerySet) -> Iterator[tuple]:
    """Oldest first, with the letter's slug, read in chunks."""
    return (
        signatures.order_by("created_at", "pk")
        .values_list(*COLUMNS)
        .iterator(chunk_size=CHUNK_SIZE)
    )


class NotAFile(OSError):
    """The output path is a symbolic link: writing through it could overwrite any file."""


class ExportFailed(Exception):
    """An export did not complete; the message names it by number only."""


def write_file(
    signatures: QuerySet, path: Path, *, progress: Callable[[int], object] | None = None
) -> int:
    """Write the CSV to `path`, whole or not at all, and return how many rows it holds.

    The rows go into a new file beside it, readable by its owner only, which takes the place of
    `path` once the last row is on disk: an export that fails half-way leaves no file that looks
    complete. A symbolic link at `path` is refused rather than followed.
    """
    if path.is_symlink():
        raise NotAFile(f"{path} is a symbolic link")
    descriptor, partial = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part"
    )
    try:
        with open(descriptor, "w", encoding="utf-8", newline="") as file:
            rows = -1  # the header is no signature
            for line in lines(rows_to_export(signatures)):
                file.write(line)
                rows += 1
                if progress is not None and rows and rows % PROGRESS_EVERY == 0:
                    progress(rows)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return rows


def csv_response(signatures: QuerySet, *, filename: str) -> HttpResponse:
    """A few signatures as a CSV download of a known length, written in full before it is
    sent: a download cut short shows as failed, never as a shorter list."""
    response = HttpResponse(
        "".join(lines(rows_to_export(signatures))).encode(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(response.content))
    # Personal data: no cache, shared or private, may keep a copy.
    add_never_cache_headers(response)
    return response


def filename(stem: str) -> str:
    """A download name that says what is in the file and from which day."""
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.csv"


# Exports go before emails waiting in the queue: an organiser is waiting for the page.
BUILD_PRIORITY = 20


@task(priority=BUILD_PRIORITY)
def build(export_id: int) -> None:
    """Write an export asked for in the admin, whole or not at all, telling its progress;
    first delete the exports kept past their hours."""
    Export.objects.purge_expired()
    export = Export.objects.select_related("petition").filter(pk=export_id).first()
    if export is None:
        return
    this = Export.objects.filter(pk=export.pk)
    try:
        signatures = export.signatures()
        this.update(
            state=Export.State.RUNNING, rows_total=signatures.count(), progress_at=timezone.now()
        )
        settings.EXPORT_ROOT.mkdir(mode=0o700, parents=True, exist_ok=True)
        rows = write_file(
            signatures,
            export.path,
            progress=lambda n: this.update(rows_written=n, progress_at=timezone.now()),
        )
    except Exception as error:
        this.update(state=Export.State.FAILED, finished_at=timezone.now())
        # The database's error may quote a row: the task's log names the export only.
        raise ExportFailed(f"Export #{export.pk} failed: {type(error).__name__}") from None
    this.update(
        state=Export.State.DONE,
        rows_written=rows,
        size=export.path.stat().st_size,
        finished_at=timezone.now(),
        progress_at=timezone.now(),
    )
