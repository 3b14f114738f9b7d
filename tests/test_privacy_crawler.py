"""A privacy crawler: sign with unique canary values, read every public URL, find no canary.

Each secret is a random token that no page could show by chance, so if one turns up in a body or a
header, a field leaked. Emails carry their token in the part before the @, so an address is caught
however a page spells the @ (`@`, `&#64;`, `%40`).
"""

import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import LocalePrefixPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern
from django.utils import translation

from helpers import form_data, page_text
from signatories.choices import CONFIRM, WITHDRAW
from signatories.models import Signature

SIGN_URL = "/petitions/ukteshbayev-open-letter/sign/"
GARBAGE_TOKEN = "not-a-real-token"
# The letter page lists signatures a page at a time; the crawler reads each page of the list,
# by the links to the older ones.
OLDER_RE = re.compile(r'href="[^"]*(\?older=[^"#]+)')
PARAMETER_RE = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")


def canary(what: str) -> str:
    return f"canary-{what}-{uuid.uuid4().hex}"


@dataclass
class Signer:
    """What one person typed into the signing form, and which of it must stay secret."""

    state: str
    name: str = ""
    organisation: str = ""
    comment: str = ""
    hide_name: bool = False
    email_token: str = field(default_factory=lambda: canary("email"))
    secret_fields: tuple[str, ...] = ()

    @property
    def email(self) -> str:
        return f"{self.email_token}@example.org"

    def form_data(self) -> dict[str, str]:
        data = {
            "name": self.name,
            "email": self.email,
            "organisation": self.organisation,
            "country": "KZ",
            "comment": self.comment,
        }
        return data | {"hide_name": "on"} if self.hide_name else data

    def secrets(self) -> dict[str, str]:
        """Label -> canary, for every value of this signer that must never be public."""
        secrets = {f"email of the {self.state} signature": self.email_token}
        for name in self.secret_fields:
            secrets[f"{name} of the {self.state} signature"] = getattr(self, name)
        return secrets


def secret_signer(state: str, *, hide_name: bool = False) -> Signer:
    return Signer(
        state=state,
        name=canary(f"{state}-name"),
        organisation=canary(f"{state}-organisation"),
        comment=canary(f"{state}-comment"),
        hide_name=hide_name,
        secret_fields=("name", "organisation", "comment"),
    )


def public_signer(number: int) -> Signer:
    """Approved and named: only the email is secret, the rest the crawler must find."""
    return Signer(
        state=f"public {number}",
        name=f"Public Signer {number}",
        organisation="Zhanartu",
        comment=f"Public comment {number}",
    )


