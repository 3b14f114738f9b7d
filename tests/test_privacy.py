"""The invariants that keep signatories safe: what never reaches a public page."""

import pytest

from helpers import page_text
from petitions.models import Petition
from signatories.models import Signature


def public_pages(client) -> list:
    """Every public page a visitor can reach for the letter, in every state it can be in."""
    return [
        client.get("/"),
        client.get("/petitions/ukteshbayev-open-letter/"),
        client.get("/petitions/ukteshbayev-open-letter/sign/"),
        client.get("/petitions/ukteshbayev-open-letter/thanks/"),
        client.get("/petitions/no-such-letter/"),
    ]


def everything_public(client) -> str:
    return "\n".join(
        str(response.headers) + response.content.decode() for response in public_pages(client)
    )


@pytest.fixture
def signatures(letter, make_signature, counted):
    """One signature in every state, each with its own email address, counted."""
    made = {
        "approved": make_signature(
            letter, name="Shown Signer", email="shown@example.org", comment="Shown comment"
        ),
        "hidden": make_signature(
            letter,
            name="Hidden Signer",
            email="hidden@example.org",
            organisation="Hidden Union",
            comment="Hidden comment",
            hide_name=True,
        ),
        "pending": make_signature(
            letter,
            name="Pending Signer",
            email="pending@example.org",
            organisation="Pending Union",
            comment="Pending comment",
            status=Signature.Status.PENDING,
        ),
        "rejected": make_signature(
            letter,
            name="Rejected Signer",
            email="rejected@example.org",
            organisation="Rejected Union",
            comment="Rejected comment",
            status=Signature.Status.REJECTED,
        ),
    }
    counted()
    return made


def test_no_email_address_appears_on_any_public_page(client, signatures):
    public = everything_public(client)

    for signature in signatures.values():
        assert signature.email not in public
        assert signature.email.split("@")[0] + "&#64;" not in public
    assert "@example.org" not in public


def test_hidden_signature_is_counted_but_never_named(client, signatures):
    public = everything_public(client)
    letter_page = page_text(client.get("/petitions/ukteshbayev-open-letter/"))

    assert "Hidden Signer" not in public
    assert "Hidden Union" not in public
    assert "Hidden comment" not in public
    assert "2 signatures" in letter_page
    assert "Shown Signer" in letter_page


def test_only_approved_signatures_are_public(client, signatures):
    public = everything_public(client)

    for state in ["pending", "rejected"]:
        signature = signatures[state]
        assert signature.name not in public
        assert signature.organisation not in public
        assert signature.comment not in public


def test_count_shown_is_the_count_of_approved_signatures(client, letter, signatures):
    expected = Signature.objects.filter(petition=letter).approved().count()

    assert expected == 2
    assert "2 signatures" in page_text(client.get("/petitions/ukteshbayev-open-letter/"))
    assert "2 signatures" in page_text(client.get("/"))


def test_closed_letter_keeps_every_privacy_rule(client, letter, signatures):
    letter.status = Petition.Status.CLOSED
    letter.save()

    public = everything_public(client)

    assert "@example.org" not in public
    assert "Hidden Signer" not in public
    assert "Pending Signer" not in public
    assert "Shown Signer" in public


def test_hidden_notable_signatory_is_not_named_either(client, letter, make_signature, counted):
    make_signature(letter, name="Secret Notable", notable=True, hide_name=True)
    counted()

    text = page_text(client.get("/petitions/ukteshbayev-open-letter/"))

    assert "Secret Notable" not in text
    assert "1 signature" in text


def test_signature_text_representation_holds_no_name_or_email(letter, make_signature):
    signature = make_signature(letter, name="Aigerim Seitkali", email="aigerim@example.org")

    assert str(signature) == f"Signature #{signature.pk}"
