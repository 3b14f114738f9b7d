"""A body no form here can read (another charset, a broken header, a broken multipart) gets the
400 page in the page's language, on every URL, in-process and through gunicorn as in production;
nothing is stored and nothing already stored is lost."""

import http.client
import io
import re
import sqlite3
from pathlib import Path

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import served
from helpers import page_text
from signatories.models import Signature

SIGN = "/petitions/ukteshbayev-open-letter/sign/"
FORM = "application/x-www-form-urlencoded"
# What gunicorn answers when Django itself failed: no page, no language.
BARE_500 = b"Internal Server Error"

OTHER_CHARSETS = ["latin-1", "ascii", "utf-16", "koi8-r"]
# Content-Type headers that Django cannot parse at all, before any middleware runs.
UNPARSEABLE = [
    f"{FORM}; charset*=no-such-charset''utf-8",
    f"{FORM}; charset*=utf-8''utf%00",
    f"multipart/form-data; boundary={'x' * 11_000}",
]
MULTIPART_BROKEN = [
    # No boundary, an empty one, and a part whose headers never end.
    (b'--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nAigerim', "multipart/form-data"),
    (b"--\r\n\r\n", "multipart/form-data; boundary="),
    (
        b"--x\r\nX-Padding: " + b"a" * 20_000 + b"\r\n\r\nv\r\n--x--\r\n",
        "multipart/form-data; boundary=x",
    ),
]


def csrf_client() -> tuple[Client, str]:
    """A browser that holds a CSRF cookie and token, as one that opened the admin's login has:
    so the CSRF check of a form that has one goes on to read the body."""
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    page = browser.get("/admin/login/")
    return browser, page.context["csrf_token"]


@pytest.mark.parametrize("charset", OTHER_CHARSETS)
@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        (SIGN, "The page could not understand what was sent to it."),
        (f"/ru{SIGN}", "Страница не смогла разобрать отправленные данные."),
        # The admin speaks the site's default language.
        ("/admin/login/", "The page could not understand what was sent to it."),
    ],
)
def test_a_form_in_another_charset_gets_the_400_page_in_its_language(
    letter, signing_data, make_signature, charset, url, refusal
):
    kept = make_signature(letter)
    browser, token = csrf_client()
    body = f"csrfmiddlewaretoken={token}&name=Aigerim&email=a%40example.org&country=KZ"

    response = browser.post(url, body.encode(), content_type=f"{FORM}; charset={charset}")

    assert response.status_code == 400
    assert refusal in page_text(response)
    assert list(Signature.objects.all()) == [kept]


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", "utf_8"])
def test_a_form_that_names_utf8_in_any_spelling_is_read_as_utf8(client, letter, charset):
    body = "name=%D0%90%D0%B9%D0%B3%D0%B5%D1%80%D0%B8%D0%BC&email=a%40example.org&country=KZ"

    response = client.post(SIGN, body, content_type=f"{FORM}; charset={charset}")

    assert response.status_code == 302
    assert Signature.objects.get().name == "Айгерим"


@pytest.mark.parametrize(("body", "content_type"), MULTIPART_BROKEN)
def test_a_broken_multipart_body_gets_the_400_page(letter, make_signature, body, content_type):
    kept = make_signature(letter)
    browser, _token = csrf_client()

    response = browser.post(SIGN, body, content_type=content_type)

    assert response.status_code == 400
    assert "The page could not understand what was sent to it." in page_text(response)
    assert list(Signature.objects.all()) == [kept]


# Through gunicorn, as production runs it.


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """One worker, as production runs it."""
    with served.gunicorn(tmp_path_factory.mktemp("gunicorn"), GUNICORN_WORKERS="1") as server:
        yield server


def raw_request(port: int, method: str, path: str, body: bytes = b"", **headers: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body, {k.replace("_", "-"): v for k, v in headers.items()})
    response = connection.getresponse()
    return response.status, response.getheaders(), response.read()


