import hashlib
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from petitions.models import Petition
from signatories.addresses import canonical_email, signer_key
from signatories.models import Signature


def canonical_key(address: str) -> str:
    return signer_key(canonical_email(address))


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
def test_a_confirmed_signature_signed_again_stores_nothing_and_looks_the_same(
    client, letter, make_signature, signing_data, second_email, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    make_signature(letter, name="Aigerim Seitkali", email="aigerim@gmail.com")

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            "/petitions/ukteshbayev-open-letter/sign/", {**signing_data, "email": "new@gmail.com"}
        )
        second = client.post(
            "/petitions/ukteshbayev-open-letter/sign/",
            {**signing_data, "email": second_email, "name": "Someone Else", "hide_name": "on"},
        )

    assert response_fingerprint(first) == response_fingerprint(second)
    assert Signature.objects.filter(email_key=canonical_key("aigerim@gmail.com")).count() == 1
    signature = Signature.objects.get(email="aigerim@gmail.com")
    assert (signature.name, signature.hide_name) == ("Aigerim Seitkali", False)
    # Its owner is told, with the link to withdraw: the address signed again, nothing changed.
    [told] = [message for message in mailoutbox if message.to == ["aigerim@gmail.com"]]
    assert told.subject == "You had already signed “Defend Esenbek Ukteshbayev”"
    assert "Your signature was already recorded, so nothing new was stored." in told.body
    assert "/withdraw/" in told.body
    assert "/confirm/" not in told.body


def test_an_unconfirmed_mailbox_signing_again_keeps_each_submission_apart(
    client, letter, signing_data
):
    for name in ["First Try", "Someone Else"]:
        client.post("/petitions/ukteshbayev-open-letter/sign/", {**signing_data, "name": name})

    assert [s.name for s in Signature.objects.order_by("pk")] == ["First Try", "Someone Else"]
    assert not Signature.objects.filter(confirmed_at__isnull=False).exists()


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


def race(count: int, act) -> list:
    """Run `act(number)` in `count` threads at once, each on its own connection."""
    barrier = threading.Barrier(count)
    results = []

    def run(number: int) -> None:
        barrier.wait()
        try:
            results.append(act(number))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


needs_concurrent_writers = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers; CI runs it against PostgreSQL",
)


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_signatures_from_one_mailbox_store_one_row(make_petition, signing_data):
    """On a letter that waives confirmation, the database keeps one signature per mailbox."""
    make_petition(requires_confirmation=False)

    def sign(number: int):
        email = "Aigerim@Example.org" if number % 2 else "aigerim@example.org"
        return Client().post(
            "/petitions/ukteshbayev-open-letter/sign/",
            {**signing_data, "email": email, "name": f"Racer {number}"},
        )

    responses = race(20, sign)

    assert Signature.objects.count() == 1
    assert len(responses) == 20
    first = response_fingerprint(responses[0])
    assert all(response_fingerprint(r) == first for r in responses)
    assert responses[0].status_code == 302


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_confirmations_of_one_mailbox_confirm_one(make_petition, signing_data):
    """Each of twenty submissions of one address is confirmed at the same moment: one wins."""
    letter = make_petition()
    submissions = []
    for number in range(20):
        signature = Signature(
            petition=letter, name=f"Racer {number}", email="aigerim@example.org", country="KZ"
        )
        signature.sign()
        submissions.append(signature)

    results = race(
        20, lambda n: (n, submissions[n].confirm({"name": f"Confirmed {n}", "hide_name": True}))
    )

    [winner] = [number for number, confirmed in results if confirmed]
    confirmed = Signature.objects.get()  # the other submissions went
    assert (confirmed.name, confirmed.hide_name) == (f"Confirmed {winner}", True)
    assert confirmed.confirmed_at is not None


def test_the_database_refusing_a_second_signature_names_no_address_nor_its_plain_hash(
    letter, make_signature
):
    """PostgreSQL writes a refused insert's error to its log: nothing in it may lead to the
    address, not even a hash that anyone could compute from a list of suspects' addresses."""
    make_signature(letter, email="aigerim.secret@example.org")  # confirmed

    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        Signature(
            petition=letter,
            name="Aigerim",
            email="Aigerim.Secret@example.org",
            confirmed_at=timezone.now(),
        ).save(force_insert=True)

    logged = str(refusal.value).lower()
    assert "aigerim.secret" not in logged
    for digest in (hashlib.md5, hashlib.sha1, hashlib.sha256):
        assert digest(b"aigerim.secret@example.org").hexdigest() not in logged
    assert Signature.objects.count() == 1


def test_on_a_letter_that_waives_confirmation_a_request_to_hide_the_name_is_applied(
    client, letter, make_signature, signing_data, mailoutbox, django_capture_on_commit_callbacks
):
    """Nobody proves which submission is the owner's there: hiding a name is always safe."""
    Petition.objects.update(requires_confirmation=False)
    make_signature(letter, name="Aigerim Seitkali", email="aigerim@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/petitions/ukteshbayev-open-letter/sign/",
            {**signing_data, "name": "Anyone", "hide_name": "on"},
        )

    signature = Signature.objects.get()
    assert (signature.name, signature.hide_name) == ("Aigerim Seitkali", True)
    [told] = mailoutbox
    assert "Your name is not shown on the website." in told.body
