"""No output tells whether an address signed, in any configuration of a letter: an attacker who
types a suspect's address into the form learns nothing from the response, the pages or the
counts. Automatic approval only ever follows a confirmation from the mailbox itself."""

import re

import pytest

from helpers import link_in, page_text, press_confirm
from petitions.models import Petition
from signatories.models import Signature

SIGN = "/petitions/ukteshbayev-open-letter/sign/"
SUSPECT = "aigerim@example.org"


def fingerprint(response) -> tuple:
    headers = tuple(sorted((k, v) for k, v in response.headers.items() if k.lower() != "date"))
    return response.status_code, headers, response.content, sorted(response.cookies)


def public_view(client) -> tuple[str, ...]:
    """Everything public about the letter: its page, the home page and what signing shows."""
    pages = [
        "/petitions/ukteshbayev-open-letter/",
        "/",
        "/petitions/ukteshbayev-open-letter/thanks/",
    ]
    # A form's token and nonce differ per visitor, not per signature.
    return tuple(re.sub(r'(value|nonce)="[^"]+"', "", client.get(url).text) for url in pages)


@pytest.mark.parametrize("auto_approve", [True, False], ids=["auto-approve", "moderated"])
@pytest.mark.parametrize(
    "requires_confirmation", [True, False], ids=["confirmed by email", "confirmation waived"]
)
def test_signing_with_an_address_that_signed_looks_like_signing_with_a_new_one(
    client, make_petition, signing_data, mailoutbox, requires_confirmation, auto_approve,
    django_capture_on_commit_callbacks, counted,
):  # fmt: skip
    make_petition(requires_confirmation=requires_confirmation, auto_approve=auto_approve)
    # The suspect signed, and confirmed where the letter asks them to.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGN, signing_data | {"email": SUSPECT})
    if requires_confirmation:
        with django_capture_on_commit_callbacks(execute=True):
            press_confirm(client, link_in(mailoutbox[0], "confirm"))
    counted()
    before = public_view(client)

    with django_capture_on_commit_callbacks(execute=True):
        new = client.post(SIGN, signing_data | {"email": "stranger@example.org"})
    counted()
    after_new = public_view(client)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(SIGN, signing_data | {"email": SUSPECT.upper(), "name": "Probe"})
    counted()
    after_again = public_view(client)

    assert fingerprint(new) == fingerprint(again)
    assert before == after_new == after_again
    assert "Probe" not in str(after_again)


@pytest.mark.parametrize("requires_confirmation", [True, False])
def test_a_letter_approves_by_itself_only_what_a_mailbox_confirmed(
    client, sign, mailoutbox, requires_confirmation, counted
):
    """Waiving confirmation waives automatic approval too: there a count rising at once would
    tell an attacker that the address they typed had not signed before."""
    Petition.objects.update(requires_confirmation=requires_confirmation, auto_approve=True)

    sign()

    counted()
    assert Signature.objects.get().status == Signature.Status.PENDING
    assert "0 signatures" in page_text(client.get("/"))
    if requires_confirmation:
        press_confirm(client, link_in(mailoutbox[0], "confirm"))
        counted()
        assert Signature.objects.get().status == Signature.Status.APPROVED
        assert "1 signature" in page_text(client.get("/"))


def test_the_letters_admin_says_when_automatic_approval_applies(organiser_client, letter):
    page = organiser_client.get(f"/admin/petitions/petition/{letter.pk}/change/")

    assert "never on a letter that waives confirmation" in page_text(page)
    assert Petition.objects.get().auto_approve is False
