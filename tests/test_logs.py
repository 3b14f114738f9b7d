"""No name or email reaches a log line, whatever happens to a signature."""

import logging

import pytest
from django.test import Client

from helpers import link_in
from solidarity.logs import HideLinkTokens

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


def test_no_log_line_holds_the_key_of_a_link(client, sign, mailoutbox, letter, every_log_line):
    """A withdrawal token in a log would let whoever reads it delete the signature."""
    sign()
    confirm, withdraw = link_in(mailoutbox[0], "confirm"), link_in(mailoutbox[0], "withdraw")
    token = withdraw.rstrip("/").rsplit("/", 1)[1]

    assert client.head(confirm).status_code == 200  # a mail scanner checking the link
    client.put(withdraw)  # 405
    client.get(withdraw.replace("ukteshbayev-open-letter", "another-letter"))  # 404
    letter.status = letter.Status.CLOSED
    letter.save()
    client.post(confirm)  # 403: the letter closed, and it may open again
    served = StringHandler()
    server_log = logging.getLogger("django.server")
    server_log.addHandler(served)
    try:
        server_log.info('"%s" %s %s', f"GET {withdraw} HTTP/1.1", 200, 0)
    finally:
        server_log.removeHandler(served)

    logged = logged_text(every_log_line)
    assert "Forbidden: /petitions/ukteshbayev-open-letter/confirm/…" in logged
    assert "Method Not Allowed (PUT): /petitions/ukteshbayev-open-letter/withdraw/…" in logged
    assert '"GET /petitions/ukteshbayev-open-letter/withdraw/…/ HTTP/1.1" 200 0' in served.lines
    for line in [logged, *served.lines]:
        assert token not in line
        assert confirm.rstrip("/").rsplit("/", 1)[1] not in line


class StringHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_a_line_that_cannot_be_formatted_still_reaches_the_log():
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, "%s: %s", ("one",), None)

    assert HideLinkTokens().filter(record) is True
    assert record.msg == "%s: %s"
