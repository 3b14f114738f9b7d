"""Double opt-in: one email, a link whose page has a button, and every way a link can fail."""

import io
import re
import smtplib
import threading
import time
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from helpers import link_in, page_text, press_confirm
from petitions.models import Petition
from signatories.emails import deliver, is_temporary
from signatories.models import Signature


def test_signing_sends_exactly_one_email_to_the_signer_alone(sign, mailoutbox):
    sign()

    [message] = mailoutbox
    assert message.to == ["aigerim@example.org"]
    assert message.cc == []
    assert message.bcc == []
    assert message.subject == "Please confirm your signature on “Defend Esenbek Ukteshbayev”"
    assert message.body.startswith("Hello,")
    assert link_in(message, "confirm").startswith("/petitions/ukteshbayev-open-letter/confirm/")
    assert link_in(message, "withdraw").startswith("/petitions/ukteshbayev-open-letter/withdraw/")
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert "Confirm my signature" in html


def test_the_subject_and_text_carry_the_title_as_typed_and_the_html_escapes_it_once(
    client, make_petition, signing_data, mailoutbox, django_capture_on_commit_callbacks
):
    make_petition(title='Workers\' rights & "unions" <now>')

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/petitions/ukteshbayev-open-letter/sign/", signing_data)

    [message] = mailoutbox
    assert (
        message.subject == 'Please confirm your signature on “Workers\' rights & "unions" <now>”'
    )
    assert 'Thank you for signing “Workers\' rights & "unions" <now>”.' in message.body
    html = message.alternatives[0][0]
    assert "Workers&#x27; rights &amp; &quot;unions&quot; &lt;now&gt;" in html


def test_email_links_point_at_the_public_site(sign, mailoutbox, settings):
    settings.SITE_URL = "https://solidarity.example.org"

    sign()

    assert "https://solidarity.example.org/petitions/ukteshbayev-open-letter/confirm/" in (
        mailoutbox[0].body
    )


def test_the_email_carries_nothing_the_signer_typed(sign, mailoutbox):
    """Anyone can type anyone's address: the site must not carry their words to that inbox."""
    sign(name="You are being watched", organisation="We know", comment="Where you live")

    [message] = mailoutbox
    for typed in ["watched", "We know", "Where you live"]:
        assert typed not in message.subject
        assert typed not in message.body
        assert typed not in message.alternatives[0][0]


