"""What is published is what the mailbox's owner chose: whoever signs first with someone else's
address cannot decide what that person's own confirmation publishes."""

import json

import pytest
from django.core import signing

from helpers import form_data, link_in, page_text, press_confirm
from signatories.models import Signature

LETTER = "/petitions/ukteshbayev-open-letter/"
VICTIM = "aigerim@example.org"


def approve_the_queue(moderator_client) -> None:
    queue = moderator_client.get("/admin/signatories/signature/")
    selected = [signature.pk for signature in queue.context["cl"].result_list]
    moderator_client.post(
        "/admin/signatories/signature/", {"action": "approve", "_selected_action": selected}
    )


def test_a_stranger_who_signs_first_cannot_publish_the_name_its_owner_hid(
    client, sign, mailoutbox, moderator_client, counted
):
    """The pre-claim: a stranger signs with the victim's address, name shown; the victim signs
    hidden and confirms from their own email; the public page never shows the name."""
    sign(name="Aigerim Seitkali", email=VICTIM, organisation="Zhanartu", remote_addr="192.0.2.66")
    sign(name="Aigerim Seitkali", email=VICTIM, hide_name="on")
    strangers, own = mailoutbox

    press_confirm(client, link_in(own, "confirm"))
    approve_the_queue(moderator_client)
    counted()

    signature = Signature.objects.get()
    assert (signature.hide_name, signature.status) == (True, Signature.Status.APPROVED)
    page = page_text(client.get(LETTER))
    assert "1 signature" in page
    assert "Aigerim" not in page
    assert "Zhanartu" not in page
    # The stranger's link now stands for nothing.
    assert client.get(link_in(strangers, "confirm")).status_code == 404


@pytest.mark.parametrize("owner_first", [True, False], ids=["owner first", "stranger first"])
def test_any_link_of_the_mailbox_opens_hidden_once_the_owner_asked_to_hide(
    client, sign, mailoutbox, owner_first
):
    """The owner may open the stranger's email rather than their own: a request to hide the
    name still stands, whichever of the mailbox's links confirms."""
    owner = {"name": "Aigerim Seitkali", "hide_name": "on"}
    stranger = {"name": "Aigerim Seitkali", "comment": "I support the strike committee."}
    for typed in [owner, stranger] if owner_first else [stranger, owner]:
        sign(**typed)
    strangers_email = mailoutbox[1] if owner_first else mailoutbox[0]

    page = client.get(link_in(strangers_email, "confirm"))
    assert page.context["form"]["hide_name"].value() is True
    assert "Your name, organisation and comment will not be shown." in page_text(page)
    press_confirm(client, link_in(strangers_email, "confirm"))

    assert Signature.objects.get().hide_name is True


def test_the_confirmation_page_shows_exactly_what_will_be_published(client, sign, mailoutbox):
    sign(name="Есенбек Өктешбаев", organisation="Жанарту", country="KZ", comment="Бірлік!")

    page = client.get(link_in(mailoutbox[0], "confirm"))

    text = page_text(page)
    assert "What will be published Есенбек Өктешбаев, Жанарту (Kazakhstan) Бірлік!" in text
    assert form_data(page.context["form"]) == {
        "name": "Есенбек Өктешбаев",
        "organisation": "Жанарту",
        "country": "KZ",
        "comment": "Бірлік!",
    }
    assert "aigerim@example.org" not in page.text  # nothing to correct there: it is the key
    assert "no-store" in page["Cache-Control"]


def test_the_owner_corrects_the_signature_and_hides_the_name_before_confirming(
    client, sign, mailoutbox
):
    sign(name="A. Seitkaly", organisation="Someone else's union")

    response = press_confirm(
        client,
        link_in(mailoutbox[0], "confirm"),
        name="Aigerim Seitkali",
        organisation="Zhanartu",
        comment="",
        hide_name="on",
    )

    assert response["Location"] == "/petitions/ukteshbayev-open-letter/confirmed/"
    signature = Signature.objects.get()
    assert (signature.name, signature.organisation, signature.comment) == (
        "Aigerim Seitkali",
        "Zhanartu",
        "",
    )
    assert signature.hide_name is True
    assert signature.confirmed_at is not None


def test_the_owner_may_see_a_correction_before_confirming_it(client, sign, mailoutbox):
    sign(name="A. Seitkaly")
    url = link_in(mailoutbox[0], "confirm")
    data = form_data(client.get(url).context["form"]) | {"name": "Aigerim Seitkali"}

    preview = client.post(url, data | {"preview": "yes"})

    assert preview.status_code == 200
    assert "What will be published Aigerim Seitkali, Zhanartu" in page_text(preview)
    signature = Signature.objects.get()
    assert (signature.name, signature.confirmed_at) == ("A. Seitkaly", None)
    client.post(url, data)
    assert Signature.objects.get().name == "Aigerim Seitkali"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "www.spam.ru", "Please enter your name, not a web address."),
        ("name", "", "This field is required."),
        ("comment", "Hidden\u202etext", "Please remove the invisible or control character"),
        ("country", "XX", "Please choose a country from the list."),
    ],
)
def test_a_correction_is_checked_like_a_signature_and_changes_nothing_if_refused(
    client, sign, mailoutbox, field, value, message
):
    sign()

    response = press_confirm(client, link_in(mailoutbox[0], "confirm"), **{field: value})

    assert response.status_code == 400
    assert message in page_text(response)
    assert "no-store" in response["Cache-Control"]
    signature = Signature.objects.get()
    assert signature.confirmed_at is None
    assert signature.name == "Aigerim Seitkali"


def test_a_correction_to_a_look_alike_name_is_flagged_for_moderators(client, sign, mailoutbox):
    sign()

    press_confirm(client, link_in(mailoutbox[0], "confirm"), name="Jeremy Сorbyn")

    assert Signature.objects.get().flag_list == ["lookalike_name"]


def test_links_name_a_signature_by_a_random_reference_not_its_number(sign, mailoutbox):
    sign(email="first@example.org")
    sign(email="second@example.org")

    for message, signature in zip(mailoutbox, Signature.objects.order_by("pk"), strict=True):
        for purpose in ("confirm", "withdraw"):
            token = link_in(message, purpose).rstrip("/").rsplit("/", 1)[1]
            payload = json.loads(signing.b64_decode(token.split(":")[0].encode()))
            assert payload == [signature.reference.hex, signature.email_tag()]
            assert signing.loads(token, salt=f"signatories.{purpose}") == payload


def test_a_submission_stored_before_a_rule_on_addresses_can_still_be_confirmed(
    client, letter, mailoutbox
):
    """An address that a later rule refuses (over 64 bytes before the @) must not make its
    confirmation page fail: the page does not change the address."""
    old = Signature(petition=letter, name="Aigerim", email="a" * 70 + "@kz.example", country="KZ")
    old.save()
    url = f"/petitions/ukteshbayev-open-letter/confirm/{old.link_token('confirm')}/"

    response = press_confirm(client, url)

    assert response.status_code == 302
    assert Signature.objects.get().confirmed_at is not None
