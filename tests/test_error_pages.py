"""Friendly error pages that never repeat what was sent, and a fresh form when a token expired."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from helpers import page_text
from signatories.models import Signature
from solidarity.urls import urlpatterns as site_urls


def broken_view(request):
    raise RuntimeError("the database caught fire")


def forbidden_view(request):
    raise PermissionDenied


urlpatterns = [path("broken/", broken_view), path("forbidden/", forbidden_view), *site_urls]

CANARY = "canary-7f3a9c"


def test_a_missing_page_is_explained_without_repeating_the_address(raw_client, db):
    response = raw_client.get(f"/petitions/{CANARY}/?q={CANARY}<script>")

    assert response.status_code == 404
    assert "There is no page at this address." in page_text(response)
    assert CANARY not in response.text


def test_a_bad_request_is_explained_without_repeating_it(raw_client, db):
    response = raw_client.get(f"/?q={CANARY}%00")

    assert response.status_code == 400
    assert "could not understand what was sent" in page_text(response)
    assert CANARY not in response.text


@pytest.mark.urls("test_error_pages")
def test_a_server_error_shows_a_calm_page_without_details(raw_client, db):
    response = raw_client.get(f"/broken/?q={CANARY}")

    assert response.status_code == 500
    assert "Something went wrong" in page_text(response)
    assert "caught fire" not in response.text
    assert CANARY not in response.text


@pytest.mark.urls("test_error_pages")
def test_a_forbidden_action_shows_a_plain_page(raw_client, db):
    response = raw_client.get("/forbidden/")

    assert response.status_code == 403
    assert "You do not have permission to do this." in page_text(response)


def test_an_admin_form_without_its_token_links_to_a_fresh_one(db):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(f"/admin/login/?next={CANARY}", {"username": CANARY, "password": "x"})

    assert response.status_code == 403
    assert "The form expired" in page_text(response)
    assert CANARY not in response.text
    [href] = re.findall(r'<a href="([^"]+)">Open the form again</a>', response.text)
    fresh = browser.get(href)
    assert fresh.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in fresh.text


@pytest.mark.parametrize(
    ("language", "refusal"), [("", "Too much was sent"), ("/ru", "Отправлено слишком много")]
)
def test_a_huge_request_is_refused_before_it_is_read_in_the_pages_language(
    raw_client, letter, signing_data, language, refusal
):
    response = raw_client.post(
        f"{language}/petitions/ukteshbayev-open-letter/sign/",
        signing_data | {"comment": "x" * 200_000},
    )

    assert response.status_code == 413
    assert refusal in page_text(response)
    assert not Signature.objects.exists()


def test_a_file_part_is_refused_however_small_the_form(raw_client, letter, signing_data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = raw_client.post(
        "/petitions/ukteshbayev-open-letter/sign/",
        signing_data | {"attachment": SimpleUploadedFile("big.bin", b"x" * 100_000)},
    )

    assert response.status_code == 400
    assert not Signature.objects.exists()


@pytest.mark.parametrize("path", ["/admin/logout/", "/admin/no-such-page/"])
def test_a_form_whose_address_shows_no_form_gets_no_link_to_it(db, path):
    response = Client(enforce_csrf_checks=True).post(path, {"a": "b"})

    assert response.status_code == 403
    assert "Open the form again" not in response.text
    assert "no-such-page" not in response.text
