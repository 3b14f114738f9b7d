"""A signer can take their signature back from the link in their email, for as long as the letter
is published, and nobody else can."""

import time

from django.core import signing

from helpers import link_in, page_text, press_confirm
from petitions.models import Petition
from signatories.models import Signature


def withdraw_url(signature: Signature) -> str:
    return f"/petitions/ukteshbayev-open-letter/withdraw/{signature.link_token('withdraw')}/"


def test_the_link_shows_a_button_and_deletes_nothing(client, letter, make_signature):
    signature = make_signature(letter)

    response = client.get(withdraw_url(signature))

    assert response.status_code == 200
    assert "Press the button to remove your signature" in page_text(response)
    assert Signature.objects.filter(pk=signature.pk).exists()


def test_pressing_the_button_deletes_the_signature_and_the_count_drops(
    client, letter, make_signature, counted
):
    signature = make_signature(letter, name="Changed Mind")
    make_signature(letter)
    counted()
    assert "2 signatures" in page_text(client.get("/petitions/ukteshbayev-open-letter/"))

    response = client.post(withdraw_url(signature), follow=True)

    assert response.redirect_chain == [("/petitions/ukteshbayev-open-letter/withdrawn/", 302)]
    assert "has been deleted" in page_text(response)
    assert not Signature.objects.filter(pk=signature.pk).exists()
    counted()
    text = page_text(client.get("/petitions/ukteshbayev-open-letter/"))
    assert "1 signature" in text
    assert "Changed Mind" not in text


def test_the_email_carries_the_withdraw_link(client, sign, mailoutbox):
    sign()

    client.post(link_in(mailoutbox[0], "withdraw"))

    assert not Signature.objects.exists()


def test_after_withdrawing_the_signer_can_sign_again_to_correct_it(client, sign, mailoutbox):
    sign(name="Aigerim Seitkaly")
    client.post(withdraw_url(Signature.objects.get()))

    sign(name="Aigerim Seitkali")

    assert Signature.objects.get().name == "Aigerim Seitkali"
    assert len(mailoutbox) == 2


def test_the_link_works_for_as_long_as_the_letter_is_open(
    client, letter, make_signature, monkeypatch
):
    signature = make_signature(letter)
    url = withdraw_url(signature)
    in_three_years = time.time() + 3 * 365 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: in_three_years)

    client.post(url)

    assert not Signature.objects.filter(pk=signature.pk).exists()


def test_a_notable_signatory_who_withdraws_leaves_the_page(
    client, letter, make_signature, counted
):
    """The list under the letter is kept until the counts change: a notable signatory's
    withdrawal changes only the count, and must still take the name off the page."""
    notable = make_signature(letter, name="Known Unionist", notable=True)
    make_signature(letter, name="Listed Signer")
    counted()
    assert "Known Unionist" in page_text(client.get("/petitions/ukteshbayev-open-letter/"))

    client.post(withdraw_url(notable))
    counted()

    text = page_text(client.get("/petitions/ukteshbayev-open-letter/"))
    assert "Known Unionist" not in text
    assert "Listed Signer" in text
    assert "1 signature" in text


def test_a_signer_can_withdraw_after_the_letter_closes(client, letter, make_signature):
    """Closing a letter stops what adds to it, never a signer taking their name off it: a
    signer at risk must always be able to."""
    signature = make_signature(letter)
    Petition.objects.update(status=Petition.Status.CLOSED)

    response = client.post(withdraw_url(signature))

    assert response["Location"] == "/petitions/ukteshbayev-open-letter/withdrawn/"
    assert not Signature.objects.filter(pk=signature.pk).exists()


def test_a_closed_letter_confirms_nothing_more(client, sign, mailoutbox):
    sign()
    Petition.objects.update(closes_at="2020-01-01T00:00:00Z")

    shown = client.get(link_in(mailoutbox[0], "confirm"))
    pressed = press_confirm(client, link_in(mailoutbox[0], "confirm"))

    for response in (shown, pressed):
        assert response.status_code == 403
        assert "signatures can no longer be confirmed" in page_text(response)
    assert Signature.objects.get().confirmed_at is None


def test_nobody_can_withdraw_a_signature_without_its_own_link(client, letter, make_signature):
    signature = make_signature(letter)
    confirm_token = signature.link_token("confirm")
    token = signature.link_token("withdraw")
    # The token carries the signature's number; changing the number breaks the signature on it.
    forged = token.replace(token.split(":")[0], "Mg", 1)

    for url in [
        f"/petitions/ukteshbayev-open-letter/withdraw/{confirm_token}/",
        f"/petitions/ukteshbayev-open-letter/withdraw/{forged}/",
        "/petitions/ukteshbayev-open-letter/withdraw/guess/",
    ]:
        response = client.post(url)
        assert response.status_code == 404
        assert "This link does not work" in page_text(response)
    assert Signature.objects.filter(pk=signature.pk).exists()


def test_withdrawing_from_a_letter_taken_down_says_it_worked(client, letter, make_signature):
    signature = make_signature(letter)
    url = withdraw_url(signature)
    Petition.objects.update(status=Petition.Status.DRAFT)

    response = client.post(url)

    assert response.status_code == 200
    assert "has been deleted" in page_text(response)
    assert not Signature.objects.exists()