@dataclass
class Crawl:
    secrets: dict[str, str]
    public_names: list[str]
    signatures: list[Signature]
    responses: list[tuple[str, HttpResponse]] = field(default_factory=list)
    # The confirmation page shows its own signature, to the one person with its link: the token
    # of each link, and the state of the signature it is for.
    link_owners: dict[str, str] = field(default_factory=dict)
    states: dict[int, str] = field(default_factory=dict)

    def record(self, request: str, response: HttpResponse) -> HttpResponse:
        self.responses.append((request, response))
        return response


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST as a browser would, then run what waits for the commit (the confirmation email)."""

    def post(url: str, data: dict[str, str] | None = None) -> HttpResponse:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return post


@pytest.fixture
def signed(
    client, post, letter, admin_user, django_capture_on_commit_callbacks, settings, counted
):
    """Canary signatures in every state, all made through the signing form, and counted."""
    # Seven signatures, two a page: the pages of the list would hold every one of them,
    # should any secret signature leak into the list.
    settings.SIGNATURES_PER_PAGE = 2
    hidden = secret_signer("hidden", hide_name=True)
    unconfirmed = secret_signer("unconfirmed")
    confirmed = secret_signer("confirmed")
    rejected = secret_signer("rejected")
    public = [public_signer(number) for number in (1, 2, 3)]
    # Secret signatures are the newest, so they would lead the list if they leaked into it.
    signers = [*public, hidden, unconfirmed, confirmed, rejected]
    crawl = Crawl(
        secrets={label: value for signer in signers for label, value in signer.secrets().items()},
        public_names=[signer.name for signer in public],
        signatures=[],
    )

    for signer in signers:
        response = crawl.record(f"POST {SIGN_URL}", post(SIGN_URL, signer.form_data()))
        assert response.status_code == 302, page_text(response)
    signatures = {signer.state: Signature.objects.get(email=signer.email) for signer in signers}
    for state in ["hidden", "confirmed", "rejected", "public 1", "public 2", "public 3"]:
        url = (
            f"/petitions/ukteshbayev-open-letter/confirm/{signatures[state].link_token(CONFIRM)}/"
        )
        shown = client.get(url)  # the signer's own page, shown to them: not part of the crawl
        response = crawl.record(f"POST {url}", post(url, form_data(shown.context["form"])))
        assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        Signature.objects.filter(
            pk__in=[
                signatures[state].pk for state in ["hidden", "public 1", "public 2", "public 3"]
            ]
        ).moderate(Signature.Status.APPROVED, by=admin_user)
        Signature.objects.filter(pk=signatures["rejected"].pk).moderate(
            Signature.Status.REJECTED, by=admin_user
        )
    counted()

    stored = {state: Signature.objects.get(pk=s.pk) for state, s in signatures.items()}
    assert stored["hidden"].hide_name is True
    assert stored["hidden"].status == Signature.Status.APPROVED
    assert stored["unconfirmed"].status == Signature.Status.PENDING
    assert stored["unconfirmed"].confirmed_at is None
    assert stored["confirmed"].status == Signature.Status.PENDING
    assert stored["confirmed"].confirmed_at is not None
    assert stored["rejected"].status == Signature.Status.REJECTED
    assert {stored[f"public {n}"].status for n in (1, 2, 3)} == {Signature.Status.APPROVED}
    crawl.signatures = list(stored.values())
    crawl.states = {signature.pk: state for state, signature in stored.items()}
    return crawl


def public_routes(patterns: list | None = None, prefix: str = "") -> list[str]:
    """Every public route for the active language, e.g. "ru/petitions/<slug:slug>/sign/".

    Fails on a kind of pattern the crawler cannot read, so no public URL goes unvisited.
    """
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "admin":
            continue
        if isinstance(entry.pattern, LocalePrefixPattern):
            part = entry.pattern.language_prefix
        elif isinstance(entry.pattern, RoutePattern):
            part = str(entry.pattern)
        else:
            pytest.fail(f"The crawler cannot read the URL pattern {entry.pattern!r}: teach it.")
        if isinstance(entry, URLResolver):
            routes += public_routes(entry.url_patterns, prefix + part)
        else:
            routes.append(prefix + part)
    return routes


def fill(route: str, values: dict[str, list[str]]) -> list[str]:
    """Every URL a route gives with the values known for its parameters."""
    placeholders = [match[0] for match in PARAMETER_RE.finditer(route)]
    names = [match["name"] for match in PARAMETER_RE.finditer(route)]
    unknown = [name for name in names if name not in values]
    assert not unknown, f"The crawler does not know how to fill {unknown} in {route!r}: teach it."
    urls = []
    for combination in itertools.product(*(values[name] for name in names)):
        url = route
        for placeholder, value in zip(placeholders, combination, strict=True):
            url = url.replace(placeholder, value, 1)
        urls.append(f"/{url}")
    return urls


def public_urls(values: dict[str, list[str]]) -> dict[str, str]:
    """Every public URL in every language, with the name of the view it is checked to reach."""
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for route in public_routes():
                for url in fill(route, values):
                    # A value the route's converter refuses would crawl a 404.
                    urls[url] = resolve(url).view_name
    return urls


def crawl_every_public_url(client: Client, post: Callable, crawl: Crawl) -> Crawl:
    crawl.link_owners = {
        signature.link_token(purpose): crawl.states[signature.pk]
        for signature in crawl.signatures
        for purpose in (CONFIRM, WITHDRAW)
    }
    tokens = [*crawl.link_owners, GARBAGE_TOKEN]
    urls = public_urls({"slug": ["ukteshbayev-open-letter"], "token": tokens})
    for url, view_name in urls.items():
        page = ""
        while page is not None:
            response = crawl.record(f"GET {url}{page}", client.get(f"{url}{page}"))
            older = OLDER_RE.search(response.content.decode())
            page = older.group(1) if older and view_name == "petitions:detail" else None
    # Signing again must not reveal that the address signed, nor echo what was typed.
    for url in [url for url in urls if url.endswith("/sign/")]:
        for signer_email in [s.email for s in crawl.signatures]:
            again = {
                "name": canary("duplicate-name"),
                "email": signer_email.upper(),
                "organisation": canary("duplicate-organisation"),
                "country": "KZ",
                "comment": canary("duplicate-comment"),
            }
            crawl.secrets |= {
                f"{name} typed when signing again": again[name]
                for name in ["name", "organisation", "comment"]
            }
            response = crawl.record(f"POST {url}", post(url, again))
            assert response.status_code == 302
            crawl.record(f"GET {response['Location']}", client.get(response["Location"]))
    return crawl


def shown_to_its_owner(crawl: Crawl, request: str, label: str) -> bool:
    """Whether this is what a signature's own link shows its owner: what they typed, so they
    can check what will be published. Never their address, nor anyone else's words."""
    return any(
        token in request and label.endswith(f" of the {owner} signature")
        for token, owner in crawl.link_owners.items()
        if not label.startswith("email")
    )