def test_the_email_waits_for_the_signature_to_be_committed(
    client, letter, signing_data, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as waiting:
        client.post("/petitions/ukteshbayev-open-letter/sign/", signing_data)

    assert Signature.objects.count() == 1
    assert mailoutbox == []  # nothing is sent inside the request
    assert len(waiting) == 1  # the email is queued once the signature is committed


def test_email_printed_while_debugging_has_links_that_open(client, sign, settings):
    """`make run` prints email in the terminal: a newcomer opens its links from there."""
    printed = io.StringIO()
    settings.MAILERS = {
        "default": {"BACKEND": "solidarity.mail.EmailBackend", "OPTIONS": {"stream": printed}}
    }

    sign()

    text = printed.getvalue()
    assert "To: aigerim@example.org" in text
    assert "Subject: Please confirm your signature on “Defend Esenbek Ukteshbayev”" in text
    [confirm] = set(re.findall(r"http://[^\s\"]+/confirm/[^\s\"]+", text))
    assert "Confirm my signature" in page_text(client.get(urlsplit(confirm).path))
    [withdraw] = set(re.findall(r"http://[^\s\"]+/withdraw/[^\s\"]+", text))
    assert "Withdraw my signature" in page_text(client.get(urlsplit(withdraw).path))


def test_opening_the_link_shows_what_will_be_published_and_confirms_nothing(
    client, sign, mailoutbox
):
    sign()

    response = client.get(link_in(mailoutbox[0], "confirm"))

    assert response.status_code == 200
    text = page_text(response)
    assert "as it will be published once campaign staff approve it" in text
    assert "What will be published Aigerim Seitkali, Zhanartu (Kazakhstan)" in text
    assert "Solidarity from Almaty." in text
    assert '<form method="post"' in response.text
    assert Signature.objects.get().confirmed_at is None


def test_pressing_the_button_confirms_the_signature(client, sign, mailoutbox):
    sign()

    response = press_confirm(client, link_in(mailoutbox[0], "confirm"))

    assert response["Location"] == "/petitions/ukteshbayev-open-letter/confirmed/"
    confirmed = client.get(response["Location"])
    assert "your signature on “Defend Esenbek Ukteshbayev” is confirmed" in page_text(confirmed)
    signature = Signature.objects.get()
    assert signature.confirmed_at is not None
    assert signature.name == "Aigerim Seitkali"
    assert signature.status == Signature.Status.PENDING  # a moderator still decides


def test_confirming_twice_is_harmless(client, sign, mailoutbox):
    sign()
    url = link_in(mailoutbox[0], "confirm")
    press_confirm(client, url)
    first = Signature.objects.get().confirmed_at

    response = press_confirm(client, url, name="Changed Later")

    assert response.status_code == 302
    assert Signature.objects.get().confirmed_at == first
    assert Signature.objects.get().name == "Aigerim Seitkali"


def test_confirmed_signature_reaches_the_moderation_queue(client, sign, mailoutbox, admin_client):
    sign()
    queue = admin_client.get("/admin/signatories/signature/")
    assert queue.context["cl"].result_count == 0

    press_confirm(client, link_in(mailoutbox[0], "confirm"))

    queue = admin_client.get("/admin/signatories/signature/")
    assert [s.name for s in queue.context["cl"].result_list] == ["Aigerim Seitkali"]


def tampered(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


@pytest.mark.parametrize(
    "case", ["expired", "tampered", "foreign", "withdrawn", "withdraw link", "garbage", "long"]
)
def test_every_broken_link_gets_one_friendly_page(
    client, sign, mailoutbox, make_petition, make_signature, monkeypatch, case
):
    sign()
    signature = Signature.objects.get()
    token = signature.link_token("confirm")
    other = make_signature(
        make_petition(slug="another-letter", title="Another letter"),
        status=Signature.Status.PENDING,
        confirmed_at=None,
    )
    url = {
        "expired": f"/petitions/ukteshbayev-open-letter/confirm/{token}/",
        "tampered": f"/petitions/ukteshbayev-open-letter/confirm/{tampered(token)}/",
        "foreign": f"/petitions/ukteshbayev-open-letter/confirm/{other.link_token('confirm')}/",
        "withdrawn": f"/petitions/ukteshbayev-open-letter/confirm/{token}/",
        "withdraw link": "/petitions/ukteshbayev-open-letter/confirm/"
        f"{signature.link_token('withdraw')}/",
        "garbage": "/petitions/ukteshbayev-open-letter/confirm/not-a-token/",
        "long": f"/petitions/ukteshbayev-open-letter/confirm/{'x' * 5000}/",
    }[case]
    if case == "expired":
        in_31_days = time.time() + 31 * 24 * 3600
        monkeypatch.setattr(signing.time, "time", lambda: in_31_days)
    if case == "withdrawn":
        signature.delete()

    shown = client.get(url)
    pressed = client.post(url)

    for response in (shown, pressed):
        assert response.status_code == 404
        assert "This link does not work" in page_text(response)
        assert "sign again" in page_text(response)
    assert not Signature.objects.filter(confirmed_at__isnull=False, email__contains="aigerim")
    other.refresh_from_db()
    assert other.confirmed_at is None


def test_a_link_from_the_last_day_still_works(client, sign, mailoutbox, monkeypatch):
    sign()
    url = link_in(mailoutbox[0], "confirm")
    in_29_days = time.time() + 29 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: in_29_days)

    press_confirm(client, url)

    assert Signature.objects.get().confirmed_at is not None


def test_signing_again_emails_at_most_five_times_each_link_for_its_own_submission(
    client, sign, mailoutbox
):
    responses = [sign(name=f"Attempt {n}") for n in range(8)]

    assert len(mailoutbox) == 5
    assert all(message.to == ["aigerim@example.org"] for message in mailoutbox)
    assert {r["Location"] for r in responses} == {"/petitions/ukteshbayev-open-letter/thanks/"}
    # Each submission is kept, pending, until one is confirmed from its own link.
    assert Signature.objects.count() == 8
    assert sum(Signature.objects.values_list("emails_sent", flat=True)) == 5
    press_confirm(client, link_in(mailoutbox[3], "confirm"))
    signature = Signature.objects.get()  # the others went: only one can count
    assert signature.name == "Attempt 3"
    assert signature.emails_sent == 5


def test_each_email_confirms_the_submission_it_was_sent_for(client, sign, mailoutbox):
    sign(name="First Try")
    sign(email="AIGERIM@example.org", name="Second Try")

    assert len(mailoutbox) == 2
    press_confirm(client, link_in(mailoutbox[1], "confirm"))

    signature = Signature.objects.get()
    assert (signature.name, signature.email) == ("Second Try", "AIGERIM@example.org")
    assert signature.confirmed_at is not None
    # The first link now stands for nothing: its submission went.
    assert client.get(link_in(mailoutbox[0], "confirm")).status_code == 404


def test_a_forgery_does_not_lock_the_mailbox_owner_out(client, sign, mailoutbox):
    """A bot or a forger signed with someone's address first; its owner still signs."""
    sign(name="Forged Name", extra_reference="bot")  # no email for a bot's signature
    assert mailoutbox == []
    Signature.objects.update(status=Signature.Status.REJECTED)

    sign(name="The Real Owner")

    [message] = mailoutbox  # the first email to this mailbox about the letter
    press_confirm(client, link_in(message, "confirm"))
    owner = Signature.objects.get(confirmed_at__isnull=False)
    assert owner.name == "The Real Owner"
    assert Signature.objects.get(name="Forged Name").status == Signature.Status.REJECTED


def test_a_bot_signing_again_gets_nobody_an_email(sign, mailoutbox):
    sign()
    sign(extra_reference="bot")  # the same address again, from a bot

    assert len(mailoutbox) == 1


def test_the_first_email_about_each_letter_always_goes_and_the_day_caps_the_rest(
    client, letter, make_petition, signing_data, mailoutbox, django_capture_on_commit_callbacks
):
    slugs = ["ukteshbayev-open-letter"]
    slugs += [make_petition(slug=f"letter-{n}", title=f"Letter {n}").slug for n in range(6)]

    with django_capture_on_commit_callbacks(execute=True):
        for number, slug in enumerate(slugs):
            client.post(
                f"/petitions/{slug}/sign/",
                signing_data | {"email": f"victim+{number}@corp.example"},
            )
    assert len(mailoutbox) == 7  # one about each letter, though over the day's five
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/petitions/{slugs[0]}/sign/", signing_data | {"email": "victim+0@corp.example"}
        )

    assert len(mailoutbox) == 7  # a re-send, over the day's emails of the mailbox
    assert Signature.objects.count() == 8  # every submission is still stored


