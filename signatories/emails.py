"""The one email a signer gets: confirm your signature, or withdraw it.

It is built and sent by a task queued once the signature is committed (a worker runs it; only
the immediate backend of tests and `make run` runs it at once), always in the language the
signer used. Who may be emailed, and how often, is decided by Signature.take_email; the site as a
whole sends at most SITE_HOURLY_EMAILS an hour.
"""

import logging
import smtplib
import threading
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import abuse
from .addresses import ascii_address
from .choices import CONFIRM, WITHDRAW
from .models import Signature

logger = logging.getLogger(__name__)


# Emails that waited for the hourly budget go before the next hour's new ones.
DEFERRED_PRIORITY = 10
# How long to wait before sending again an email the mail server did not take.
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1)]


class EmailNotSent(Exception):
    """Sending failed; the message names the signature by number only."""


def send_confirmation_later(signature: Signature, *, stored: bool) -> None:
    """Queue the email once the signature is committed, so the worker can read it.

    A signature that was not stored, because its mailbox signed a letter that waives
    confirmation before, stands for that earlier one: the worker finds it by the address's key,
    so the request does the same work either way and the queue holds no address.
    """
    if stored:
        job = partial(email_submission.enqueue, signature.pk)
    else:
        job = partial(
            email_again.enqueue,
            signature.petition_id,
            signature.email_key,
            signature.language,
            signature.hide_name,
        )
    transaction.on_commit(job)


def release_later(signature_ids: list[int]) -> None:
    """Queue the emails a moderator released, as if their signatures had just been made."""
    transaction.on_commit(lambda: [email_submission.enqueue(pk) for pk in signature_ids])


@task()
def email_submission(signature_id: int) -> None:
    """Email the signer of a new submission, as the rules of its mailbox allow: a link to
    confirm it, or word that the mailbox's signature was confirmed already."""
    submission = Signature.objects.select_related("petition").filter(pk=signature_id).first()
    recipient = submission.take_email() if submission is not None else None
    if recipient is not None:
        email_signer(recipient, again=recipient.pk != submission.pk)


@task()
def email_again(petition_id: int, email_key: str, language: str, hide: bool = False) -> None:
    """Tell a mailbox that its address signed again a letter it had signed (one that waives
    confirmation), in the language used this time, within its caps. A request not to be named
    is applied whoever made it: hiding a name is always safe, and on such a letter nobody
    proves which submission is the owner's."""
    signature = Signature.objects.select_related("petition").of_mailbox(petition_id, email_key)
    if signature is None:
        return
    if hide and not signature.hide_name:
        signature.hide()
    signature.language = language
    if signature.count_email(first=False, sent=signature.emails_sent):
        email_signer(signature, again=True)


@task()
def send_email(signature_id: int, again: bool, attempt: int) -> None:
    """Send an email the mail server did not take, or that waited for the hourly budget."""
    signature = Signature.objects.select_related("petition").filter(pk=signature_id).first()
    if signature is not None:  # else withdrawn before the email left
        email_signer(signature, again=again, attempt=attempt)


def email_signer(signature: Signature, *, again: bool, attempt: int = 1) -> None:
    """Send the email now, within the site's hourly budget.

    Over the budget it waits for the next hour, where the task backend can wait (the database
    one does), or else for a moderator. If the mail server fails for now, the same email is
    tried again later, a few times; one that never leaves is not counted.
    """
    backend_waits = send_email.get_backend().supports_defer
    if abuse.site_over_budget():
        if backend_waits:
            # Before the next hour's new emails, so a backlog drains rather than waits forever.
            next_hour = timezone.now().replace(minute=0, second=0) + timedelta(hours=1)
            waited = send_email.using(run_after=next_hour, priority=DEFERRED_PRIORITY)
            waited.enqueue(signature.pk, again, attempt)
        else:
            signature.hold_email()
        logger.warning("Signature #%s not emailed yet: over the hourly budget", signature.pk)
        return
    try:
        deliver(signer_message(signature, again=again))
    except (smtplib.SMTPException, OSError) as error:
        # The server's error can quote the address, and the task log must not.
        failure = f"Could not email signature #{signature.pk}: {type(error).__name__}"
        if backend_waits and attempt <= len(RETRY_DELAYS) and is_temporary(error):
            run_after = timezone.now() + RETRY_DELAYS[attempt - 1]
            send_email.using(run_after=run_after).enqueue(signature.pk, again, attempt + 1)
            raise EmailNotSent(f"{failure}; trying again at {run_after:%H:%M} UTC") from None
        signature.uncount_email()
        raise EmailNotSent(failure) from None


# Each worker thread's connection to the mail server, kept open from one email to the next
# (opening one for each email was half of the time it took to send one), but not past the
# seconds a server may wait before it hangs up on an idle connection.
kept = threading.local()
KEEP_OPEN_SECONDS = 30


def deliver(message: EmailMessage) -> None:
    """Send through this thread's kept connection; any failure closes it, so the next email,
    or this one tried again, opens a fresh one."""
    connection = getattr(kept, "connection", None)
    if connection is None:
        connection = kept.connection = mailers.default
    elif time.monotonic() - getattr(kept, "used_at", 0.0) > KEEP_OPEN_SECONDS:
        # Idle too long, or never sent an email (its first try failed): open it afresh.
        connection.close()
    try:
        connection.open()
        connection.send_messages([message])
    except BaseException:
        connection.close()
        raise
    kept.used_at = time.monotonic()


@receiver(setting_changed)
def forget_connection(setting: str, **kwargs: object) -> None:
    if setting == "MAILERS":
        kept.connection = None


def is_temporary(error: Exception) -> bool:
    """Whether the mail server may take the email later: it could not be reached, hung up, or
    answered with a 4xx code. A 5xx answer (no such user, refused as spam) stays final."""
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _reply in error.recipients.values())
    # A network error (refused, timed out) or a hang-up; other SMTP errors are the server's
    # word on this email (smtplib's errors are OSErrors too).
    return isinstance(error, smtplib.SMTPServerDisconnected) or not isinstance(
        error, smtplib.SMTPException
    )


def signer_message(signature: Signature, *, again: bool = False) -> EmailMultiAlternatives:
    """The email to one signer, with links to confirm (if still needed) and to withdraw;
    `again`: their address signed a letter they had signed, and nothing changed."""
    with translation.override(signature.language):
        context = {
            "signature": signature,
            "again": again,
            "petition": signature.petition,
            "confirm_url": link(signature, CONFIRM),
            "withdraw_url": link(signature, WITHDRAW),
        }
        subject = render_to_string("emails/confirmation_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("emails/confirmation.txt", context),
            to=[ascii_address(signature.email)],
        )
        message.attach_alternative(
            render_to_string("emails/confirmation.html", context), "text/html"
        )
    return message


def link(signature: Signature, purpose: str) -> str:
    path = reverse(
        f"signatories:{purpose}", args=[signature.petition.slug, signature.link_token(purpose)]
    )
    return settings.SITE_URL + path