def everything_sent(response: HttpResponse) -> str:
    """Status line aside, all a browser receives: headers, cookies and body."""
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    return "\n".join([headers, response.cookies.output(), response.getvalue().decode()])


def test_crawler_finds_every_public_page_in_every_language():
    urls = public_urls({"slug": ["ukteshbayev-open-letter"], "token": [GARBAGE_TOKEN]})

    for url in [
        "/",
        "/petitions/ukteshbayev-open-letter/",
        "/petitions/ukteshbayev-open-letter/sign/",
        "/petitions/ukteshbayev-open-letter/thanks/",
        "/petitions/ukteshbayev-open-letter/confirm/not-a-real-token/",
        "/petitions/ukteshbayev-open-letter/confirmed/",
        "/petitions/ukteshbayev-open-letter/withdraw/not-a-real-token/",
        "/petitions/ukteshbayev-open-letter/withdrawn/",
        "/ru/",
        "/ru/petitions/ukteshbayev-open-letter/",
        "/ru/petitions/ukteshbayev-open-letter/confirm/not-a-real-token/",
    ]:
        assert url in urls
    assert not [url for url in urls if url.startswith("/admin/")]


def test_crawler_refuses_a_url_parameter_it_does_not_know_how_to_fill():
    with pytest.raises(AssertionError, match="does not know how to fill"):
        fill("petitions/<slug:slug>/signatures/<int:number>/", {"slug": ["a-letter"]})


def test_no_canary_appears_in_any_public_body_or_header(client, post, signed):
    crawl = crawl_every_public_url(client, post, signed)

    sent = [
        (request, response, everything_sent(response)) for request, response in crawl.responses
    ]
    assert not [request for request, response, _text in sent if response.status_code >= 500]
    # The crawler reads the pages that list signatures and the pages that real links open, or
    # finding nothing would prove nothing.
    for name in crawl.public_names:
        assert any(name in text for _request, _response, text in sent), name
    for page in [
        "/confirm/",
        "/withdraw/",
        "/ru/petitions/ukteshbayev-open-letter/confirm/",
        "/petitions/ukteshbayev-open-letter/?older=",
    ]:
        opened = [request for request, response, _text in sent if response.status_code == 200]
        assert any(page in request for request in opened if request.startswith("GET")), page
    leaks = [
        f"{label} in the response to {request}"
        for request, _response, text in sent
        for label, secret in crawl.secrets.items()
        if secret in text and not shown_to_its_owner(crawl, request, label)
    ]
    assert not leaks, "\n".join(leaks)
    assert not [request for request, _response, text in sent if "@example.org" in text]


def test_letter_page_counts_the_hidden_signature_without_naming_it(client, signed):
    text = page_text(client.get("/petitions/ukteshbayev-open-letter/"))

    # Approved: the hidden signature and three public ones.
    assert "4 signatures" in text
    assert "Public Signer 3" in text
    for label, secret in signed.secrets.items():
        assert secret not in text, label