def test_a_signer_who_signs_again_in_another_language_gets_that_language(
    client, letter, signing_data, mailoutbox, django_capture_on_commit_callbacks
):
    for url in ["/petitions/ukteshbayev-open-letter/", "/ru/petitions/ukteshbayev-open-letter/"]:
        with django_capture_on_commit_callbacks(execute=True):  # each request commits apart
            client.post(f"{url}sign/", signing_data)

    assert mailoutbox[0].body.startswith("Hello,")
    assert not mailoutbox[1].body.startswith("Hello,")
    assert link_in(mailoutbox[1], "confirm").startswith("/ru/")


def test_the_email_goes_to_the_domain_the_signer_meant(sign, mailoutbox):
    sign(email="aigerim@faß.de")

    assert mailoutbox[0].to == ["aigerim@xn--fa-hia.de"]  # IDNA 2008, not "fass.de"
    assert Signature.objects.get().email == "aigerim@faß.de"


def test_a_link_stops_working_once_staff_correct_the_address(client, sign, mailoutbox):
    sign()
    signature = Signature.objects.get()
    signature.email = "aigerim.corrected@example.org"
    signature.save()

    response = press_confirm(client, link_in(mailoutbox[0], "confirm"))

    assert response.status_code == 404
    assert Signature.objects.get().confirmed_at is None


