"""Signatures as CSV: streamed row by row, Excel-safe, the same bytes from admin and CLI."""

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import suppress
from pathlib import Path

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from .models import Signature
from .text import neutralise_formula

HEADER = [
    "signed_at",
    "name",
    "email",
    "organisation",
    "country",
    "comment",
    "hide_name",
    "status",
    "confirmed",
    "source",
    "notable",
    "letter",
]
# Rows read from the database at a time: memory stays flat however long the list.
CHUNK_SIZE = 2000
# Excel reads a file as UTF-8 only when it starts with a byte order mark.
BOM = "\ufeff"


class _Line:
    """A file-like object whose write() hands back the line, so csv.writer can stream."""

    def write(self, value: str) -> str:
        return value


def row(signature: Signature) -> list[str]:
    cells = [
        timezone.localtime(signature.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        signature.name,
        signature.email,
        signature.organisation,
        signature.country.code or "",
        signature.comment,
        "yes" if signature.hide_name else "no",
        signature.status,
        "yes" if signature.confirmed_at else "no",
        signature.source,
        "yes" if signature.notable else "no",
        signature.petition.slug,
    ]
    return [neutralise_formula(cell) for cell in cells]


def lines(signatures: Iterable[Signature]) -> Iterator[str]:
    """The CSV text, one RFC 4180 line at a time, starting with the byte order mark."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BOM + writer.writerow(HEADER)
    for signature in signatures:
        yield writer.writerow(row(signature))


def rows_to_export(signatures: QuerySet) -> Iterator[Signature]:
    """Oldest first, with the letter fetched in the same query, read in chunks."""
    return (
        signatures.select_related("petition")
        .order_by("created_at", "pk")
        .iterator(chunk_size=CHUNK_SIZE)
    )


class NotAFile(OSError):
    """The output path is a symbolic link: writing through it could overwrite any file."""


def write_file(signatures: QuerySet, path: Path) -> int:
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
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return rows


def csv_response(signatures: QuerySet, *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        lines(rows_to_export(signatures)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: no cache, shared or private, may keep a copy.
    add_never_cache_headers(response)
    return response


def filename(stem: str) -> str:
    """A download name that says what is in the file and from which day."""
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.csv"
