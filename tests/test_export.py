import io
import re
import stat
import tracemalloc
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone

from helpers import csv_rows, page_text
from signatories import export
from signatories.models import Export, Signature

export_row = export.row
CONTRACT_HEADER = "signed_at,name,email,organisation,country,comment,hide_name,status,confirmed"


def export_command(*args: str) -> bytes:
    out = io.StringIO()
    call_command("export_signatures", *args, stdout=out)
    return out.getvalue().encode("utf-8")


def test_csv_starts_with_a_bom_and_the_contract_header(letter, make_signature):
    make_signature(letter)

    data = export_command("ukteshbayev-open-letter")

    assert data.startswith(b"\xef\xbb\xbf" + CONTRACT_HEADER.encode())


def test_csv_rows_hold_every_field_of_a_signature(letter, make_signature):
    make_signature(
        letter,
        name="Jonas Brännberg",
        email="jonas@example.org",
        organisation="Rättvisepartiet Socialisterna",
        country="SE",
        comment="Solidarity",
        hide_name=True,
        created_at="2026-03-01T12:30:00Z",
        confirmed_at="2026-03-01T12:40:00Z",
    )

    [row] = csv_rows(export_command("ukteshbayev-open-letter"))

    assert row == {
        "signed_at": "2026-03-01 12:30:00",
        "name": "Jonas Brännberg",
        "email": "jonas@example.org",
        "organisation": "Rättvisepartiet Socialisterna",
        "country": "SE",
        "comment": "Solidarity",
        "hide_name": "yes",
        "status": "approved",
        "confirmed": "yes",
        "source": "web",
        "notable": "no",
        "letter": "ukteshbayev-open-letter",
    }


def test_csv_quotes_commas_quotes_and_line_breaks_as_rfc_4180_says(letter, make_signature):
    make_signature(letter, name='Tom "Red" Smith', organisation="Unite, Leeds", comment="a\nb")

    data = export_command("ukteshbayev-open-letter").decode("utf-8-sig")

    assert ',"Tom ""Red"" Smith",' in data
    assert '"Unite, Leeds"' in data
    assert '"a\nb"' in data
    assert data.count("\r\n") == 2  # header and row end with CRLF; the newline inside is kept


@pytest.mark.parametrize(
    "typed",
    ["=1+1", "+1", "-1", "@SUM(A1:A2)", "\tTab", "\rReturn", "＝1+1", '=HYPERLINK("x")'],
)
def test_cells_that_look_like_formulas_are_neutralised(letter, make_signature, typed):
    make_signature(letter, source="paper", organisation=typed, comment=typed)

    [row] = csv_rows(export_command("ukteshbayev-open-letter"))

    assert row["organisation"] == "'" + typed
    assert row["comment"] == "'" + typed


def test_status_option_selects_which_signatures_are_exported(letter, make_signature):
    make_signature(letter, name="Approved One")
    make_signature(letter, name="Pending One", status=Signature.Status.PENDING)
    make_signature(letter, name="Rejected One", status=Signature.Status.REJECTED)

    def names(status: str) -> list[str]:
        rows = csv_rows(export_command("ukteshbayev-open-letter", "--status", status))
        return sorted(row["name"] for row in rows)

    assert names("approved") == ["Approved One"]
    assert names("pending") == ["Pending One"]
    assert names("rejected") == ["Rejected One"]
    assert names("all") == ["Approved One", "Pending One", "Rejected One"]


def test_export_leaves_out_other_letters(letter, make_petition, make_signature):
    make_signature(letter, name="Ours")
    make_signature(make_petition(slug="other", title="Other"), name="Theirs")

    assert [row["name"] for row in csv_rows(export_command("ukteshbayev-open-letter"))] == ["Ours"]


def test_output_option_writes_the_same_bytes_as_stdout(letter, make_signature, tmp_path):
    make_signature(letter, name="Есенбек Өктешбаев")
    target = tmp_path / "signatures.csv"

    call_command("export_signatures", "ukteshbayev-open-letter", output=str(target))

    assert target.read_bytes() == export_command("ukteshbayev-open-letter")


