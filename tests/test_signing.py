import pytest

from helpers import assert_fresh_from_the_public, page_text, signature_admin_data
from petitions.models import Petition
from signatories.models import Signature


def test_signing_stores_one_pending_web_signature_and_redirects_to_thanks(
    client, letter, signing_data
):
    response = client.post(
        "/petitions/ukteshbayev-open-letter/sign/", signing_data | {"hide_name": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/petitions/ukteshbayev-open-letter/thanks/"
    signature = Signature.objects.get()
    assert signature.petition == letter
    assert signature.name == "Aigerim Seitkali"
    assert signature.email == "aigerim@example.org"
    assert signature.organisation == "Zhanartu"
    assert signature.country.code == "KZ"
    assert signature.comment == "Solidarity from Almaty."
    assert signature.hide_name is True
    assert signature.status == Signature.Status.PENDING
    assert signature.source == Signature.Source.WEB
    assert signature.confirmed_at is None


def test_thanks_page_thanks_the_signer_without_naming_them(client, letter, signing_data):
    response = client.post("/petitions/ukteshbayev-open-letter/sign/", signing_data, follow=True)

    text = page_text(response)
    assert "Thank you for signing" in text
    assert "Aigerim" not in text
    assert "aigerim@example.org" not in response.content.decode()


def test_new_signature_is_not_public_until_approved(client, letter, signing_data):
    client.post("/petitions/ukteshbayev-open-letter/sign/", signing_data)

    text = page_text(client.get("/petitions/ukteshbayev-open-letter/"))
    assert "Aigerim Seitkali" not in text
    assert "0 signatures" in text


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("name", "This field is required."),
        ("email", "This field is required."),
        ("country", "This field is required."),
    ],
)
def test_missing_required_field_is_explained_and_typed_values_are_kept(
    client, letter, signing_data, missing, message
):
    response = client.post(
        "/petitions/ukteshbayev-open-letter/sign/", {**signing_data, missing: ""}
    )

    assert response.status_code == 400
    assert message in page_text(response)
    assert "Please correct the marked fields below." in page_text(response)
    form = response.context["form"]
    assert list(form.errors) == [missing]
    assert form["organisation"].value() == "Zhanartu"
    assert 'value="Zhanartu"' in response.content.decode()
    assert not Signature.objects.exists()


def test_organisation_and_comment_are_optional(client, letter, signing_data):
    response = client.post(
        "/petitions/ukteshbayev-open-letter/sign/",
        {**signing_data, "organisation": "", "comment": ""},
    )

    assert response.status_code == 302
    assert Signature.objects.get().organisation == ""


def test_text_is_stored_in_composed_unicode_form(client, letter, signing_data):
    decomposed = "Bra\u0308nnberg"  # "ä" typed as "a" plus a combining diaeresis

    client.post(
        "/petitions/ukteshbayev-open-letter/sign/", {**signing_data, "name": f"Jonas {decomposed}"}
    )

    assert Signature.objects.get().name == "Jonas Brännberg"


def test_comment_keeps_its_paragraphs_with_unified_line_endings(client, letter, signing_data):
    client.post(
        "/petitions/ukteshbayev-open-letter/sign/",
        {**signing_data, "comment": "First line.\r\nSecond line.\rThird."},
    )

    assert Signature.objects.get().comment == "First line.\nSecond line.\nThird."


@pytest.mark.parametrize("field", ["organisation", "comment"])
def test_hidden_characters_are_refused_in_organisation_and_comment_too(
    client, letter, signing_data, field
):
    response = client.post(
        "/petitions/ukteshbayev-open-letter/sign/", {**signing_data, field: "Unite\u202e"}
    )

    assert response.status_code == 400
    assert "Please remove the invisible or control character (U+202E)." in page_text(response)


# 213 characters as typed, 645 once its Chinese domain is spelled in ASCII (punycode).
GROWING_EMAIL = "a@" + ".".join(["工会团结支持信签名者名单"] * 16)[:238] + ".com"


def test_an_address_too_long_once_spelled_in_ascii_is_refused(client, letter, signing_data):
    response = client.post(
        "/petitions/ukteshbayev-open-letter/sign/", {**signing_data, "email": GROWING_EMAIL}
    )

    assert response.status_code == 400
    assert "Enter an email address that can receive mail" in page_text(response)
    assert not Signature.objects.exists()


def test_staff_get_a_message_for_an_address_too_long_in_ascii(moderator_client, letter):
    response = moderator_client.post(
        "/admin/signatories/signature/add/",
        signature_admin_data(letter, status="pending", email=GROWING_EMAIL),
    )

    assert response.status_code == 200
    assert "This email address cannot receive mail: its domain is not valid." in page_text(
        response
    )
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    "local", ["a" * 65, "aigerim.seitkali" + "-solidarity" * 5], ids=["65", "71"]
)
def test_an_address_longer_than_mail_allows_before_the_at_is_refused(
    client, letter, signing_data, local
):
    response = client.post(
        "/petitions/ukteshbayev-open-letter/sign/",
        {**signing_data, "email": f"{local}@kz.example"},
    )

    assert response.status_code == 400
    assert "The part of the address before the @ is too long to receive mail." in page_text(
        response
    )
    assert not Signature.objects.exists()


