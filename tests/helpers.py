"""Small readers for what a person would see (the text of a page, the rows of a CSV), and the
few things a person types or a browser carries (a form's note of when it was shown, a code)."""

import csv
import io
import re
import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.core import signing
from django.core.mail import EmailMessage
from django.http import HttpResponse
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from petitions.models import Petition
from signatories import abuse
from signatories.models import Signature


class _TextExtractor(HTMLParser):
    SKIP = {"script", "style", "head"}
    BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "br", "blockquote", "option", "td", "th", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIP
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        self.skipping -= tag in self.SKIP
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def page_text(response: HttpResponse) -> str:
    """The text a reader sees on the page, entities decoded, whitespace collapsed."""
    parser = _TextExtractor()
    parser.feed(response.content.decode())
    return " ".join("".join(parser.parts).split())


def csv_rows(data: bytes) -> list[dict[str, str]]:
    """Parse exported CSV bytes the way a spreadsheet would, checking the BOM on the way."""
    assert data.startswith(b"\xef\xbb\xbf"), "the CSV must start with a UTF-8 byte order mark"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def link_in(message: EmailMessage, purpose: str) -> str:
    """The path of the "confirm" or "withdraw" link in an email's plain text."""
    [url] = re.findall(rf"https?://\S+/{purpose}/\S+/", message.body)
    return urlsplit(url).path


def form_data(form) -> dict[str, str]:
    """What a browser sends back of a form as it was shown: each field's value, a ticked box
    as "on" and an unticked one not at all."""
    data = {}
    for field in form:
        value = field.value()
        if value is True:
            data[field.html_name] = "on"
        elif value not in (None, False):
            data[field.html_name] = str(value)
    return data


def press_confirm(client: Client, url: str, **changes: str) -> HttpResponse:
    """Open a confirmation link and press its button, as a signer would, with what the page
    shows corrected by `changes` (hide_name=False unticks the box)."""
    page = client.get(url)
    if page.status_code != 200 or "form" not in page.context:
        return client.post(url)
    data = form_data(page.context["form"]) | changes
    return client.post(url, {name: value for name, value in data.items() if value is not False})


def form_shown_seconds_ago(seconds: float) -> str:
    """The signed note a form carries of when it was shown, as if shown that long ago."""
    return signing.dumps(time.time() - seconds, salt=abuse.FORM_STARTED_SALT)


def totp_code(device: TOTPDevice) -> str:
    """The six-digit code the staff member's authenticator app shows right now."""
    return f"{totp(device.bin_key):06d}"


def login_with_second_factor(client: Client, user) -> None:
    """Log a staff user in as the admin requires: password and a confirmed TOTP device."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def signature_admin_data(petition: Petition, **overrides) -> dict:
    """What the admin's add or change form of a signature posts: by default an approved paper
    signature without an email, as staff type one in from a paper list."""
    return {
        "petition": petition.pk,
        "status": "approved",
        "name": "Paper Signer",
        "email": "",
        "organisation": "",
        "country": "KZ",
        "comment": "",
        "source": "paper",
        "created_at_0": "2026-11-01",
        "created_at_1": "10:00:00",
        "sort_order": 0,
    } | overrides


def assert_fresh_from_the_public(signature: Signature, petition: Petition) -> None:
    """What nobody signing on the website can set: a new web signature on this letter, pending,
    unconfirmed, unmoderated and not notable."""
    assert signature.petition == petition
    assert signature.status == Signature.Status.PENDING
    assert signature.source == Signature.Source.WEB
    assert signature.confirmed_at is None
    assert signature.notable is False
    assert signature.moderated_by is None