def test_unknown_letter_or_status_is_a_clear_command_error(db):
    with pytest.raises(CommandError, match="No letter has the slug 'nope'"):
        call_command("export_signatures", "nope")
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("export_signatures", "nope", "--status", "everything")


@pytest.fixture
def export_in_the_admin(organiser_client, django_capture_on_commit_callbacks):
    """Ask for a letter's export as an organiser would, let the worker write it, and return
    the progress page it lands on."""

    def ask(letter, **choice: str):
        url = f"/admin/signatories/export/letter/{letter.pk}/"
        assert organiser_client.get(url).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            asked = organiser_client.post(url, choice)
        assert asked.status_code == 302
        return organiser_client.get(asked["Location"])

    return ask


def download(client, progress) -> bytes:
    [link] = re.findall(r'href="(/admin/signatories/export/[^"]+/download/)"', progress.text)
    response = client.get(link)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)  # a download cut short shows as failed
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    return body


def test_admin_export_writes_the_same_csv_as_the_command_and_offers_it_whole(
    organiser_client, letter, make_signature, export_in_the_admin
):
    make_signature(letter, name="Luc de Chivré", organisation="=CGT")
    make_signature(letter, name="Pending", status=Signature.Status.PENDING)

    progress = export_in_the_admin(letter, status="all")

    assert "2 signatures, written in full" in page_text(progress)
    assert download(organiser_client, progress) == export_command(
        "ukteshbayev-open-letter", "--status", "all"
    )
    [done] = Export.objects.all()
    assert (done.state, done.rows_written, done.rows_total) == ("done", 2, 2)
    assert stat.S_IMODE(done.path.stat().st_mode) == 0o600


def test_admin_export_defaults_to_approved_and_ignores_an_unknown_status(
    organiser_client, letter, make_signature, export_in_the_admin
):
    make_signature(letter, name="Approved")
    make_signature(letter, name="Pending", status=Signature.Status.PENDING)

    for choice in ({}, {"status": "everything"}):
        rows = csv_rows(download(organiser_client, export_in_the_admin(letter, **choice)))
        assert [row["name"] for row in rows] == ["Approved"]


def test_an_export_that_fails_offers_no_file_and_says_so(
    organiser_client, letter, make_signature, export_in_the_admin, monkeypatch, caplog
):
    make_signature(letter, name="Aigerim Seitkali")
    monkeypatch.setattr(export, "row", lambda values, zone: 1 / 0)

    export_in_the_admin(letter)

    assert re.search(r"Export #\d+ failed: ZeroDivisionError", caplog.text)
    assert "Aigerim" not in caplog.text
    [failed] = Export.objects.all()
    assert failed.state == "failed"
    assert not failed.path.exists()
    assert list(failed.path.parent.iterdir()) == []  # no partial file left either
    progress = organiser_client.get(f"/admin/signatories/export/{failed.reference}/progress/")
    assert "This export failed, so there is no file to download" in page_text(progress)
    assert "/download/" not in progress.text
    download_url = f"/admin/signatories/export/{failed.reference}/download/"
    assert organiser_client.get(download_url).status_code == 404


def test_an_export_being_written_shows_its_progress_and_reloads_itself(
    organiser_client, letter, make_signature
):
    underway = Export.objects.create(
        petition=letter, state="running", rows_total=1_000_000, rows_written=240_000
    )

    progress = organiser_client.get(f"/admin/signatories/export/{underway.reference}/progress/")

    assert "Writing: 240,000 of 1,000,000 signatures." in page_text(progress)
    assert '<meta http-equiv="refresh" content="2">' in progress.text
    assert "/download/" not in progress.text
    download_url = f"/admin/signatories/export/{underway.reference}/download/"
    assert organiser_client.get(download_url).status_code == 404


def test_an_export_whose_worker_stopped_says_so_rather_than_wait_forever(organiser_client, letter):
    stopped = Export.objects.create(
        petition=letter,
        state="running",
        rows_total=1_000_000,
        rows_written=240_000,
        progress_at=timezone.now() - timedelta(minutes=20),
    )

    progress = organiser_client.get(f"/admin/signatories/export/{stopped.reference}/progress/")

    assert "This export failed, so there is no file to download" in page_text(progress)
    assert 'http-equiv="refresh"' not in progress.text


