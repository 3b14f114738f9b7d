"""Quiet defences: suspicious signatures are stored and flagged, and nothing tells a bot so."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings

from helpers import form_shown_seconds_ago, login_with_second_factor, page_text
from signatories.models import Signature

ROOT = Path(__file__).resolve().parent.parent


def fingerprint(response) -> tuple:
    headers = tuple(sorted((k, v) for k, v in response.headers.items() if k.lower() != "date"))
    return response.status_code, headers, response.content


def flags() -> list[str]:
    return Signature.objects.get().flag_list


def test_an_honest_signature_carries_no_flag(sign):
    sign()

    assert flags() == []


def test_a_filled_honeypot_is_stored_flagged_unemailed_and_looks_the_same(sign, mailoutbox):
    honest = sign(email="honest@example.org")
    bot = sign(email="bot@example.org", extra_reference="http://buy.example")

    assert fingerprint(bot) == fingerprint(honest)
    assert Signature.objects.get(email="bot@example.org").flag_list == ["honeypot"]
    assert [message.to for message in mailoutbox] == [["honest@example.org"]]


def test_the_honeypot_is_hidden_from_people(client, letter):
    html = client.get("/petitions/ukteshbayev-open-letter/").text

    assert '<div class="trap" aria-hidden="true">' in html
    assert 'name="extra_reference"' in html
    assert 'tabindex="-1"' in html


@pytest.mark.parametrize(
    "started",
    [
        lambda: form_shown_seconds_ago(1),
        lambda: "",
        lambda: "garbage",
        lambda: form_shown_seconds_ago(60)[:-2] + "xx",
    ],
    ids=["one second", "missing", "garbage", "forged"],
)
def test_a_form_sent_too_fast_or_without_its_note_is_flagged_but_still_emailed(
    sign, mailoutbox, started
):
    response = sign(started=started())

    assert response["Location"] == "/petitions/ukteshbayev-open-letter/thanks/"
    assert flags() == ["too_fast"]
    assert len(mailoutbox) == 1  # a fast autofill is still a person


def test_the_note_the_form_carries_flags_it_sent_at_once_but_not_a_minute_later(
    client, sign, monkeypatch
):
    page = client.get("/petitions/ukteshbayev-open-letter/")
    started = page.context["form"]["started"].value()
    assert f'name="started" value="{started}"' in page.text

    sign(email="at-once@example.org", started=started)
    a_minute_later = time.time() + 60
    monkeypatch.setattr(time, "time", lambda: a_minute_later)
    sign(email="a-minute-later@example.org", started=started)

    assert Signature.objects.get(email="at-once@example.org").flag_list == ["too_fast"]
    assert Signature.objects.get(email="a-minute-later@example.org").flag_list == []


def test_many_signatures_from_one_address_are_flagged_with_identical_responses(sign, settings):
    settings.SIGNING_RATE_LIMIT = 3

    responses = [sign(email=f"s{n}@example.org", remote_addr="203.0.113.7") for n in range(5)]
    other = sign(email="elsewhere@example.org", remote_addr="198.51.100.9")

    assert len({fingerprint(response) for response in responses}) == 1
    flagged = [s.email for s in Signature.objects.with_flag("rate_limited").order_by("pk")]
    assert flagged == ["s3@example.org", "s4@example.org"]
    assert other["Location"] == responses[0]["Location"]
    assert Signature.objects.get(email="elsewhere@example.org").flag_list == []


def test_the_client_address_comes_from_the_proxy_header_settings_name(sign, settings):
    settings.SIGNING_RATE_LIMIT = 1
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"

    # Behind one proxy every request comes from the proxy's address; the header tells them apart.
    sign(email="a@example.org", headers={"X-Forwarded-For": "203.0.113.7"})
    sign(email="b@example.org", headers={"X-Forwarded-For": "198.51.100.9"})
    # A client may prepend anything; only the hop our proxy added counts.
    sign(email="c@example.org", headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.7"})

    assert Signature.objects.get(email="a@example.org").flag_list == []
    assert Signature.objects.get(email="b@example.org").flag_list == []
    assert Signature.objects.get(email="c@example.org").flag_list == ["rate_limited"]


def test_an_ipv6_client_rotating_through_its_48_is_flagged_too(sign, settings):
    settings.SIGNING_RATE_LIMIT = 1  # and ten times that for a whole /48

    for number in range(12):
        sign(email=f"s{number}@example.org", remote_addr=f"2001:db8:1:{number:x}::1")

    flagged = Signature.objects.with_flag("rate_limited").values_list("email", flat=True)
    assert sorted(flagged) == ["s10@example.org", "s11@example.org"]


def test_ipv4_clients_seen_through_an_ipv6_socket_are_each_their_own_client(sign, settings):
    """Behind a dual-stack listener every IPv4 client is ::ffff:a.b.c.d, one /64 for all."""
    settings.SIGNING_RATE_LIMIT = 1

    for number in range(3):
        sign(email=f"s{number}@example.org", remote_addr=f"::ffff:198.51.100.{number}")
    sign(email="again@example.org", remote_addr="198.51.100.2")

    flagged = Signature.objects.with_flag("rate_limited").values_list("email", flat=True)
    assert list(flagged) == ["again@example.org"]


def test_the_client_address_is_only_kept_as_a_keyed_hash(sign, settings):
    sign(remote_addr="203.0.113.77")

    keys = " ".join(str(key) for key in cache._cache)
    assert "signatories:rate:" in keys
    assert "203.0.113.77" not in keys
    assert "203.0.113.77" not in str(Signature.objects.values().get())


@pytest.mark.parametrize("address", ["192.0.2.1", "2001:db8:1:2::1"])
def test_the_rate_limit_holds_across_processes(address):
    """Two processes, like two gunicorn workers, count one client's signatures together (an
    IPv6 client by its /64 and its /48 at once)."""
    redis = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    env = os.environ | {
        "CACHE_URL": redis,
        "SIGNING_RATE_LIMIT": "5",
        "SIGNING_RATE_WINDOW_SECONDS": str(10**9),  # one window for the whole test
        "SECRET_KEY": f"test-{uuid.uuid4()}",  # a fresh key: fresh counters in the shared cache
        "DJANGO_SETTINGS_MODULE": "solidarity.settings",
    }
    script = (
        "import django; django.setup()\n"
        "from django.test import RequestFactory\n"
        "from signatories.abuse import client_suspicions\n"
        f"request = RequestFactory().post('/', REMOTE_ADDR={address!r})\n"
        "print(sum(bool(client_suspicions(request)) for _ in range(4)))\n"
    )

    def run_worker() -> int:
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, f"needs Redis at {redis} (TEST_REDIS_URL):\n{result.stderr}"
        return int(result.stdout.strip().splitlines()[-1])

    first, second = run_worker(), run_worker()

    assert (first, second) == (0, 3)  # 8 signatures, limit 5: the last 3 are over


@pytest.mark.parametrize(
    "name",
    [
        "Есенбек Өктешбаев",
        "Алексей Иванов",
        "محمد عبد الله",
        "王小明",
        "山田 たろう",
        "Luc de Chivré",
    ],
)
def test_names_in_one_script_each_pass_untouched(sign, name):
    sign(name=name)

    signature = Signature.objects.get()
    assert signature.name == name
    assert signature.flag_list == []


def test_a_look_alike_name_is_stored_and_flagged(sign):
    response = sign(name="Jeremy Сorbyn")  # a Cyrillic С

    assert response["Location"] == "/petitions/ukteshbayev-open-letter/thanks/"
    assert Signature.objects.get().name == "Jeremy Сorbyn"
    assert flags() == ["lookalike_name"]


def test_a_look_alike_email_domain_is_flagged_and_an_idn_one_is_not(sign):
    sign(email="aigerim@gmаil.com")  # a Cyrillic а
    sign(email="aigerim@пример.рф")

    assert Signature.objects.get(email="aigerim@gmаil.com").flag_list == ["lookalike_domain"]
    assert Signature.objects.get(email="aigerim@пример.рф").flag_list == []


@pytest.mark.parametrize(
    "email", ["a@localhost", "a@[127.0.0.1]", "a@[IPv6:::1]", "a@intranet", "a@printer.local"]
)
def test_addresses_that_cannot_receive_mail_are_refused_with_a_message(sign, email):
    response = sign(email=email)

    assert response.status_code == 400
    [message] = response.context["form"].errors["email"]
    assert message in page_text(response)
    assert message in {
        "Enter a valid email address.",
        "Enter an email address that can receive mail, such as name@example.org.",
    }
    assert not Signature.objects.exists()


@pytest.fixture
def wave(letter, make_signature):
    """A morning's forged signatures from one domain, among honest ones."""
    honest = make_signature(letter, name="Honest", email="honest@example.org")
    forged = [
        make_signature(
            letter,
            name=f"Forged {n}",
            email=f"f{n}@spam.example",
            status="pending",
            flags="too_fast",
            created_at=f"2026-11-20T08:0{n}:00Z",
        )
        for n in range(3)
    ]
    return honest, forged


