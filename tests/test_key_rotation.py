"""A new SECRET_KEY: links already sent keep working while the old key is a fallback, and after
`rekey_signatures` a mailbox that signed still signs each letter once."""

import io

import pytest
from django.core.management import CommandError, call_command

from helpers import link_in, press_confirm
from signatories.models import Signature

OLD_KEY, NEW_KEY = "old-" + "k" * 50, "new-" + "k" * 50


@pytest.fixture
def old_key(settings):
    settings.SECRET_KEY = OLD_KEY


def rotate(settings, *, keep_old: bool = True) -> None:
    settings.SECRET_KEY = NEW_KEY
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY] if keep_old else []


def rekey() -> str:
    out = io.StringIO()
    call_command("rekey_signatures", stdout=out)
    return out.getvalue()


def rekey_with_clashes() -> str:
    out = io.StringIO()
    with pytest.raises(CommandError, match="Delete one signature of each pair"):
        call_command("rekey_signatures", stdout=out)
    return out.getvalue()


def test_after_a_rekey_a_mailbox_that_signed_still_signs_once(
    old_key, client, sign, mailoutbox, settings
):
    first = sign()
    press_confirm(client, link_in(mailoutbox[0], "confirm"))
    rotate(settings)
    rekey()

    again = sign(email="AIGERIM@example.org")

    assert again.status_code == first.status_code == 302
    assert again["Location"] == first["Location"]
    assert Signature.objects.count() == 1
    assert "You had already signed" in mailoutbox[-1].subject


def test_a_link_sent_before_the_key_changed_works_while_the_old_key_is_a_fallback(
    old_key, client, sign, mailoutbox, settings
):
    sign()
    confirm = link_in(mailoutbox[0], "confirm")
    rotate(settings)
    rekey()

    press_confirm(client, confirm)

    assert Signature.objects.get().confirmed_at is not None


def test_a_link_stops_working_once_the_old_key_is_dropped(
    old_key, client, sign, mailoutbox, settings
):
    sign()
    confirm = link_in(mailoutbox[0], "confirm")
    rotate(settings, keep_old=False)

    assert client.post(confirm).status_code == 404
    assert Signature.objects.get().confirmed_at is None


def test_a_mailbox_that_signed_again_before_the_rekey_is_reported_not_deleted(
    old_key, client, sign, mailoutbox, settings
):
    sign()
    press_confirm(client, link_in(mailoutbox[0], "confirm"))
    rotate(settings)
    sign(email="Aigerim@Example.org")  # before rekey_signatures ran: a second signature
    press_confirm(client, link_in(mailoutbox[1], "confirm"))
    first, second = Signature.objects.order_by("pk")

    printed = rekey_with_clashes()

    assert f"Signatures #{first.pk} and #{second.pk} are one mailbox on one letter" in printed
    assert Signature.objects.count() == 2
    # Until staff delete one, every run names the pair again; then the mailbox signs once.
    assert rekey_with_clashes() == printed
    second.delete()
    assert "Every signature has the key" in rekey()
    sign(email="AIGERIM@example.org")
    assert Signature.objects.count() == 1  # the submission went: the mailbox had signed