def test_an_expired_export_cannot_be_downloaded_and_goes_with_its_file(
    organiser_client, letter, make_signature, export_in_the_admin, settings
):
    make_signature(letter)
    progress = export_in_the_admin(letter)
    [old] = Export.objects.all()
    Export.objects.update(created_at=timezone.now() - settings.EXPORT_KEEP)

    [link] = re.findall(r'href="(/admin/signatories/export/[^"]+/download/)"', progress.text)
    assert organiser_client.get(link).status_code == 404
    organiser_client.get("/admin/signatories/export/")  # any page of exports clears them

    assert not Export.objects.exists()
    assert not old.path.exists()


def test_exports_are_deleted_after_their_hours(
    letter, make_signature, export_in_the_admin, settings
):
    make_signature(letter)
    export_in_the_admin(letter)
    [old] = Export.objects.all()
    Export.objects.update(created_at=timezone.now() - settings.EXPORT_KEEP)

    export_in_the_admin(letter)  # the next export clears what is past its hours

    assert not Export.objects.filter(pk=old.pk).exists()
    assert not old.path.exists()


def test_export_needs_the_export_permission(moderator_client, letter, make_signature):
    make_signature(letter)
    done = Export.objects.create(petition=letter, state="done", size=1)

    for url in [
        f"/admin/signatories/export/letter/{letter.pk}/",
        f"/admin/signatories/export/{done.reference}/progress/",
        f"/admin/signatories/export/{done.reference}/download/",
        "/admin/signatories/export/",
    ]:
        assert moderator_client.get(url).status_code == 403, url
    assert (
        moderator_client.post(f"/admin/signatories/export/letter/{letter.pk}/").status_code == 403
    )
    assert Export.objects.count() == 1


def test_admin_action_exports_only_the_selected_signatures(
    organiser_client, letter, make_signature
):
    chosen = make_signature(letter, name="Chosen")
    make_signature(letter, name="Not chosen")

    response = organiser_client.post(
        "/admin/signatories/signature/?status=all",
        {"action": "export_csv", "_selected_action": [chosen.pk]},
    )

    assert "no-store" in response["Cache-Control"]
    assert int(response["Content-Length"]) == len(response.content)
    rows = csv_rows(response.content)
    assert [row["name"] for row in rows] == ["Chosen"]


def test_admin_action_on_every_signature_gives_the_same_csv_as_the_command(
    organiser_client, letter, make_signature
):
    everyone = [
        make_signature(letter, name="Luc de Chivré", organisation="=CGT"),
        make_signature(letter, name="Pending", status=Signature.Status.PENDING),
        make_signature(letter, name="Айгерим", hide_name=True, comment="Line one\nline two"),
    ]

    response = organiser_client.post(
        "/admin/signatories/signature/?status=all",
        {"action": "export_csv", "_selected_action": [s.pk for s in everyone]},
    )

    assert response.content == export_command("ukteshbayev-open-letter", "--status", "all")


def test_the_action_refuses_more_than_it_can_write_at_once(
    organiser_client, letter, make_signature, monkeypatch
):
    monkeypatch.setattr(export, "SELECTED_MAX", 1)
    everyone = [make_signature(letter), make_signature(letter)]

    response = organiser_client.post(
        "/admin/signatories/signature/?status=all",
        {"action": "export_csv", "_selected_action": [s.pk for s in everyone]},
        follow=True,
    )

    assert "2 signatures are too many to export from here" in page_text(response)
    assert response["Content-Type"].startswith("text/html")


def test_export_action_is_not_offered_to_moderators(moderator_client, letter, make_signature):
    make_signature(letter)

    response = moderator_client.get("/admin/signatories/signature/")

    actions = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert "export_csv" not in actions
    assert "approve" in actions


def add_signatures(letter, count: int) -> None:
    Signature.objects.bulk_create(
        Signature(
            petition=letter,
            name=f"Signer {n}",
            email=f"s{n}@example.org",
            email_canonical=f"s{n}@example.org",
            status="approved",
            confirmed_at=timezone.now(),
        )
        for n in range(Signature.objects.count(), Signature.objects.count() + count)
    )


