import hashlib
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from signatories.addresses import canonical_email
from signatories.models import Signature


def response_fingerprint(response) -> tuple:
    """Everything a client could compare between two responses."""
    headers = sorted((k, v) for k, v in response.headers.items() if k.lower() != "date")
    return response.status_code, headers, response.content, sorted(response.cookies)


@pytest.mark.parametrize(
    "second_email",
    [
        "aigerim@gmail.com",
        "AIGERIM@Gmail.COM",
        "  aigerim@gmail.com  ",
        "a.igerim+x@gmail.com",
    ],
)
def test_second_signature_from_one_mailbox_stores_nothing_and_looks_the_same(
    client, letter, signing_data, second_email
):
    first = client.post(
        "/petitions/ukteshbayev-open-letter/sign/", {**signing_data, "email": "aigerim@gmail.com"}
    )
    second = client.post(
        "/petitions/ukteshbayev-open-letter/sign/",
        {**signing_data, "email": second_email, "name": "Someone Else"},
    )

    assert Signature.objects.count() == 1
    assert Signature.objects.get().name == "Aigerim Seitkali"
    assert response_fingerprint(first) == response_fingerprint(second)


def test_duplicate_and_first_signature_land_on_the_same_thanks_page(client, letter, signing_data):
    first = client.post("/petitions/ukteshbayev-open-letter/sign/", signing_data, follow=True)
    second = client.post("/petitions/ukteshbayev-open-letter/sign/", signing_data, follow=True)

    assert first.redirect_chain == second.redirect_chain
    assert first.content == second.content


def test_one_mailbox_may_sign_two_different_letters(client, letter, make_petition, signing_data):
    make_petition(slug="second-letter", title="A second letter")

    client.post("/petitions/ukteshbayev-open-letter/sign/", signing_data)
    client.post("/petitions/second-letter/sign/", signing_data)

    assert Signature.objects.count() == 2


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Aigerim@Example.ORG", "aigerim@example.org"),
        ("a.i.gerim+petitions@GMAIL.com", "aigerim@gmail.com"),
        ("aigerim@googlemail.com", "aigerim@gmail.com"),
        ("aigerim+kz@proton.me", "aigerim@proton.me"),
        ("a.i@example.org", "a.i@example.org"),
        ("a+b@example.org", "a+b@example.org"),
        ("user@пример.рф", "user@xn--e1afmkfd.xn--p1ai"),
    ],
)
def test_canonical_email_ignores_case_and_provider_tags_and_gmail_dots(typed, canonical):
    assert canonical_email(typed) == canonical


def test_email_is_stored_as_typed_beside_its_canonical_form(client, letter, signing_data):
    client.post(
        "/petitions/ukteshbayev-open-letter/sign/",
        {**signing_data, "email": "Aigerim.S+kz@Gmail.com"},
    )

    signature = Signature.objects.get()
    assert signature.email == "Aigerim.S+kz@Gmail.com"
    assert signature.email_canonical == "aigerims@gmail.com"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers; CI runs it against PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_signatures_from_one_mailbox_store_one_row(make_petition, signing_data):
    make_petition()
    barrier = threading.Barrier(20)
    responses = []

    def sign(number: int) -> None:
        client = Client()
        email = "Aigerim@Example.org" if number % 2 else "aigerim@example.org"
        barrier.wait()
        try:
            responses.append(
                client.post(
                    "/petitions/ukteshbayev-open-letter/sign/",
                    {**signing_data, "email": email, "name": f"Racer {number}"},
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Signature.objects.count() == 1
    assert len(responses) == 20
    first = response_fingerprint(responses[0])
    assert all(response_fingerprint(r) == first for r in responses)
    assert responses[0].status_code == 302


def test_the_database_refusing_a_second_signature_names_no_address_nor_its_plain_hash(
    letter, make_signature
):
    """PostgreSQL writes a refused insert's error to its log: nothing in it may lead to the
    address, not even a hash that anyone could compute from a list of suspects' addresses."""
    make_signature(letter, email="aigerim.secret@example.org")

    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        Signature(petition=letter, name="Aigerim", email="Aigerim.Secret@example.org").save(
            force_insert=True
        )

    logged = str(refusal.value).lower()
    assert "aigerim.secret" not in logged
    for digest in (hashlib.md5, hashlib.sha1, hashlib.sha256):
        assert digest(b"aigerim.secret@example.org").hexdigest() not in logged
    assert Signature.objects.count() == 1
