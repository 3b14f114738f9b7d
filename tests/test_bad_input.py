"""Whatever arrives, the answer is a clear 4xx at worst, never a 500, and nothing is lost."""

import html
import re

import pytest

from petitions.models import Petition
from signatories.models import Signature

URL = "/petitions/ukteshbayev-open-letter/sign/"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"name=%FF%FE&email=a%40b.org&country=KZ", "application/x-www-form-urlencoded"),
        (b'{"name": "JSON"}', "application/json"),
        (b"\x00\x01\x02", "application/octet-stream"),
        (b"", "application/x-www-form-urlencoded"),
        (b"--x\r\nContent-Disposition: form-data; name=name\r\n\r\n", "multipart/form-data"),
        (b"name=a&" * 2000, "application/x-www-form-urlencoded"),  # too many fields
        (b"comment=" + b"x" * 3_000_000, "application/x-www-form-urlencoded"),  # too big
    ],
)
def test_malformed_bodies_get_a_4xx(raw_client, letter, make_signature, body, content_type):
    kept = make_signature(letter)

    response = raw_client.post(URL, body, content_type=content_type)

    assert 400 <= response.status_code < 500
    assert list(Signature.objects.all()) == [kept]


def test_repeated_parameters_take_one_value(client, letter, signing_data):
    body = "name=First&name=Second&email=a%40example.org&email=b%40example.org&country=KZ"

    response = client.post(URL, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.name, signature.email) == ("Second", "b@example.org")


def test_a_file_is_refused_before_it_is_stored(raw_client, letter, signing_data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = raw_client.post(
        URL, {**signing_data, "name": SimpleUploadedFile("name.txt", b"Aigerim")}
    )

    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_unknown_letters_methods_and_nul_characters_are_4xx(raw_client, letter, signing_data):
    assert raw_client.post("/petitions/nope/sign/", signing_data).status_code == 404
    assert raw_client.put(URL).status_code == 405
    assert raw_client.get("/petitions/%00/").status_code == 404
    assert raw_client.get("/petitions/ukteshbayev-open-letter/?page=%00").status_code == 400


def test_nul_characters_in_admin_searches_and_filters_are_400(admin_client, letter):
    for query in ["q=a%00", "country=K%00", "status=pending%00", "petition__id__exact=1%00"]:
        response = admin_client.get(f"/admin/signatories/signature/?{query}")
        assert response.status_code == 400


@pytest.mark.parametrize("selected", ["abc", "²", "99999999999999999999", "-1", "9" * 5000])
@pytest.mark.parametrize(
    ("page", "action"),
    [("signatories/signature", "approve"), ("petitions/petition", "delete_selected")],
)
def test_admin_action_on_ids_that_are_not_ids_is_400(
    admin_client, letter, make_signature, selected, page, action
):
    signature = make_signature(letter, status="pending")

    response = admin_client.post(
        f"/admin/{page}/", {"action": action, "_selected_action": [selected]}
    )

    assert response.status_code == 400
    signature.refresh_from_db()
    assert signature.status == "pending"
    assert Petition.objects.filter(pk=letter.pk).exists()


@pytest.mark.parametrize(
    "dates",
    [
        "created_at__year=99999999999",
        "created_at__year=9999",
        "created_at__year=0",
        "created_at__gte=2026-13-45",
        "created_at__gte=99999-01-01&created_at__lt=x",
        "created_at__year=2026&created_at__month=1&created_at__day=" + "9" * 5000,
    ],
)
def test_admin_dates_too_big_for_a_date_are_a_4xx_at_worst(admin_client, letter, dates):
    assert admin_client.get(f"/admin/signatories/signature/?{dates}").status_code < 500


def test_admin_lists_signatures_by_when_they_were_signed(admin_client, letter, make_signature):
    make_signature(letter, name="Signed This Month", status="pending")
    changelist = "/admin/signatories/signature/"
    page = admin_client.get(changelist, {"status": "all"}).text
    this_month = html.unescape(
        re.search(r'href="(\?[^"]*created_at__gte[^"]*)"[^>]*>\s*This month', page)[1]
    )

    listed = admin_client.get(changelist + this_month)
    elsewhere = admin_client.get(
        changelist,
        {
            "status": "all",
            "created_at__gte": "1999-12-01 00:00:00+00:00",
            "created_at__lt": "2000-01-01 00:00:00+00:00",
        },
    )

    assert "Signed This Month" in listed.text
    assert "Signed This Month" not in elsewhere.text
    assert elsewhere.status_code == 200