def test_confirming_after_a_withdrawal_is_no_error(client, sign, mailoutbox):
    sign()
    confirm = link_in(mailoutbox[0], "confirm")
    signature = Signature.objects.get()
    signature.withdraw()

    assert client.post(confirm).status_code == 404


def test_a_rejected_signature_its_owner_confirms_goes_back_to_the_moderators(
    client, letter, sign, mailoutbox
):
    """A wave of forgeries was rejected, and one of them used the address of a real signer:
    their confirmation puts it back in the queue, never published by itself."""
    Petition.objects.update(auto_approve=True)
    sign()
    Signature.objects.update(status=Signature.Status.REJECTED)

    press_confirm(client, link_in(mailoutbox[0], "confirm"), hide_name="on")

    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING
    assert (signature.confirmed_at is not None, signature.hide_name) == (True, True)


def test_a_letter_can_do_without_confirmation(client, letter, sign, mailoutbox):
    Petition.objects.update(requires_confirmation=False)

    thanks = sign(name="Paper Campaign").url
    page = client.get(thanks)

    signature = Signature.objects.get()
    assert signature.confirmed_at is not None
    [message] = mailoutbox  # still told how to withdraw
    assert message.subject == "Your signature on “Defend Esenbek Ukteshbayev”"
    assert "/confirm/" not in message.body
    assert "/withdraw/" in message.body
    assert "Please check your email." not in page_text(page)


def test_a_letter_can_approve_confirmed_signatures_itself(
    client, letter, sign, mailoutbox, counted
):
    Petition.objects.update(auto_approve=True)
    sign()

    press_confirm(client, link_in(mailoutbox[0], "confirm"))
    counted()

    assert Signature.objects.get().status == Signature.Status.APPROVED
    text = page_text(client.get("/petitions/ukteshbayev-open-letter/"))
    assert "1 signature" in text
    assert "Aigerim Seitkali" in text


def test_automatic_approval_leaves_flagged_signatures_to_moderators(
    client, letter, sign, mailoutbox
):
    Petition.objects.update(auto_approve=True)
    sign(started="")  # no note of when the form was shown: looks automated

    press_confirm(client, link_in(mailoutbox[0], "confirm"))

    assert Signature.objects.get().status == Signature.Status.PENDING


class RefusingBackend(EmailBackend):
    """A mail server that refuses the recipient, quoting the address as real ones do."""

    def send_messages(self, messages: list) -> int:
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such user")})


def test_a_failed_email_keeps_the_signature_and_logs_no_address(
    sign, mailoutbox, settings, caplog
):
    settings.MAILERS = {"default": {"BACKEND": "test_confirmation.RefusingBackend"}}

    response = sign()

    assert response["Location"] == "/petitions/ukteshbayev-open-letter/thanks/"
    assert Signature.objects.count() == 1
    assert mailoutbox == []
    assert Signature.objects.get().emails_sent == 0  # it did not leave: the cap is not used
    logged = "\n".join(record.getMessage() + str(record.exc_text) for record in caplog.records)
    assert "Could not email signature" in logged
    assert "aigerim" not in logged


class DownBackend(EmailBackend):
    """A mail server that is down for the next few emails, then takes them."""

    failures_left = 0

    def send_messages(self, messages: list) -> int:
        if DownBackend.failures_left:
            DownBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_a_worker_whose_first_email_failed_sends_the_next_one(settings, monkeypatch, mailoutbox):
    """Each worker thread keeps its mail connection: a failure on its very first email must
    not leave it unable to send any other (in a thread of its own, as a fresh worker's)."""
    settings.MAILERS = {"default": {"BACKEND": "test_confirmation.DownBackend"}}
    monkeypatch.setattr(DownBackend, "failures_left", 1)
    outcomes = []

    def fresh_worker() -> None:
        for _ in range(2):
            try:
                deliver(EmailMessage("Subject", "Body", to=["aigerim@example.org"]))
                outcomes.append("sent")
            except smtplib.SMTPServerDisconnected:
                outcomes.append("server down")

    worker = threading.Thread(target=fresh_worker)
    worker.start()
    worker.join(10)

    assert outcomes == ["server down", "sent"]
    assert [message.to for message in mailoutbox] == [["aigerim@example.org"]]


