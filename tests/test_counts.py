"""The counting job: each letter's counts stored by one process at a time, every few seconds,
so that no request counts signatures and no signature writes a counter."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, connections
from django.utils import timezone

from helpers import page_text
from petitions.models import LetterCounts, Petition, counts_of
from signatories import counts
from signatories.models import Signature
from solidarity.locks import single_flight

LETTER = "/petitions/ukteshbayev-open-letter/"


def stored(petition: Petition) -> LetterCounts:
    return LetterCounts.objects.get(petition=petition)


def test_the_job_stores_a_letters_counts_by_status_country_and_day(letter, make_signature):
    """The public count holds hidden names; the list's count only the names it shows."""
    make_signature(letter, country="KZ")
    make_signature(letter, country="KZ", hide_name=True)
    make_signature(letter, country="SE", notable=True)
    make_signature(letter, status=Signature.Status.PENDING, confirmed_at=None)
    make_signature(letter, status=Signature.Status.REJECTED)

    call_command("count_signatures", "--once")

    counted = stored(letter)
    assert (counted.approved, counted.listed, counted.pending, counted.rejected) == (3, 1, 1, 1)
    assert counted.by_country == {"KZ": 2, "SE": 1}
    assert counted.by_day == {timezone.now().date().isoformat(): 3}
    assert counted.counted_at is not None


def test_signing_writes_no_counter_and_the_next_pass_counts_it(
    client, sign, letter, make_signature, counted, admin_user
):
    """However many sign at once, no signature updates a shared row: the page shows what the
    job stored, and the job's next pass counts what was approved since."""
    make_signature(letter)
    counted()
    before = stored(letter).counted_at

    sign(email="new.signer@example.org")
    assert stored(letter).counted_at == before
    assert "1 signature" in page_text(client.get(LETTER))

    new = Signature.objects.filter(email="new.signer@example.org")
    new.update(confirmed_at=timezone.now())
    new.moderate(Signature.Status.APPROVED, by=admin_user)
    counted()

    assert stored(letter).approved == 2
    assert "2 signatures" in page_text(client.get(LETTER))


def test_moderation_is_counted_and_broken_down_again_at_the_next_pass(
    letter, make_signature, admin_user
):
    """Rejecting an approved signature changes the count and the breakdown by country."""
    make_signature(letter, country="KZ")
    swedish = make_signature(letter, country="SE")
    call_command("count_signatures", "--once")
    assert stored(letter).by_country == {"KZ": 1, "SE": 1}

    Signature.objects.filter(pk=swedish.pk).moderate(Signature.Status.REJECTED, by=admin_user)
    call_command("count_signatures", "--once")

    counted = stored(letter)
    assert (counted.approved, counted.rejected) == (1, 1)
    assert counted.by_country == {"KZ": 1}


def test_an_edit_that_changes_no_count_is_still_broken_down_again(
    letter, make_signature, admin_user
):
    """A moderator moving a signature to another country changes no total, but stamps the
    change: the breakdown follows."""
    signature = make_signature(letter, country="KZ")
    call_command("count_signatures", "--once")

    Signature.objects.filter(pk=signature.pk).update(country="SE", moderated_at=timezone.now())
    call_command("count_signatures", "--once")

    assert stored(letter).by_country == {"SE": 1}


def test_a_letter_closed_long_ago_is_left_to_the_nightly_exact_count(
    make_petition, make_signature
):
    long_ago = timezone.now() - counts.ACTIVE_FOR - timedelta(days=1)
    closed = make_petition(status=Petition.Status.CLOSED)
    Petition.objects.filter(pk=closed.pk).update(updated_at=long_ago, closes_at=long_ago)
    make_signature(closed)

    call_command("count_signatures", "--once")
    assert not LetterCounts.objects.filter(petition=closed).exists()
    assert counts_of(closed).approved == 0

    call_command("count_signatures", "--once", "--exact")
    assert stored(closed).approved == 1


def test_a_letter_closed_lately_is_still_counted_every_pass(make_petition, make_signature):
    """A signer may withdraw after a letter closes: its count must follow."""
    closed = make_petition(status=Petition.Status.CLOSED)
    signature = make_signature(closed)
    call_command("count_signatures", "--once")
    assert stored(closed).approved == 1

    signature.delete()
    call_command("count_signatures", "--once")
    assert stored(closed).approved == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="an advisory lock held by another connection; CI runs it against PostgreSQL",
)
def test_while_another_process_counts_this_one_skips_its_turn(letter, make_signature):
    """Single flight across processes and machines: the lock is PostgreSQL's, so a second
    counting job anywhere waits for its next turn instead of counting too."""
    make_signature(letter)
    holding, release = threading.Event(), threading.Event()

    def other_process() -> None:
        try:
            with single_flight("signatories.counts") as ours:
                assert ours
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    other = threading.Thread(target=other_process)
    other.start()
    try:
        assert holding.wait(10)
        assert counts.refresh() is None
        assert not LetterCounts.objects.filter(petition=letter).exists()
    finally:
        release.set()
        other.join(10)

    assert counts.refresh() == 1
    assert stored(letter).approved == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="an advisory lock held by another connection; CI runs it against PostgreSQL",
)
def test_the_nightly_count_waits_for_the_turn_of_the_one_counting_now(letter, make_signature):
    """`--once` (the nightly exact count) is never skipped because the job that counts every
    few seconds held the lock at that moment: it waits for its turn."""
    make_signature(letter)
    holding = threading.Event()

    def other_process() -> None:
        try:
            with single_flight("signatories.counts"):
                holding.set()
                time.sleep(0.5)
        finally:
            connections.close_all()

    other = threading.Thread(target=other_process)
    other.start()
    assert holding.wait(10)
    call_command("count_signatures", "--once", "--exact")
    other.join(10)

    assert stored(letter).approved == 1


def test_the_job_goes_on_counting_after_the_database_failed(monkeypatch):
    """A database restart must not end counting for good: the next turn counts again."""
    turns = []

    class Stopped(Exception):
        pass

    def refresh(*, exact: bool) -> int:
        turns.append(exact)
        if len(turns) == 1:
            raise OperationalError("the database system is shutting down")
        raise Stopped

    monkeypatch.setattr(counts, "refresh", refresh)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)

    with pytest.raises(Stopped):
        call_command("count_signatures")
    assert len(turns) == 2


def test_the_admin_reads_the_stored_counts(admin_client, letter, make_signature):
    """The letters list shows what the job stored, and counts nothing on a click."""
    make_signature(letter)
    call_command("count_signatures", "--once")
    LetterCounts.objects.filter(petition=letter).update(approved=4321)

    page = page_text(admin_client.get("/admin/petitions/petition/"))

    assert "4321" in page or "4,321" in page
