"""The security headers every kind of page carries when it is served over HTTPS."""

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.http import HttpResponse
from django_otp.plugins.otp_totp.models import TOTPDevice

from helpers import totp_code
from signatories.choices import CONFIRM, WITHDRAW
from signatories.export import build
from signatories.models import Export

# The policy issue 3 asks for, as directive -> sources. script-src also carries the page's nonce
# when the page uses one (Django adds it lazily, with a new value every time).
EXPECTED_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}
# Cache-Control directives that take no argument (RFC 9111).
DIRECTIVES_WITHOUT_VALUE = {
    "public",
    "no-store",
    "must-revalidate",
    "proxy-revalidate",
    "no-transform",
    "immutable",
    "must-understand",
}
NONCE_RE = re.compile(r"'nonce-[A-Za-z0-9_-]{16,}={0,2}'")


@dataclass(frozen=True)
class Expected:
    """How one kind of page answers, where kinds differ: every page also carries the policy,
    HSTS, nosniff and DENY, and sets cookies only as __Host- cookies."""

    status: int = 200
    referrer: str = "same-origin"
    cache_has: tuple[str, ...] = ()
    cache_lacks: tuple[str, ...] = ()
    cookies: tuple[str, ...] = ()


# Pages that are the visitor's own (a link with a token, the admin, an export) are never stored,
# not even by the visitor's browser.
NEVER_STORED = {"cache_has": ("no-store",), "cache_lacks": ("public",)}
# A URL holding a token must not leak it in the Referer header of the next request.
TOKEN_IN_URL = {"referrer": "no-referrer"}

PAGES = {
    "home page": Expected(cache_has=("public",), cache_lacks=("private", "no-store", "no-cache")),
    # The same for everyone, form and all: any cache on the way may keep it.
    "letter page": Expected(cache_has=("public",), cache_lacks=("private", "no-store")),
    "sign page": Expected(cache_has=("public",), cache_lacks=("private", "no-store")),
    "confirmation link page": Expected(**TOKEN_IN_URL, **NEVER_STORED),
    "withdrawal link page": Expected(**TOKEN_IN_URL, **NEVER_STORED),
    "invalid link page": Expected(status=404, **TOKEN_IN_URL, **NEVER_STORED),
    "admin redirect to login": Expected(status=302, **NEVER_STORED),
    "admin login page": Expected(cookies=("__Host-csrftoken",), **NEVER_STORED),
    "admin signature list": Expected(cookies=("__Host-csrftoken",), **NEVER_STORED),
    # The action's message waits in the session for the next page.
    "admin action": Expected(status=302, cookies=("__Host-sessionid",), **NEVER_STORED),
    "admin login locked out": Expected(status=429, **NEVER_STORED),
    "admin export": Expected(**NEVER_STORED),
    "missing page": Expected(status=404),
}


@pytest.fixture
def fetch(request, client, letter, make_signature):
    """Request one kind of page over HTTPS, as the person who would see it."""
    signature = make_signature(letter, status="pending", confirmed_at=None)
    confirm_token = signature.link_token(CONFIRM)
    withdraw_token = signature.link_token(WITHDRAW)

    def fetch(page: str) -> HttpResponse:
        match page:
            case "home page":
                return client.get("/", secure=True)
            case "letter page":
                return client.get("/petitions/ukteshbayev-open-letter/", secure=True)
            case "sign page":
                return client.get("/petitions/ukteshbayev-open-letter/sign/", secure=True)
            case "confirmation link page":
                return client.get(
                    f"/petitions/ukteshbayev-open-letter/confirm/{confirm_token}/", secure=True
                )
            case "withdrawal link page":
                return client.get(
                    f"/petitions/ukteshbayev-open-letter/withdraw/{withdraw_token}/", secure=True
                )
            case "invalid link page":
                return client.get(
                    "/petitions/ukteshbayev-open-letter/confirm/not-a-real-token/", secure=True
                )
            case "admin redirect to login":
                return client.get("/admin/", secure=True)
            case "admin login page":
                return client.get("/admin/login/?next=/admin/", secure=True)
            case "admin signature list":
                admin_client = request.getfixturevalue("admin_client")
                return admin_client.get("/admin/signatories/signature/", secure=True)
            case "admin action":
                admin_client = request.getfixturevalue("admin_client")
                return admin_client.post(
                    "/admin/signatories/signature/",
                    {"action": "reject", "_selected_action": [signature.pk]},
                    secure=True,
                )
            case "admin login locked out":
                for _attempt in range(settings.AXES_FAILURE_LIMIT):
                    response = client.post(
                        "/admin/login/?next=/admin/",
                        {"username": "admin", "password": "wrong", "otp_token": "000000"},
                        secure=True,
                    )
                return response
            case "admin export":
                organiser_client = request.getfixturevalue("organiser_client")
                done = Export.objects.create(petition=letter)
                build.call(done.pk)
                return organiser_client.get(
                    f"/admin/signatories/export/{done.reference}/download/", secure=True
                )
            case "missing page":
                return client.get("/petitions/no-such-letter/", secure=True)
        raise AssertionError(f"no such kind of page: {page}")

    return fetch


