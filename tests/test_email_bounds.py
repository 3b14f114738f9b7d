"""Email that one client causes is bounded, and nobody can keep a person from getting the
confirmation of their own signature."""

import io
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from helpers import link_in, page_text, press_confirm
from signatories import abuse
from signatories.models import Signature

FLOODER = "203.0.113.13"


def fingerprint(response) -> tuple:
    headers = tuple(sorted((k, v) for k, v in response.headers.items() if k.lower() != "date"))
    return response.status_code, headers, response.content


def test_a_flood_from_one_client_sends_only_its_rate_limit_of_emails(sign, mailoutbox, settings):
    """One client signing 200 addresses in a few seconds: its first ten signers are emailed,
    the rest are stored and flagged, their emails held for a moderator."""
    responses = [sign(email=f"target{n}@example.org", remote_addr=FLOODER) for n in range(200)]

    assert len(mailoutbox) == settings.SIGNING_RATE_LIMIT == 10
    assert len({fingerprint(response) for response in responses}) == 1
    assert Signature.objects.count() == 200
    held = Signature.objects.filter(email_held=True)
    assert held.count() == 190
    assert all(signature.flag_list == ["rate_limited"] for signature in held)
    assert not held.filter(emails_sent__gt=0).exists()


def test_another_client_still_gets_its_email_during_a_flood(sign, mailoutbox):
    for number in range(30):
        sign(email=f"target{number}@example.org", remote_addr=FLOODER)

    sign(email="honest@example.org", remote_addr="198.51.100.20")

    assert mailoutbox[-1].to == ["honest@example.org"]


def test_moderators_see_held_emails_in_the_queue_and_release_or_reject_them(
    sign, mailoutbox, moderator_client, settings, django_capture_on_commit_callbacks
):
    settings.SIGNING_RATE_LIMIT = 1
    for number in range(4):
        sign(email=f"union{number}@example.org", remote_addr=FLOODER)
    assert len(mailoutbox) == 1

    queue = moderator_client.get("/admin/signatories/signature/")
    assert "The confirmation emails of 3 signatures are held" in page_text(queue)
    held = moderator_client.get("/admin/signatories/signature/?status=held")
    assert held.context["cl"].result_count == 3
    first, second, third = held.context["cl"].result_list
    with django_capture_on_commit_callbacks(execute=True):
        released = moderator_client.post(
            "/admin/signatories/signature/?status=held",
            {"action": "release_emails", "_selected_action": [first.pk, second.pk]},
            follow=True,
        )
    moderator_client.post(
        "/admin/signatories/signature/?status=held",
        {"action": "reject", "_selected_action": [third.pk]},
    )

    assert "Released 2 held emails." in page_text(released)
    assert sorted(message.to[0] for message in mailoutbox[1:]) == sorted(
        [first.email, second.email]
    )
    assert Signature.objects.filter(email_held=True).get().status == Signature.Status.REJECTED


def test_a_released_email_confirms_its_signature(
    client, sign, mailoutbox, moderator_client, settings, django_capture_on_commit_callbacks
):
    settings.SIGNING_RATE_LIMIT = 0  # every signature from this network is over
    sign(remote_addr=FLOODER)
    signature = Signature.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(
            "/admin/signatories/signature/?status=held",
            {"action": "release_emails", "_selected_action": [signature.pk]},
        )

    press_confirm(client, link_in(mailoutbox[0], "confirm"))

    signature.refresh_from_db()
    assert signature.confirmed_at is not None
    assert signature.email_held is False


@pytest.fixture
def worker(settings, monkeypatch):
    """The email worker, on the durable queue, as production runs it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run(*, an_hour_later: bool = False) -> None:
        if an_hour_later:
            DBTaskResult.objects.update(run_after=timezone.now())
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    return run


def test_the_site_sends_at_most_its_hourly_budget_and_the_rest_the_next_hour(
    sign, mailoutbox, settings, worker, monkeypatch
):
    settings.SITE_HOURLY_EMAILS = 3
    for number in range(5):
        sign(email=f"signer{number}@example.org", remote_addr=f"198.51.100.{number}")

    worker()
    assert len(mailoutbox) == 3
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.count() == 2
    assert all(task.run_after > timezone.now() for task in waiting)
    assert all(task.priority > 0 for task in waiting)  # before the next hour's new ones

    an_hour_later = time.time() + 3600
    monkeypatch.setattr(abuse, "time", SimpleNamespace(time=lambda: an_hour_later))
    worker(an_hour_later=True)
    assert len(mailoutbox) == 5
    assert {message.to[0] for message in mailoutbox} == {
        f"signer{n}@example.org" for n in range(5)
    }


def test_without_a_worker_that_can_wait_emails_over_the_hourly_budget_are_held(
    sign, mailoutbox, settings
):
    settings.SITE_HOURLY_EMAILS = 2
    for number in range(3):
        sign(email=f"signer{number}@example.org", remote_addr=f"198.51.100.{number}")

    assert len(mailoutbox) == 2
    held = Signature.objects.get(email_held=True)
    assert (held.email, held.emails_sent) == ("signer2@example.org", 0)


def test_nobody_can_silence_someone_elses_confirmation_by_signing_other_letters(
    make_petition, letter, sign, client, signing_data, mailoutbox, settings,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """Five signings of the victim's address on five letters spend the mailbox's day; the
    victim's own signature on a sixth letter still gets its email."""
    others = [make_petition(slug=f"letter-{n}", title=f"Letter {n}") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        for other in others:
            client.post(f"/petitions/{other.slug}/sign/", signing_data, REMOTE_ADDR="192.0.2.66")
    assert len(mailoutbox) == settings.MAILBOX_DAILY_EMAILS == 5

    sign(name="Aigerim Seitkali", hide_name="on")

    [own] = mailoutbox[5:]
    assert own.to == ["aigerim@example.org"]
    assert "/petitions/ukteshbayev-open-letter/confirm/" in own.body
    press_confirm(client, link_in(own, "confirm"))
    assert letter.signatures.get().confirmed_at is not None


def test_re_sends_stay_within_the_days_emails_of_the_mailbox(sign, mailoutbox, settings):
    """The caps limit what others can cause: re-sends, not a signature's first email."""
    settings.MAILBOX_DAILY_EMAILS = 2
    for _attempt in range(4):
        sign(remote_addr="192.0.2.66")

    assert len(mailoutbox) == 2


def test_signing_with_someones_address_again_and_again_never_silences_them_for_good(
    client, sign, mailoutbox, monkeypatch
):
    """A stranger spends the letter's cap with the victim's address. Every email it sent holds
    a link that lets the victim publish what they choose; once those links have expired, the
    victim's own signature gets an email of its own."""
    for _attempt in range(5):
        sign(name="Aigerim Seitkali", remote_addr="192.0.2.66")
    assert len(mailoutbox) == 5
    sign(name="Aigerim Seitkali", hide_name="on")  # the victim herself, within the cap's month
    assert len(mailoutbox) == 5

    page = client.get(link_in(mailoutbox[2], "confirm"))  # any of the stranger's links
    assert page.context["form"]["hide_name"].value() is True  # her request stands

    in_31_days = time.time() + 31 * 24 * 3600
    monkeypatch.setattr(abuse, "time", SimpleNamespace(time=lambda: in_31_days))
    monkeypatch.setattr(
        "django.utils.timezone.now",
        lambda: datetime.fromtimestamp(in_31_days, UTC),
    )
    sign(name="Aigerim Seitkali", hide_name="on")
    assert len(mailoutbox) == 6
    assert "/confirm/" in mailoutbox[5].body
