"""Staff accounts: a second factor, lockouts that always end, and sessions of one working day."""

import hashlib
import io
import re
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from helpers import page_text, totp_code


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user(
        "moderator", password="long enough password", is_staff=True, is_superuser=True
    )
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


GENERIC_ERROR = "Please enter the correct username, password and code from your authenticator app."


def log_in(client, *, password: str = "long enough password", code: str = "", **extra):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "moderator", "password": password, "otp_token": code},
        **extra,
    )


def test_staff_log_in_with_password_and_authenticator_code_in_one_step(client, moderator):
    _user, device = moderator

    response = log_in(client, code=totp_code(device))

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_password_alone_does_not_open_the_admin(client, moderator):
    response = log_in(client)

    assert response.status_code == 200
    assert GENERIC_ERROR in page_text(response)
    assert client.get("/admin/").status_code == 302  # back to the login page


def test_a_wrong_code_does_not_open_the_admin(client, moderator):
    _user, device = moderator
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    response = log_in(client, code=wrong)

    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_staff_without_an_authenticator_cannot_use_the_admin(client, django_user_model):
    django_user_model.objects.create_user(
        "moderator", password="long enough password", is_staff=True
    )

    log_in(client, code="123456")

    assert client.get("/admin/").status_code == 302


def test_repeated_wrong_passwords_lock_the_account_from_that_address(client, moderator):
    _user, device = moderator
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(client, password="wrong", REMOTE_ADDR="203.0.113.5")

    locked = log_in(client, code=totp_code(device), REMOTE_ADDR="203.0.113.5")

    assert locked.status_code == 429
    assert "Too many failed logins" in page_text(locked)
    assert client.get("/admin/").status_code == 302


def test_failures_from_many_addresses_lock_the_username_everywhere(
    client, moderator, django_user_model
):
    """A guesser spreading tries over many networks gets no more of them than from one."""
    _user, device = moderator
    organiser = django_user_model.objects.create_user(
        "organiser", password="another long password", is_staff=True
    )
    organiser_device = TOTPDevice.objects.create(user=organiser, name="phone", confirmed=True)
    for network in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(Client(), password="wrong", REMOTE_ADDR=f"198.51.100.{network}")

    locked = log_in(client, code=totp_code(device), REMOTE_ADDR="192.0.2.44")
    colleague = Client().post(
        "/admin/login/?next=/admin/",
        {
            "username": "organiser",
            "password": "another long password",
            "otp_token": totp_code(organiser_device),
        },
        REMOTE_ADDR="192.0.2.44",
    )

    assert locked.status_code == 429
    assert colleague.status_code == 302  # the lock is on the username, not on this network


def test_staff_can_unlock_a_username_at_once(client, moderator):
    _user, device = moderator
    for network in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(Client(), password="wrong", REMOTE_ADDR=f"198.51.100.{network}")

    call_command("axes_reset_username", "moderator", stdout=io.StringIO())

    assert log_in(client, code=totp_code(device), REMOTE_ADDR="192.0.2.44").status_code == 302


def test_an_ipv6_client_is_its_64_network_whatever_the_address_or_username(client, moderator):
    """An IPv6 client owns a /64 and can take any address in it, and any username."""
    _user, device = moderator
    for attempt in range(django_settings.AXES_FAILURE_LIMIT):
        Client().post(
            "/admin/login/",
            {"username": f"guess{attempt}", "password": "wrong", "otp_token": "123456"},
            REMOTE_ADDR=f"2001:db8:1:2:{attempt}::{attempt + 1}",
        )

    same_network = log_in(client, code=totp_code(device), REMOTE_ADDR="2001:db8:1:2:ffff::9")
    next_network = log_in(Client(), code=totp_code(device), REMOTE_ADDR="2001:db8:1:3::1")

    assert same_network.status_code == 429
    assert next_network.status_code == 302


def test_the_lockout_store_holds_no_address_nor_a_hash_anyone_could_compute(client, moderator):
    """Without SECRET_KEY, nothing in the cache leads to the address a login came from."""
    addresses = ["203.0.113.5", "2001:db8:1:2::7"]
    for address in addresses:
        log_in(client, password="wrong", REMOTE_ADDR=address)

    stored = " ".join(f"{key} {value}" for key, value in cache._cache.items())
    assert stored
    for address in [*addresses, "2001:db8:1:2::/64", "2001:db8:1:2::"]:
        assert address not in stored
        for plain in (address, f"moderator{address}", f"{address}moderator"):
            assert hashlib.sha256(plain.encode()).hexdigest() not in stored


def normalised(response) -> tuple:
    """A response as a guesser could compare it, less its CSRF token and CSP nonce."""
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    body = response.content.decode().replace(nonce, "NONCE")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", body)
    headers = {
        name: value.replace(nonce, "NONCE")
        for name, value in response.headers.items()
        if name not in {"Date", "Expires"}  # the time it was sent
    }
    cookies = {
        name: (morsel["max-age"], morsel["path"]) for name, morsel in response.cookies.items()
    }
    return response.status_code, headers, cookies, body


FAILURES = [
    "no such account",
    "wrong password",
    "right password, no code",
    "right password, wrong code",
    "right password, no authenticator",
    "right password, not staff",
    "right password, inactive",
]