def test_an_address_of_64_bytes_before_the_at_signs(client, letter, signing_data):
    response = client.post(
        "/petitions/ukteshbayev-open-letter/sign/",
        {**signing_data, "email": "a" * 64 + "@kz.example"},
    )

    assert response.status_code == 302
    assert Signature.objects.get().email == "a" * 64 + "@kz.example"


def test_staff_get_a_message_for_an_address_too_long_before_the_at(moderator_client, letter):
    response = moderator_client.post(
        "/admin/signatories/signature/add/",
        signature_admin_data(letter, status="pending", email="a" * 65 + "@kz.example"),
    )

    assert "The part of the address before the @ is too long to receive mail." in page_text(
        response
    )
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("field", "length"), [("name", 121), ("organisation", 201), ("comment", 1001)]
)
def test_over_long_text_is_refused_with_a_message(client, letter, signing_data, field, length):
    response = client.post(
        "/petitions/ukteshbayev-open-letter/sign/", {**signing_data, field: "x" * length}
    )

    assert response.status_code == 400
    assert "Ensure this value has at most" in page_text(response)
    assert not Signature.objects.exists()


def test_invalid_email_is_refused(client, letter, signing_data):
    response = client.post(
        "/petitions/ukteshbayev-open-letter/sign/", {**signing_data, "email": "not-an-address"}
    )

    assert response.status_code == 400
    assert "Enter a valid email address." in page_text(response)


def test_unknown_country_is_refused(client, letter, signing_data):
    response = client.post(
        "/petitions/ukteshbayev-open-letter/sign/", {**signing_data, "country": "XX"}
    )

    assert response.status_code == 400
    assert "country" in response.context["form"].errors


def test_tampered_fields_cannot_approve_or_move_a_signature(
    client, letter, make_petition, signing_data
):
    other = make_petition(slug="another-letter", title="Another letter")

    client.post(
        "/petitions/ukteshbayev-open-letter/sign/",
        {
            **signing_data,
            "status": "approved",
            "petition": other.pk,
            "source": "staff",
            "notable": "on",
            "confirmed_at": "2020-01-01 00:00",
            "moderated_by": "1",
        },
    )

    assert_fresh_from_the_public(Signature.objects.get(), letter)


def test_closed_letter_shows_no_form_and_refuses_signatures(client, make_petition, signing_data):
    make_petition(status=Petition.Status.CLOSED)

    page = client.get("/petitions/ukteshbayev-open-letter/")
    response = client.post("/petitions/ukteshbayev-open-letter/sign/", signing_data)

    assert 'name="email"' not in page.content.decode()
    assert "This letter is closed to new signatures." in page_text(page)
    assert response.status_code == 403
    assert "This letter is closed to new signatures." in page_text(response)
    assert not Signature.objects.exists()


def test_letter_past_its_closing_time_refuses_signatures(client, make_petition, signing_data):
    make_petition(closes_at="2020-01-01T00:00:00Z")

    response = client.post("/petitions/ukteshbayev-open-letter/sign/", signing_data)

    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_draft_letter_cannot_be_signed(client, make_petition, signing_data):
    make_petition(status=Petition.Status.DRAFT)

    assert client.post("/petitions/ukteshbayev-open-letter/sign/", signing_data).status_code == 404
    assert not Signature.objects.exists()


def test_the_sign_page_shows_the_letters_title_addressee_and_form(client, letter):
    response = client.get("/petitions/ukteshbayev-open-letter/sign/")

    assert response.status_code == 200
    text = page_text(response)
    assert "Sign “Defend Esenbek Ukteshbayev”" in text
    assert "To the Kazakhstan Government and Authorities" in text
    for field in ["name", "email", "organisation", "country", "comment", "hide_name"]:
        assert f'name="{field}"' in response.text
    assert "public" in response["Cache-Control"]
    assert not response.cookies


def test_a_sign_page_sent_back_with_mistakes_is_the_sign_page_never_stored(
    client, letter, signing_data
):
    response = client.post(
        "/petitions/ukteshbayev-open-letter/sign/", {**signing_data, "email": "nope"}
    )

    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]
    assert "Sign “Defend Esenbek Ukteshbayev”" in page_text(response)
    assert "We call on the government" not in page_text(response)  # not the whole letter


def test_signing_takes_no_other_method(client, letter, signing_data):
    assert client.put("/petitions/ukteshbayev-open-letter/sign/", signing_data).status_code == 405
    assert not Signature.objects.exists()