@pytest.fixture
def run_queued_emails(settings, monkeypatch):
    """Have the worker send what is queued; `later`: once the waits of retries are over."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAILERS = {"default": {"BACKEND": "test_confirmation.DownBackend"}}
    # The worker closes connections left in a transaction: here, the test's own.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run(*, later: bool = False) -> None:
        if later:
            DBTaskResult.objects.update(run_after=timezone.now())
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    return run


def test_an_email_the_mail_server_did_not_take_is_sent_again_later(
    sign, run_queued_emails, mailoutbox, monkeypatch
):
    monkeypatch.setattr(DownBackend, "failures_left", 2)
    sign()

    run_queued_emails()
    assert mailoutbox == []
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.run_after > timezone.now()  # not at once: the server was just down
    run_queued_emails(later=True)
    assert mailoutbox == []
    run_queued_emails(later=True)

    [message] = mailoutbox
    assert message.to == ["aigerim@example.org"]
    assert Signature.objects.get().emails_sent == 1  # one email, however many tries
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.parametrize(
    ("error", "tried_again"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPServerDisconnected(), True),
        (smtplib.SMTPDataError(451, b"Try again later"), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"Mailbox busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")}), False),
        (smtplib.SMTPDataError(554, b"Refused as spam"), False),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), False),
    ],
)
def test_only_what_the_mail_server_may_take_later_is_tried_again(error, tried_again):
    assert is_temporary(error) is tried_again


def test_an_email_that_never_leaves_does_not_use_up_the_cap(sign, run_queued_emails, monkeypatch):
    monkeypatch.setattr(DownBackend, "failures_left", 100)
    sign()

    run_queued_emails()
    for _retry in range(5):
        run_queued_emails(later=True)

    assert DBTaskResult.objects.count() == 4  # the email, tried again three times
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert Signature.objects.get().emails_sent == 0


def test_signing_writes_one_signature_and_enqueues_one_email(
    client, letter, signing_data, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/petitions/ukteshbayev-open-letter/sign/", signing_data)

    assert response.status_code == 302
    writes = [q["sql"].split('"')[1] for q in queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert writes == ["signatories_signature", "django_tasks_database_dbtaskresult"]


def test_signing_again_does_the_same_work_as_signing_first_and_queues_no_address(
    client, letter, signing_data, settings, django_capture_on_commit_callbacks
):
    """Neither the statements nor their number tell whether an address had signed."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def statements(email: str) -> list[str]:
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.post(
                "/petitions/ukteshbayev-open-letter/sign/", signing_data | {"email": email}
            )
        assert response.status_code == 302
        # Savepoints are the test's own transaction; a signing request runs without one.
        savepoints = ("SAVEPOINT", "RELEASE", "ROLLBACK TO SAVEPOINT")
        run = [q["sql"] for q in queries if not q["sql"].startswith(savepoints)]
        return [" ".join(sql.split()[:3]) for sql in run]

    statements("someone.else@example.org")  # the letter is read once, then kept a few seconds
    first, again = statements("aigerim@example.org"), statements("AIGERIM@example.org")

    assert first == again
    assert first == [
        'INSERT INTO "signatories_signature"',
        'INSERT INTO "django_tasks_database_dbtaskresult"',
    ]
    # Someone else's, and both of Aigerim's: kept apart until one is confirmed.
    assert Signature.objects.count() == 3
    queued = str(list(DBTaskResult.objects.values()))
    assert DBTaskResult.objects.count() == 3
    assert "aigerim" not in queued.lower()


def test_emails_the_day_budget_holds_back_do_not_use_up_the_cap(sign, settings, mailoutbox):
    """A forger who spent a mailbox's day of emails must not spend its owner's re-sends too."""
    settings.MAILBOX_DAILY_EMAILS = 1
    for _ in range(6):
        sign()

    assert len(mailoutbox) == 1
    assert sum(Signature.objects.values_list("emails_sent", flat=True)) == 1

    cache.clear()  # the next day
    sign()

    assert len(mailoutbox) == 2
    assert sum(Signature.objects.values_list("emails_sent", flat=True)) == 2