def peak_memory_of_an_export(letter) -> tuple[int, int]:
    """Rows written and the most memory held at once while writing them."""
    tracemalloc.start()
    try:
        rows = sum(1 for _line in export.lines(export.rows_to_export(letter.signatures.all())))
        return rows, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_export_memory_stays_flat_as_the_letter_grows(letter, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_SIZE", 100)
    add_signatures(letter, 300)
    small_rows, small_peak = peak_memory_of_an_export(letter)
    add_signatures(letter, 2_700)
    large_rows, large_peak = peak_memory_of_an_export(letter)

    assert (small_rows, large_rows) == (301, 3_001)  # with the header
    # Ten times the rows, yet about the same memory: rows are read in chunks and written out.
    assert large_peak < 2 * small_peak


def test_output_file_is_readable_by_its_owner_only(letter, make_signature, tmp_path):
    make_signature(letter)
    target = tmp_path / "signatures.csv"

    call_command("export_signatures", "ukteshbayev-open-letter", output=str(target))

    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_an_earlier_file_written_over_is_made_readable_by_its_owner_only(
    letter, make_signature, tmp_path
):
    make_signature(letter, name="Aigerim")
    target = tmp_path / "signatures.csv"
    target.write_text("an older list")
    target.chmod(0o644)

    call_command("export_signatures", "ukteshbayev-open-letter", output=str(target))

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [row["name"] for row in csv_rows(target.read_bytes())] == ["Aigerim"]


def test_unwritable_output_is_a_clear_command_error(letter, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command(
            "export_signatures", "ukteshbayev-open-letter", output=str(tmp_path / "no" / "x.csv")
        )


def test_output_through_a_symbolic_link_is_refused_and_its_target_untouched(
    letter, make_signature, tmp_path
):
    """Someone who can write the export folder must not make the export overwrite a file
    elsewhere, such as the site's configuration."""
    make_signature(letter)
    elsewhere = tmp_path / "settings.env"
    elsewhere.write_text("SECRET_KEY=keep-me")
    link = tmp_path / "signatures.csv"
    link.symlink_to(elsewhere)

    with pytest.raises(CommandError, match="symbolic link"):
        call_command("export_signatures", "ukteshbayev-open-letter", output=str(link))

    assert elsewhere.read_text() == "SECRET_KEY=keep-me"
    assert link.is_symlink()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["settings.env", "signatures.csv"]


def test_an_export_that_fails_half_way_leaves_no_file_that_looks_whole(
    letter, make_signature, tmp_path, monkeypatch
):
    for number in range(3):
        make_signature(letter, name=f"Signatory {number}")
    target = tmp_path / "signatures.csv"
    target.write_text("yesterday's whole list")
    written = []

    def row_or_crash(values, zone):
        if len(written) == 2:
            raise OperationalError("the database went away")
        written.append(values)
        return export_row(values, zone)

    monkeypatch.setattr(export, "row", row_or_crash)
    with pytest.raises(OperationalError):
        call_command("export_signatures", "ukteshbayev-open-letter", output=str(target))

    assert target.read_text() == "yesterday's whole list"
    assert [path.name for path in tmp_path.iterdir()] == ["signatures.csv"]


def test_the_command_says_how_many_signatures_it_wrote(letter, make_signature, tmp_path):
    make_signature(letter)
    make_signature(letter)
    out = io.StringIO()

    call_command(
        "export_signatures", "ukteshbayev-open-letter", output=str(tmp_path / "x.csv"), stdout=out
    )

    assert "Wrote 2 signatures of 'ukteshbayev-open-letter' (approved)" in out.getvalue()


def test_export_choices_on_the_letter_page_are_labelled_for_people(organiser_client, letter):
    response = organiser_client.get(f"/admin/petitions/petition/{letter.pk}/change/")

    assert '<option value="approved">Approved</option>' in response.text
    # What organisers hand over is the first choice, so the one a browser starts on.
    assert response.text.index('value="approved"') < response.text.index('value="pending"')
    assert '<option value="all">All</option>' in response.text