def bulk_reject(client, **criteria):
    return client.post("/admin/signatories/signature/reject/", criteria)


def test_bulk_reject_first_shows_what_would_be_rejected(moderator_client, wave):
    response = bulk_reject(moderator_client, email_domain="@Spam.Example")

    assert "3 signatures that are not rejected yet match." in page_text(response)
    assert "Forged 0" in page_text(response)
    assert not Signature.objects.filter(status="rejected").exists()


@pytest.mark.parametrize(
    "criteria",
    [
        {"email_domain": "spam.example"},
        {"flag": "too_fast"},
        {"flag": "any"},
        {"signed_after": "2026-11-20T08:00", "signed_before": "2026-11-20T08:05"},
    ],
    ids=["domain", "flag", "any flag", "time window"],
)
def test_bulk_reject_by_domain_flag_or_time_rejects_just_that_wave(
    moderator_client, wave, criteria
):
    honest, forged = wave

    response = bulk_reject(moderator_client, expected=3, reject="yes", **criteria)

    assert response.status_code == 302
    assert Signature.objects.filter(status="rejected").count() == 3
    honest.refresh_from_db()
    assert honest.status == "approved"
    forged[0].refresh_from_db()
    assert forged[0].moderated_by.username == "moderators"


def test_bulk_reject_waits_if_more_signatures_matched_since_the_preview(
    moderator_client, wave, make_signature, letter
):
    make_signature(letter, email="late@spam.example", status="pending")

    response = bulk_reject(moderator_client, email_domain="spam.example", expected=3, reject="yes")

    assert response.status_code == 200
    assert "The number of matching signatures changed" in page_text(response)
    assert not Signature.objects.filter(status="rejected").exists()


def test_bulk_reject_needs_a_criterion(moderator_client, wave):
    response = bulk_reject(moderator_client, expected=4, reject="yes")

    assert "Choose a flag, an email domain or a time" in page_text(response)
    assert not Signature.objects.filter(status="rejected").exists()


def test_bulk_reject_needs_the_change_permission(client, staff_user, wave):
    login_with_second_factor(client, staff_user())

    response = bulk_reject(client, flag="any", expected=3, reject="yes")

    assert response.status_code == 403
    assert not Signature.objects.filter(status="rejected").exists()


def test_signing_goes_on_when_the_shared_cache_is_down(sign, settings, mailoutbox, caplog):
    """Counts are skipped, never the signature: nothing listens on port 1."""
    unreachable = {
        "BACKEND": "solidarity.rediscache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1",
    }
    with override_settings(CACHES=settings.CACHES | {"default": unreachable}):
        response = sign()

    assert response.status_code == 302
    assert Signature.objects.get().email == "aigerim@example.org"
    assert len(mailoutbox) == 1
    assert "Could not reach the cache" in caplog.text