def stored_signatures(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("select count(*) from signatories_signature").fetchone()[0]


@pytest.fixture(scope="module")
def csrf_pair(gunicorn) -> dict[str, str]:
    """The cookie and token of a browser that opened the admin's login, so the CSRF check goes
    on to read the body, as it would for a real visitor."""
    _status, headers, page = raw_request(gunicorn["port"], "GET", "/admin/login/")
    [cookie] = [v.split(";")[0] for k, v in headers if k == "Set-Cookie" and "csrftoken" in v]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    return {"cookie": cookie, "token": token}


@pytest.mark.parametrize(
    "content_type",
    [f"{FORM}; charset={c}" for c in ["latin-1", "ascii", "utf-16", "no-such-charset"]]
    # Django cannot parse these headers; gunicorn itself refuses one too long to parse (431).
    + UNPARSEABLE[:2],
)
@pytest.mark.parametrize(
    ("path", "language", "html_lang"),
    [(SIGN, "ru", "en"), (f"/ru{SIGN}", "en", "ru"), ("/admin/login/", "ru", "en")],
)
def test_gunicorn_answers_a_body_no_form_can_read_with_the_400_page(
    gunicorn, csrf_pair, content_type, path, language, html_lang
):
    before = stored_signatures(gunicorn["database"])
    body = f"csrfmiddlewaretoken={csrf_pair['token']}&name=x&email=a%40example.org&country=KZ"

    status, _headers, page = raw_request(
        gunicorn["port"],
        "POST",
        path,
        body.encode(),
        Content_Type=content_type,
        Cookie=csrf_pair["cookie"],
        Origin=f"http://127.0.0.1:{gunicorn['port']}",
        Accept_Language=language,
    )

    assert status == 400, page[:300]
    assert page != BARE_500
    assert f'<html lang="{html_lang}"'.encode() in page
    assert stored_signatures(gunicorn["database"]) == before


def test_gunicorn_still_takes_a_signature_in_utf8(gunicorn, csrf_pair):
    before = stored_signatures(gunicorn["database"])
    body = (
        f"csrfmiddlewaretoken={csrf_pair['token']}&name=%D0%90%D0%B9%D0%B3%D0%B5%D1%80%D0%B8%D0%BC"
        "&email=aigerim%40example.org&country=KZ"
    )

    status, headers, _page = raw_request(
        gunicorn["port"],
        "POST",
        SIGN,
        body.encode(),
        Content_Type=f"{FORM}; charset=utf8",
        Cookie=csrf_pair["cookie"],
        Origin=f"http://127.0.0.1:{gunicorn['port']}",
    )

    assert (status, dict(headers)["Location"]) == (
        302,
        "/petitions/ukteshbayev-open-letter/thanks/",
    )
    assert stored_signatures(gunicorn["database"]) == before + 1


@pytest.mark.parametrize("content_type", UNPARSEABLE)
def test_a_content_type_django_cannot_parse_gets_the_400_page_from_the_wsgi_application(
    letter, make_signature, content_type
):
    """Django parses the header while it builds the request, before any middleware: the WSGI
    application itself must not let that end in a bare 500, whatever server runs it."""
    from solidarity.wsgi import application

    kept = make_signature(letter)
    answered = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/ru" + SIGN,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b"name=x"),
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": "6",
    }

    # As Django's test client does: the request must not close the test's own connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(application(environ, lambda status, headers: answered.append(status)))
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)

    assert answered == ["400 Bad Request"]
    assert '<html lang="ru"' in body.decode()
    assert list(Signature.objects.all()) == [kept]


PARAMETERS = st.lists(
    st.tuples(
        st.sampled_from(["charset", "charset*", "boundary", "boundary*", "name"]),
        st.one_of(st.text(max_size=20), st.sampled_from(["utf-8''utf%00", "''", '"', "utf8"])),
    ),
    max_size=3,
)
CONTENT_TYPES = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda kind, parameters: kind + "".join(f"; {k}={v}" for k, v in parameters),
        st.sampled_from([FORM, "multipart/form-data", "text/plain", "application/json", ""]),
        PARAMETERS,
    ),
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content_type=CONTENT_TYPES, body=st.binary(max_size=40))
def test_any_content_type_and_body_through_the_wsgi_application_is_never_a_500(
    db, content_type, body
):
    from solidarity.wsgi import application

    answered = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": SIGN,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        # A WSGI server passes header bytes as latin-1 text.
        "CONTENT_TYPE": content_type.encode("utf-8", "replace").decode("latin-1"),
        "CONTENT_LENGTH": str(len(body)),
    }
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        b"".join(application(environ, lambda status, headers: answered.append(status)))
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)

    assert not answered[0].startswith("5"), (content_type, answered)
