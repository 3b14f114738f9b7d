"""The site speaks Russian at /ru/, and a signer's email comes in the language they signed in."""

from helpers import link_in, page_text, press_confirm
from signatories.models import Signature


def test_the_letter_page_is_in_russian_under_ru(client, letter):
    response = client.get("/ru/petitions/ukteshbayev-open-letter/")

    assert response.status_code == 200
    assert response["Content-Language"] == "ru"
    text = page_text(response)
    assert "Подпишите это письмо" in text
    assert "Не показывать моё имя на сайте" in text
    assert 'action="/ru/petitions/ukteshbayev-open-letter/sign/"' in response.text


def test_each_page_links_to_itself_in_the_other_language(client, letter):
    english = client.get("/petitions/ukteshbayev-open-letter/")
    russian = client.get("/ru/petitions/ukteshbayev-open-letter/")

    assert 'href="/ru/petitions/ukteshbayev-open-letter/" hreflang="ru"' in english.text
    assert 'href="/petitions/ukteshbayev-open-letter/" hreflang="en"' in russian.text


def test_the_contract_urls_stay_english_whatever_the_browser_prefers(client, letter):
    response = client.get("/petitions/ukteshbayev-open-letter/", HTTP_ACCEPT_LANGUAGE="ru")

    assert "Sign this letter" in page_text(response)


def test_a_signer_on_the_russian_page_gets_the_email_in_russian(
    client, letter, signing_data, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ru/petitions/ukteshbayev-open-letter/sign/", signing_data)

    assert response["Location"] == "/ru/petitions/ukteshbayev-open-letter/thanks/"
    assert Signature.objects.get().language == "ru"
    [message] = mailoutbox
    assert (
        message.subject
        == "Пожалуйста, подтвердите подпись под письмом «Defend Esenbek Ukteshbayev»"
    )
    assert message.body.startswith("Здравствуйте!")
    assert link_in(message, "confirm").startswith("/ru/petitions/ukteshbayev-open-letter/confirm/")

    confirmed = press_confirm(client, link_in(message, "confirm"))
    assert "Подпись подтверждена" in page_text(client.get(confirmed["Location"]))


def test_form_errors_are_explained_in_russian(client, letter, signing_data):
    response = client.post(
        "/ru/petitions/ukteshbayev-open-letter/sign/", {**signing_data, "name": "www.spam.ru"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["name"] != [
        "Please enter your name, not a web address."
    ]
    assert "Исправьте" in page_text(response) or "исправьте" in page_text(response)
