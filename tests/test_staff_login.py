"""Staff accounts: a second factor, lockouts that always end, and sessions of one working day."""

import io
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import Client
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
    elsewhere = log_in(Client(), code=totp_code(device), REMOTE_ADDR="198.51.100.7")

    assert locked.status_code == 429
    assert "Too many failed logins" in page_text(locked)
    assert elsewhere.status_code == 302  # the lock is per username and address


def test_a_lockout_ends_after_the_cool_off(client, moderator, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    _user, device = moderator
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(client, password="wrong")
    assert log_in(client, code=totp_code(device)).status_code == 429

    time.sleep(1.2)

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