@pytest.fixture
def failed_login(django_user_model):
    """A failed login as each kind of failure, all typed as the same username and password."""

    def fail(kind: str, number: int):
        django_user_model.objects.filter(username="moderator").delete()
        cache.clear()  # a lockout would be a different page
        if kind != "no such account":
            user = django_user_model.objects.create_user(
                "moderator",
                password="wrong" if kind == "wrong password" else "long enough password",
                is_staff=kind != "right password, not staff",
                is_active=kind != "right password, inactive",
            )
            if kind != "right password, no authenticator":
                device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        code = "" if kind in {"right password, no code", "no such account"} else "123456"
        if kind == "right password, wrong code":
            code = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
        return log_in(Client(), code=code, REMOTE_ADDR=f"192.0.2.{number}")

    return fail


def test_every_failed_login_gives_the_same_page_byte_for_byte(failed_login):
    responses = {kind: failed_login(kind, number) for number, kind in enumerate(FAILURES)}

    first = normalised(responses["no such account"])
    assert first[0] == 200
    for kind, response in responses.items():
        assert normalised(response) == first, kind
        assert "long enough password" not in response.content.decode(), kind
        assert GENERIC_ERROR in page_text(response)


def test_a_right_password_with_a_wrong_code_is_never_typed_back_into_the_form(client, moderator):
    response = log_in(client, code="000000")

    assert 'type="password"' in response.text
    assert "long enough password" not in response.text


def test_with_the_cache_down_logging_in_answers_a_clear_503(client, moderator, settings):
    """No login is let through uncounted while failures cannot be counted."""
    _user, device = moderator
    unreachable = {
        "BACKEND": "solidarity.rediscache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1",
    }
    raw = Client(raise_request_exception=False)
    with override_settings(CACHES=settings.CACHES | {"default": unreachable}):
        page = raw.get("/admin/login/")
        right = log_in(raw, code=totp_code(device))
        wrong = log_in(raw, password="wrong")

    assert page.status_code == 200
    for response in (right, wrong):
        assert response.status_code == 503
        assert "Logging in is unavailable for a moment" in page_text(response)
        assert response["Retry-After"] == "60"
        assert "no-store" in response["Cache-Control"]
    assert raw.get("/admin/").status_code == 302  # not logged in


def test_with_the_cache_down_staff_already_logged_in_carry_on(moderator_client, settings, letter):
    unreachable = {
        "BACKEND": "solidarity.rediscache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1",
    }
    with override_settings(CACHES=settings.CACHES | {"default": unreachable}):
        assert moderator_client.get("/admin/signatories/signature/").status_code == 200


def test_a_lockout_ends_after_the_cool_off_however_often_a_guesser_knocks(
    client, moderator, settings
):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    _user, device = moderator
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(client, password="wrong")
    assert log_in(client, code=totp_code(device)).status_code == 429
    for _knock in range(3):  # a guesser keeping the door shut
        time.sleep(0.3)
        log_in(Client(), password="wrong")

    time.sleep(0.4)

    assert log_in(client, code=totp_code(device)).status_code == 302


def test_failed_logins_are_logged_without_the_address(client, moderator, caplog):
    log_in(client, password="wrong", REMOTE_ADDR="203.0.113.99")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "'moderator' from client" in logged
    assert "203.0.113.99" not in logged


def test_a_staff_session_lasts_one_working_day(client, moderator):
    _user, device = moderator

    response = log_in(client, code=totp_code(device))

    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 8 * 60 * 60
    assert client.session.get_expiry_age() == 8 * 60 * 60


def test_enrol_totp_gives_a_staff_member_an_authenticator(django_user_model):
    user = django_user_model.objects.create_user("aigerim", password="x", is_staff=True)
    out = io.StringIO()

    call_command("enrol_totp", "aigerim", stdout=out)

    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    assert "otpauth://totp/Solidarity%3Aaigerim?secret=" in out.getvalue()


def test_enrol_totp_replaces_a_lost_authenticator_only_when_asked(django_user_model):
    user = django_user_model.objects.create_user("aigerim", password="x", is_staff=True)
    call_command("enrol_totp", "aigerim", stdout=io.StringIO())
    lost = TOTPDevice.objects.get(user=user)

    with pytest.raises(CommandError, match="already has an authenticator"):
        call_command("enrol_totp", "aigerim", stdout=io.StringIO())
    call_command("enrol_totp", "aigerim", "--replace", stdout=io.StringIO())

    assert list(TOTPDevice.objects.filter(user=user)) != [lost]
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_enrol_totp_refuses_unknown_and_non_staff_accounts(django_user_model):
    django_user_model.objects.create_user("supporter", password="x")

    for username in ["nobody", "supporter"]:
        with pytest.raises(CommandError, match="No staff account"):
            call_command("enrol_totp", username, stdout=io.StringIO())


def test_a_wrong_code_and_a_wrong_password_look_the_same(client, moderator):
    _user, device = moderator
    wrong_code = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    right_password = log_in(client, code=wrong_code)
    wrong_password = log_in(Client(), password="wrong", code=totp_code(device))

    assert GENERIC_ERROR in page_text(right_password)
    assert page_text(right_password) == page_text(wrong_password)


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, moderator):
    _user, device = moderator
    wrong_code = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(client, code=wrong_code)

    assert log_in(client, code=totp_code(device)).status_code == 429
