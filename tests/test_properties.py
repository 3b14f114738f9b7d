"""Properties of the signing form, tried on many generated inputs.

Whatever is sent, the answer is the thanks page or the form with a message, never a 500; and
whatever is accepted comes back exactly, from the database and from the CSV export.
"""

import io
import unicodedata

from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import csv_rows
from signatories.models import Signature

URL = "/petitions/ukteshbayev-open-letter/sign/"
THANKS = "/petitions/ukteshbayev-open-letter/thanks/"

# Each example shares the test's database transaction and cache, so it starts by emptying both.
# How many examples to try comes from the profile conftest.py loads (HYPOTHESIS_PROFILE).
examples = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def start_afresh() -> None:
    """No earlier example's signature or rate-limit count affects this one."""
    Signature.objects.all().delete()
    cache.clear()


# Any text a client can send: every code point but surrogates (UTF-8 cannot carry them),
# so control, format, private-use and combining characters too, short or up to 2,000 long.
any_character = st.characters(exclude_categories=["Cs"])
any_text = st.one_of(
    st.text(any_character, max_size=30),
    st.text(any_character, min_size=100, max_size=2000),
    st.sampled_from(["", " ", "\x00", "\r\n", "=1+1", "＠", "\u202e", "KZ", "on", "false"]),
)
# A valid form, some of whose fields are replaced by any text, with any other fields added: so
# that generated forms also get past validation, to the insert and the abuse checks.
VALID = {
    "name": "Есенбек Өктешбаев",
    "email": "aigerim@example.org",
    "organisation": "Zhanartu",
    "country": "KZ",
    "comment": "Solidarity from Almaty.",
    "hide_name": "on",
}
KNOWN_KEYS = [*VALID, "status", "petition", "flags", "emails_sent", "started", "extra_reference"]
changes = st.dictionaries(
    st.one_of(st.sampled_from(KNOWN_KEYS), st.text(any_character, max_size=20)),
    any_text,
    max_size=6,
)
valid_body = b"name=A&email=a%40example.org&country=KZ&"


@examples
@given(changes=changes)
def test_any_form_input_gets_thanks_or_a_message_never_a_server_error(letter, changes):
    start_afresh()

    response = Client(raise_request_exception=False).post(URL, VALID | changes)

    assert response.status_code in {302, 400}
    assert Signature.objects.count() == (1 if response.status_code == 302 else 0)


@examples
@given(body=st.one_of(st.binary(max_size=2000), st.binary(max_size=200).map(valid_body.__add__)))
def test_any_request_body_gets_thanks_or_a_400_never_a_server_error(letter, body):
    start_afresh()

    response = Client(raise_request_exception=False).post(
        URL, body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code in {302, 400}
    assert Signature.objects.count() == (1 if response.status_code == 302 else 0)


# Letters people write names in, a few of each script, precomposed where Unicode has a form.
LETTERS = (
    "abcxyzABCXYZ"
    "éèêëçñøåæœßłżźąęőűčšžğışÉÇŁŻŐ"
    "ễệặđơư"  # Vietnamese: two marks each when decomposed
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЁЙЪ"
    "әғқңөұүһіӘҒҚҢӨҰҮҺІ"  # Kazakh
    "αβγδεζάέήίόύώΑΒΓ"
    "אבגדהוזחטי"
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    "王小明山田陳張李金"
    "たろうカタカナ"
    "김민준이서연"
    "ქართული"
    "Աբգդ"
)
word = st.text(st.sampled_from(LETTERS), min_size=1, max_size=8)
separator = st.sampled_from([" ", " ", "-", "'", "’", " "])
padding = st.sampled_from(["", " ", "  ", "\t", "\u3000", "\u00a0"])


@st.composite
def names(draw: st.DrawFn) -> str:
    """A name as a person may type it: words joined by spaces, hyphens or apostrophes,
    perhaps decomposed (as some keyboards send it), perhaps with space around it."""
    parts = [draw(word)]
    for _ in range(draw(st.integers(0, 3))):
        parts += [draw(separator), draw(word)]
    value = "".join(parts)
    if draw(st.booleans()):
        value = unicodedata.normalize("NFD", value)
    return draw(padding) + value + draw(padding)


@st.composite
def comments(draw: st.DrawFn) -> str:
    """Paragraphs as a browser sends them (CRLF) or as a script might (LF), with punctuation
    and emoji, under the length limit however their line breaks are counted."""
    extra = st.sampled_from([*LETTERS, " ", ",", ".", "!", "?", "=", "@", "+", "-", "✊", "🌍"])
    lines = draw(st.lists(st.text(extra, max_size=40), min_size=1, max_size=5))
    lines[0] = draw(word) + lines[0]
    value = draw(st.sampled_from(["\r\n", "\n", "\r\n\r\n"])).join(lines)
    if draw(st.booleans()):
        value = unicodedata.normalize("NFD", value)
    return value


local_part = st.from_regex(r"[a-z0-9]{1,12}([._+-][a-z0-9]{1,8}){0,2}", fullmatch=True)
domain = st.sampled_from(
    ["example.org", "mail.kz", "пример.рф", "xn--e1afmkfd.xn--p1ai", "sub.example.co.uk"]
)
emails = st.builds("{}@{}".format, local_part, domain)
countries = st.sampled_from(["KZ", "RU", "UA", "CN", "SA", "IL", "GR", "GE", "AM", "VN", "GB"])


def as_stored(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip())


def export_rows() -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("export_signatures", "ukteshbayev-open-letter", "--status", "all", stdout=out)
    return csv_rows(out.getvalue().encode("utf-8"))


@examples
@given(
    name=names(),
    email=emails,
    organisation=st.one_of(st.just(""), names()),
    country=countries,
    comment=st.one_of(st.just(""), comments()),
    hide_name=st.booleans(),
)
def test_accepted_values_round_trip_exactly_to_the_database_and_the_csv(
    letter, name, email, organisation, country, comment, hide_name
):
    start_afresh()
    data = {
        "name": name,
        "email": email,
        "organisation": organisation,
        "country": country,
        "comment": comment,
    } | ({"hide_name": "on"} if hide_name else {})

    response = Client(raise_request_exception=False).post(URL, data)

    assert response.status_code == 302
    assert response["Location"] == THANKS
    expected = {
        "name": as_stored(name),
        "email": email,
        "organisation": as_stored(organisation),
        "country": country,
        "comment": as_stored(comment).replace("\r\n", "\n"),
    }
    signature = Signature.objects.get()
    assert {
        "name": signature.name,
        "email": signature.email,
        "organisation": signature.organisation,
        "country": signature.country.code,
        "comment": signature.comment,
    } == expected
    assert signature.hide_name is hide_name
    [row] = export_rows()
    assert {field: row[field] for field in expected} == expected
    assert row["hide_name"] == ("yes" if hide_name else "no")
