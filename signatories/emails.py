"""The one email a signer gets: confirm your signature, or withdraw it.

It is built and sent by a task queued once the signature is committed (a worker runs it; only
the immediate backend of tests and `make run` runs it at once), always in the language the
signer used.
"""

import logging
import smtplib
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import abuse
from .addresses import ascii_address
from .choices import CONFIRM, WITHDRAW
from .models import Signature

logger = logging.getLogger(__name__)


# How long to wait before sending again an email the mail server did not take.
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1)]


class EmailNotSent(Exception):
    """Sending failed; the message names the signature by number only."""


def send_confirmation_later(signature: Signature) -> None:
    """Queue the email once the signature is committed, so the worker can read it.

    A signature that was not stored, because its mailbox signed the letter before, stands for
    that earlier one: the worker finds it by the address's key, so the request does the same
    work either way and the queue holds no address.
    """
    if signature.pk is not None:
        job = partial(send_confirmation.enqueue, signature.pk)
    else:
        job = partial(
            send_confirmation_again.enqueue,
            signature.petition_id,
            signature.email_key,
            signature.language,
        )
    transaction.on_commit(job)


@task()
def send_confirmation(signature_id: int, attempt: int = 1) -> None:
    signature = Signature.objects.select_related("petition").filter(pk=signature_id).first()
    if signature is not None:  # else withdrawn before the email left
        email_signer(signature, attempt=attempt)


@task()
def send_confirmation_again(petition_id: int, email_key: str, language: str) -> None:
    """Email again a signer whose mailbox signed the letter again, in the language they used
    this time, unless the signature has had all its emails."""
    earlier = Signature.objects.select_related("petition").of_mailbox(petition_id, email_key)
    if earlier is not None and earlier.count_another_email(language=language):
        email_signer(earlier)


def email_signer(signature: Signature, *, attempt: int = 1) -> None:
    """Send the email now, unless the mailbox has had its emails for today.

    If the mail server fails for now, the same email is tried again later, a few times (where
    the task backend can wait: the database one does); one that never leaves is not counted.
    """
    if attempt == 1 and abuse.mailbox_over_budget(signature.email):
        logger.info("Signature #%s not emailed: its mailbox had its emails today", signature.pk)
        signature.uncount_email()  # an email not sent must not use up the signature's cap
        return
    try:
        confirmation_message(signature).send()
    except (smtplib.SMTPException, OSError) as error:
        # The server's error can quote the address, and the task log must not.
        failure = f"Could not email signature #{signature.pk}: {type(error).__name__}"
        retry = attempt <= len(RETRY_DELAYS) and send_confirmation.get_backend().supports_defer
        if retry and is_temporary(error):
            run_after = timezone.now() + RETRY_DELAYS[attempt - 1]
            send_confirmation.using(run_after=run_after).enqueue(signature.pk, attempt + 1)
            raise EmailNotSent(f"{failure}; trying again at {run_after:%H:%M} UTC") from None
        signature.uncount_email()
        raise EmailNotSent(failure) from None


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


def confirmation_message(signature: Signature) -> EmailMultiAlternatives:
    """The email to one signer, with links to confirm (if still needed) and to withdraw."""
    with translation.override(signature.language):
        context = {
            "signature": signature,
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
