"""No name or email reaches a log line, whatever happens to a signature."""

import logging

import pytest
from django.test import Client

from helpers import link_in

NAME = "Canary Namesake"
EMAIL = "canary.address@example.org"


@pytest.fixture
def every_log_line(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def logged_text(caplog) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def test_the_whole_life_of_a_signature_logs_no_name_or_email(
    client, sign, mailoutbox, admin_client, every_log_line
):
    sign(name=NAME, email=EMAIL)
    sign(name=NAME, email=EMAIL.upper())  # a duplicate
    sign(name="www.spam.ru", email=EMAIL)  # refused
    client.post(link_in(mailoutbox[0], "confirm"))
    client.post("/petitions/ukteshbayev-open-letter/confirm/broken-token/")
    admin_client.get("/admin/signatories/signature/?status=all&q=canary")
    Client(enforce_csrf_checks=True).post(
        "/petitions/ukteshbayev-open-letter/sign/", {"name": NAME, "email": EMAIL}
    )
    client.post(link_in(mailoutbox[0], "withdraw"))

    logged = logged_text(every_log_line).lower()
    assert logged  # the requests above did log something
    for secret in [NAME.lower(), "canary.address", "canary", "example.org"]:
        assert secret not in logged