def policy_directives(header: str) -> dict[str, set[str]]:
    """A Content-Security-Policy header as directive -> sources, any script nonce left out."""
    directives = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        directives[name] = set(sources)
    directives.get("script-src", set()).difference_update(NONCE_RE.findall(header))
    return directives


def cache_directives(response: HttpResponse) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_cookie_is_host_only_secure_and_hidden_from_scripts(response, name):
    cookie = response.cookies[name]
    assert name.startswith("__Host-")
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # A __Host- cookie is refused by browsers unless it is for the whole site and this host only.
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""


def assert_cache_control_is_well_formed(response: HttpResponse) -> None:
    directives = cache_directives(response)
    for directive in directives:
        name, _equals, value = directive.partition("=")
        if name in DIRECTIVES_WITHOUT_VALUE:
            # "no-store=False" is not "no-store" left out: caches may read it either way.
            assert value == "", f"{directive!r} in {response['Cache-Control']!r}"
        if name in {"max-age", "s-maxage"}:
            assert value.isdigit(), directive
    if "public" in directives:
        # What any cache may keep must say for how long.
        max_age = [d for d in directives if d.startswith("max-age=")]
        assert len(max_age) == 1, response["Cache-Control"]
        assert int(max_age[0].removeprefix("max-age=")) > 0, response["Cache-Control"]


@pytest.mark.parametrize("page", PAGES)
def test_every_kind_of_page_answers_with_the_whole_header_contract(fetch, page):
    expected = PAGES[page]

    response = fetch(page)

    # The expected status first, so the headers checked are those of the real page.
    assert response.status_code == expected.status
    assert policy_directives(response["Content-Security-Policy"]) == EXPECTED_POLICY
    assert "Content-Security-Policy-Report-Only" not in response.headers
    hsts = {part.strip() for part in response["Strict-Transport-Security"].split(";")}
    assert hsts == {"max-age=31536000", "includeSubDomains", "preload"}
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == expected.referrer
    assert_cache_control_is_well_formed(response)
    directives = cache_directives(response)
    assert set(expected.cache_has) <= directives, response.get("Cache-Control")
    assert not set(expected.cache_lacks) & directives, response.get("Cache-Control")
    assert list(response.cookies) == list(expected.cookies)
    for name in response.cookies:
        assert_cookie_is_host_only_secure_and_hidden_from_scripts(response, name)


def test_nonce_in_the_policy_is_fresh_for_every_response(fetch):
    first, second = (
        NONCE_RE.findall(fetch("admin login page")["Content-Security-Policy"]) for _ in range(2)
    )

    # The admin's pages use a nonce; a reused one would let an injected script run.
    assert len(first) == len(second) == 1
    assert first != second


def test_hsts_is_only_sent_over_https(client, letter):
    response = client.get("/petitions/ukteshbayev-open-letter/")

    assert "Strict-Transport-Security" not in response.headers


def test_session_cookie_of_an_admin_login_is_host_only_secure_and_hidden_from_scripts(
    client, admin_user
):
    device = TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)

    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "admin",
            "password": "password",
            "otp_token": totp_code(device),
            "next": "/admin/",
        },
        secure=True,
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert "__Host-sessionid" in response.cookies
    for name in response.cookies:
        assert_cookie_is_host_only_secure_and_hidden_from_scripts(response, name)
