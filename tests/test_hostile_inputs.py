"""Hostile input to the signing form: each is stored exactly as meant or refused with a reason.

Each table row is (id, what is sent, what should happen). Whatever is sent, a person gets the
thanks page, the form again with a message, or a 4xx page, never a 500; and the database holds
exactly the signature that was meant, or nothing.
"""

import unicodedata

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from helpers import assert_fresh_from_the_public, page_text
from signatories.addresses import ascii_address
from signatories.models import Signature

URL = "/petitions/ukteshbayev-open-letter/sign/"
THANKS = "/petitions/ukteshbayev-open-letter/thanks/"
LETTER = "/petitions/ukteshbayev-open-letter/"
FIELDS = ["name", "email", "organisation", "country", "comment", "hide_name"]
FORM = "application/x-www-form-urlencoded"

UNDELIVERABLE = "Enter an email address that can receive mail, such as name@example.org."
INVALID_EMAIL = "Enter a valid email address."
REQUIRED = "This field is required."
NULL = "Null characters are not allowed."
STACKED = "Please remove the stacked accent marks."
NOT_A_URL = "Please enter your name, not a web address."
UNKNOWN_COUNTRY = "Please choose a country from the list."
BAD_REQUEST = "The page could not understand what was sent to it. Nothing was saved."
UNREADABLE = "Some characters could not be read. Please type them again."


def hidden(code: int) -> str:
    return f"Please remove the invisible or control character (U+{code:04X})."


def formula(character: str) -> str:
    return f"A name cannot start with “{character}”."


def too_long(limit: int, length: int) -> str:
    return f"Ensure this value has at most {limit} characters (it has {length})."


# A comment of 999 characters as typed, in ten paragraphs: a browser sends its line breaks as
# CRLF, so 1,008 characters arrive for 999 stored.
TEN_PARAGRAPHS = "\r\n".join(["x" * 99] * 10)

# (what is sent over the valid signing_data, what is stored where it differs from what was sent,
# the look-alike flags moderators should see)
ACCEPTED = [
    pytest.param({"name": "Есенбек Өктешбаев"}, {}, set(), id="kazakh-name"),
    pytest.param({"organisation": "Қазақстан кәсіподақтары"}, {}, set(), id="kazakh-organisation"),
    pytest.param({"name": "Алексей Иванов"}, {}, set(), id="russian-name"),
    pytest.param({"name": "محمد عبد الله"}, {}, set(), id="arabic-name"),
    pytest.param({"comment": "تضامن مع العمال في كازاخستان"}, {}, set(), id="arabic-comment"),
    pytest.param({"name": "王小明"}, {}, set(), id="chinese-name"),
    pytest.param({"name": "山田たろう"}, {}, set(), id="japanese-name-mixing-kanji-and-kana"),
    pytest.param({"name": "김민준"}, {}, set(), id="korean-name"),
    pytest.param({"name": "अनीता शर्मा"}, {}, set(), id="devanagari-name"),
    pytest.param({"name": "Łukasz Żółć-Ørsted"}, {}, set(), id="accented-latin-name"),
    pytest.param({"name": "Luc de Chivré"}, {}, set(), id="french-name-with-particle"),
    pytest.param({"name": "A.N. Other"}, {}, set(), id="initials-with-dots-are-no-domain"),
    pytest.param({"name": "И.Петров"}, {}, set(), id="cyrillic-initial-without-space"),
    pytest.param({"name": "J.Li"}, {}, set(), id="initial-before-a-short-surname"),
    pytest.param({"name": "W.E.B. Du Bois, Ph.D."}, {}, set(), id="initials-and-degree"),
    pytest.param({"name": "St.Petersburg Union"}, {}, set(), id="abbreviation"),
    pytest.param({"name": "Dr.De Silva"}, {}, set(), id="title-before-a-particle"),
    pytest.param({"name": "Mr.To Lam"}, {}, set(), id="title-before-a-short-surname"),
    pytest.param({"name": "Nguyễn Thị Minh Khai"}, {}, set(), id="vietnamese-name"),
    pytest.param({"name": "Mary O'Brien-Smith"}, {}, set(), id="apostrophe-and-hyphen"),
    pytest.param({"name": "✊🏽 Aigerim 🇰🇿 👩‍👩‍👧 1️⃣"}, {}, set(), id="emoji-with-joiners"),
    pytest.param({"comment": "Солидарность ✊ 团结 تضامن"}, {}, set(), id="many-scripts-comment"),
    pytest.param({"name": "من‌ Aigerim"}, {}, set(), id="persian-zero-width-non-joiner"),
    pytest.param(
        {"name": "Jonas Bra\u0308nnberg"}, {"name": "Jonas Brännberg"}, set(), id="nfd-name"
    ),
    pytest.param({"name": "Алексеи\u0306"}, {"name": "Алексей"}, set(), id="nfd-cyrillic-short-i"),
    pytest.param(
        {"organisation": "Rättvisepartiet Socialisterna".replace("ä", "a\u0308")},
        {"organisation": "Rättvisepartiet Socialisterna"},
        set(),
        id="nfd-organisation",
    ),
    pytest.param(
        {"comment": "Nguye\u0302\u0303n"}, {"comment": "Nguyễn"}, set(), id="nfd-comment"
    ),
    pytest.param(
        {"name": "  Aigerim Seitkali \t"},
        {"name": "Aigerim Seitkali"},
        set(),
        id="surrounding-whitespace",
    ),
    pytest.param(
        {"name": "\u3000Aigerim Seitkali\u00a0"},
        {"name": "Aigerim Seitkali"},
        set(),
        id="ideographic-and-nbsp-padding",
    ),
    pytest.param({"organisation": "   "}, {"organisation": ""}, set(), id="blank-organisation"),
    pytest.param({"comment": "\r\n\r\n  "}, {"comment": ""}, set(), id="blank-comment"),
    pytest.param({"name": "A" * 120}, {}, set(), id="longest-name"),
    pytest.param({"comment": "ж" * 1000}, {}, set(), id="longest-comment"),
    pytest.param(
        {"comment": TEN_PARAGRAPHS},
        {"comment": TEN_PARAGRAPHS.replace("\r\n", "\n")},
        set(),
        id="longest-comment-in-paragraphs-sent-with-crlf",
    ),
    pytest.param(
        {"comment": "First line.\r\nSecond line.\rThird.\tEnd."},
        {"comment": "First line.\nSecond line.\nThird. End."},
        set(),
        id="mixed-line-endings-and-tab",
    ),
    pytest.param(
        {"name": "q\u0301\u0302\u0303\u0304"}, {}, set(), id="four-stacked-marks-allowed"
    ),
    pytest.param({"comment": "<script>alert(1)</script>"}, {}, set(), id="script-in-comment"),
    pytest.param(
        {"comment": '<img src=x onerror="alert(1)"> & <a href="javascript:alert(1)">x</a>'},
        {},
        set(),
        id="html-attributes-in-comment",
    ),
    pytest.param({"name": "<b>Aigerim</b> &amp;"}, {}, set(), id="html-in-name"),
    pytest.param(
        {"organisation": "</bdi><script>x()</script>"}, {}, set(), id="html-organisation"
    ),
    pytest.param({"name": "{{ settings.SECRET_KEY }}"}, {}, set(), id="template-variable-name"),
    pytest.param(
        {"comment": "{% debug %} {{ request.META }} {% csrf_token %}"},
        {},
        set(),
        id="template-tags-in-comment",
    ),
    pytest.param(
        {"comment": "'; DROP TABLE signatories_signature; --"}, {}, set(), id="sql-in-comment"
    ),
    pytest.param({"name": "' OR 1=1; --"}, {}, set(), id="name-starting-with-quote"),
    pytest.param(
        {"organisation": '=HYPERLINK("http://evil.example","Click")'},
        {},
        set(),
        id="formula-in-organisation-kept-for-neutralised-export",
    ),
    pytest.param({"comment": "Read https://example.org/?a=1&b=2"}, {}, set(), id="url-in-comment"),
    pytest.param({"email": "user@пример.рф"}, {}, set(), id="idn-email"),
    pytest.param({"email": "user@xn--e1afmkfd.xn--p1ai"}, {}, set(), id="punycode-email"),
    pytest.param({"email": "Aigerim@Example.ORG"}, {}, set(), id="email-kept-as-typed"),
    pytest.param(
        {"email": "aigerim@gmаil.com"}, {}, {"lookalike_domain"}, id="cyrillic-a-in-gmail"
    ),
    pytest.param(
        {"email": "aigerim@xn--gmil-63d.com"},
        {},
        {"lookalike_domain"},
        id="cyrillic-a-in-gmail-as-punycode",
    ),
    pytest.param({"name": "Jeremy Сorbyn"}, {}, {"lookalike_name"}, id="cyrillic-c-in-name"),
    pytest.param(
        {"email": "aigerim@example.org\r\n"},
        {"email": "aigerim@example.org"},
        set(),
        id="trailing-crlf-in-email",
    ),
    pytest.param({"hide_name": "on"}, {"hide_name": True}, set(), id="hide-name"),
    pytest.param({"hide_name": "false"}, {"hide_name": False}, set(), id="hide-name-false"),
    pytest.param(
        {
            "status": "approved",
            "flags": "honeypot rate_limited",
            "emails_sent": "99",
            "confirmed_at": "2020-01-01 00:00",
            "moderated_by": "1",
            "source": "staff",
            "notable": "on",
            "email_canonical": "someone@else.example",
            "language": "xx",
            "id": "1",
            "created_at": "2000-01-01 00:00",
        },
        {},
        set(),
        id="extra-model-fields",
    ),
    pytest.param(
        {"name[]": "x", "__proto__": "x", "name\x00": "x", "": "x"}, {}, set(), id="odd-keys"
    ),
]

# (what is sent over the valid signing_data, the field refused, its message)
REFUSED = [
    pytest.param({"name": ""}, "name", REQUIRED, id="empty-name"),
    pytest.param({"name": " \t "}, "name", REQUIRED, id="whitespace-name"),
    pytest.param({"name": "\u3000\u00a0\u2003"}, "name", REQUIRED, id="unicode-space-name"),
    pytest.param({"email": ""}, "email", REQUIRED, id="empty-email"),
    pytest.param({"email": "   "}, "email", REQUIRED, id="whitespace-email"),
    pytest.param({"country": ""}, "country", REQUIRED, id="empty-country"),
    pytest.param({"name": "A" * 121}, "name", too_long(120, 121), id="name-121"),
    pytest.param({"name": "Ж" * 10_000}, "name", too_long(120, 10_000), id="name-10000"),
    pytest.param(
        {"name": "\u0958" * 120}, "name", too_long(120, 240), id="name-growing-when-composed"
    ),
    pytest.param(
        {"organisation": "x" * 201}, "organisation", too_long(200, 201), id="organisation-201"
    ),
    pytest.param({"comment": "x" * 1001}, "comment", too_long(1000, 1001), id="comment-1001"),
    pytest.param(
        {"comment": "\u0958" * 1000},
        "comment",
        too_long(1000, 2000),
        id="comment-growing-when-composed",
    ),
    pytest.param(
        {"email": "a" * 250 + "@example.org"}, "email", too_long(254, 262), id="email-262"
    ),
    pytest.param({"name": "Aigerim\x00Seitkali"}, "name", NULL, id="nul-in-name"),
    pytest.param({"email": "aigerim@example.org\x00"}, "email", NULL, id="nul-in-email"),
    pytest.param({"organisation": "\x00"}, "organisation", NULL, id="nul-in-organisation"),
    pytest.param({"comment": "Solidarity\x00"}, "comment", NULL, id="nul-in-comment"),
    pytest.param({"name": "Bell\x07Name"}, "name", hidden(0x07), id="c0-bell"),
    pytest.param({"name": "Aigerim\x08\x08\x08"}, "name", hidden(0x08), id="c0-backspaces"),
    pytest.param(
        {"organisation": "Unite\x1b[31m"}, "organisation", hidden(0x1B), id="c0-ansi-escape"
    ),
    pytest.param({"comment": "Tab\x0bbed"}, "comment", hidden(0x0B), id="c0-vertical-tab"),
    pytest.param({"name": "Delete\x7fme"}, "name", hidden(0x7F), id="delete"),
    pytest.param({"name": "Aigerim\x85Seitkali"}, "name", hidden(0x85), id="c1-next-line"),
    pytest.param({"comment": "Hi\x9b31m"}, "comment", hidden(0x9B), id="c1-csi"),
    pytest.param({"name": "Evil\u202eredis"}, "name", hidden(0x202E), id="bidi-rlo"),
    pytest.param(
        {"comment": "ok \u202egnp.exe"}, "comment", hidden(0x202E), id="bidi-rlo-comment"
    ),
    pytest.param({"name": "Aigerim\u2066x"}, "name", hidden(0x2066), id="bidi-lri"),
    pytest.param({"name": "Aigerim\u2067x"}, "name", hidden(0x2067), id="bidi-rli"),
    pytest.param({"organisation": "Unite\u2068x"}, "organisation", hidden(0x2068), id="bidi-fsi"),
    pytest.param({"name": "Aigerim\u2069"}, "name", hidden(0x2069), id="bidi-pdi"),
    pytest.param({"name": "\u200fAigerim"}, "name", hidden(0x200F), id="right-to-left-mark"),
    pytest.param({"name": "Zero\u200bwidth"}, "name", hidden(0x200B), id="zero-width-space"),
    pytest.param({"name": "\ufeffAigerim"}, "name", hidden(0xFEFF), id="byte-order-mark"),
    pytest.param({"name": "\u200b"}, "name", hidden(0x200B), id="only-zero-width"),
    pytest.param({"name": "Word\u2060joiner"}, "name", hidden(0x2060), id="word-joiner"),
    pytest.param(
        {"name": "Aigerim\U000e0069\U000e0067\U000e006e"},
        "name",
        hidden(0xE0069),
        id="invisible-tag-characters",
    ),
    pytest.param({"name": "Private\ue000use"}, "name", hidden(0xE000), id="private-use"),
    pytest.param({"name": "Bad \ufffd bytes"}, "name", UNREADABLE, id="replacement-character"),
    pytest.param(
        {"name": "Z\u0301\u0302\u0303\u0304\u0305\u0306algo"},
        "name",
        STACKED,
        id="six-stacked-marks",
    ),
    pytest.param({"name": "Zalgo" + "\u0336" * 30}, "name", STACKED, id="combining-flood"),
    pytest.param({"comment": "\u0301" * 5 + "x"}, "comment", STACKED, id="leading-mark-flood"),
    pytest.param(
        {"name": "Aigerim\r\nBcc: x@evil.example"}, "name", hidden(0x0D), id="crlf-in-name"
    ),
    pytest.param({"name": "Aigerim\nSeitkali"}, "name", hidden(0x0A), id="newline-in-name"),
    pytest.param(
        {"email": "a@example.org\r\nBcc: x@evil.example"},
        "email",
        INVALID_EMAIL,
        id="crlf-in-email",
    ),
    pytest.param(
        {"email": "a@example.org\nCc: x@evil.example"}, "email", INVALID_EMAIL, id="lf-in-email"
    ),
    pytest.param(
        {"email": "a@example.org, x@evil.example"}, "email", INVALID_EMAIL, id="two-addresses"
    ),
    pytest.param(
        {"email": "Aigerim <a@example.org>"}, "email", INVALID_EMAIL, id="display-name-email"
    ),
    pytest.param({"email": "a@localhost"}, "email", UNDELIVERABLE, id="localhost-email"),
    pytest.param({"email": "a@[127.0.0.1]"}, "email", UNDELIVERABLE, id="ip-literal-email"),
    pytest.param({"email": "a@example"}, "email", INVALID_EMAIL, id="dotless-domain"),
    pytest.param({"email": "plain words"}, "email", INVALID_EMAIL, id="plain-words-email"),
    pytest.param({"email": "aigerim"}, "email", INVALID_EMAIL, id="one-word-email"),
    pytest.param({"email": "a\u202e@example.org"}, "email", INVALID_EMAIL, id="bidi-in-email"),
    pytest.param({"name": "=1+1"}, "name", formula("="), id="formula-equals"),
    pytest.param({"name": "+7 777 123"}, "name", formula("+"), id="formula-plus"),
    pytest.param({"name": "-- comment"}, "name", formula("-"), id="formula-minus"),
    pytest.param({"name": "@SUM(A1:A9)"}, "name", formula("@"), id="formula-at"),
    pytest.param({"name": "\t=1+1"}, "name", formula("="), id="formula-after-tab"),
    pytest.param({"name": "＝1+1"}, "name", formula("＝"), id="full-width-equals"),
    pytest.param({"name": "＋7 777"}, "name", formula("＋"), id="full-width-plus"),
    pytest.param({"name": "－1"}, "name", formula("－"), id="full-width-minus"),
    pytest.param({"name": "＠SUM(A1)"}, "name", formula("＠"), id="full-width-at"),
    pytest.param({"name": "﹦1"}, "name", formula("﹦"), id="small-equals"),
    pytest.param({"name": "⁺7"}, "name", formula("⁺"), id="superscript-plus"),
    pytest.param({"name": "https://spam.example"}, "name", NOT_A_URL, id="url-name"),
    pytest.param({"name": "Buy at www.spam.ru"}, "name", NOT_A_URL, id="www-in-name"),
    pytest.param({"name": "cheap-pills.com"}, "name", NOT_A_URL, id="domain-as-name"),
    pytest.param({"name": "t.me/spam_channel"}, "name", NOT_A_URL, id="short-domain-with-path"),
    pytest.param({"name": "evil.co.uk/x"}, "name", NOT_A_URL, id="subdomain-with-path"),
    pytest.param({"name": "Visit spam.shop"}, "name", NOT_A_URL, id="new-top-level-domain"),
    pytest.param({"name": "пример.рф"}, "name", NOT_A_URL, id="cyrillic-domain-as-name"),
    pytest.param({"name": "xn--e1afmkfd.xn--p1ai"}, "name", NOT_A_URL, id="punycode-as-name"),
    pytest.param({"name": "javascript:alert(1)"}, "name", NOT_A_URL, id="javascript-scheme"),
    pytest.param({"name": "mailto:x@spam.example"}, "name", NOT_A_URL, id="mailto-scheme"),
    pytest.param({"name": "write to x@spam.example"}, "name", NOT_A_URL, id="email-in-name"),
    pytest.param({"country": "XX"}, "country", UNKNOWN_COUNTRY, id="country-xx"),
    pytest.param({"country": "kz "}, "country", UNKNOWN_COUNTRY, id="country-lowercase-space"),
    pytest.param({"country": "KAZ"}, "country", UNKNOWN_COUNTRY, id="country-alpha-3"),
    pytest.param({"country": "Kazakhstan"}, "country", UNKNOWN_COUNTRY, id="country-name"),
    pytest.param({"country": "KZ\u202e"}, "country", UNKNOWN_COUNTRY, id="country-with-bidi"),
    pytest.param({"country": "K\x00"}, "country", UNKNOWN_COUNTRY, id="country-with-nul"),
]


def hiding_characters(sent: dict[str, str]) -> set[str]:
    """Control, format and private-use characters sent, but for the white space that HTML itself
    reads as a space, and the joiners that Persian and emoji need."""
    return {
        char
        for value in sent.values()
        for char in value
        if unicodedata.category(char) in {"Cc", "Cf", "Co"} and char not in "\t\n\r\u200c\u200d"
    }


def stored_fields(signature: Signature) -> dict[str, object]:
    return {
        "name": signature.name,
        "email": signature.email,
        "organisation": signature.organisation,
        "country": signature.country.code,
        "comment": signature.comment,
        "hide_name": signature.hide_name,
    }


def visible_values(sent: dict[str, str], stored: dict[str, str]) -> list[str]:
    typed = {**sent, **stored}
    if typed.get("hide_name") not in (None, False, "false"):
        return []
    return [typed[field] for field in ["name", "organisation", "comment"] if typed.get(field)]


@pytest.mark.parametrize(("sent", "stored", "flags"), ACCEPTED)
def test_hostile_but_valid_input_is_stored_exactly_as_meant_and_shown_escaped_once_approved(
    raw_client,
    letter,
    signing_data,
    sent,
    stored,
    flags,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = raw_client.post(URL, {**signing_data, **sent})

    assert response.status_code == 302
    assert response["Location"] == THANKS
    signature = Signature.objects.get()
    typed = {"hide_name": False, **signing_data, **sent, **stored}
    expected = {field: typed[field] for field in FIELDS}
    assert stored_fields(signature) == expected
    assert_fresh_from_the_public(signature, letter)
    assert signature.language == "en"
    assert set(signature.flag_list) == flags
    assert signature.emails_sent == 1
    [email] = mailoutbox
    assert email.to == [ascii_address(signature.email)]  # the domain as mail servers read it
    assert email.cc == email.bcc == []

    Signature.objects.update(status="approved", confirmed_at=timezone.now())
    page = raw_client.get(LETTER)

    assert page.status_code == 200
    html = page.content.decode()
    for value in visible_values(sent, stored):
        assert " ".join(value.split()) in page_text(page)
        for line in value.splitlines():
            assert escape(line) in html
            if escape(line) != line:
                assert escape(escape(line)) not in html
    assert settings.SECRET_KEY not in html
    assert "sql_queries" not in html


@pytest.mark.parametrize(("sent", "field", "message"), REFUSED)
def test_hostile_input_is_refused_with_a_clear_message_and_nothing_stored(
    raw_client,
    letter,
    signing_data,
    sent,
    field,
    message,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = raw_client.post(URL, {**signing_data, **sent})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field]
    text = page_text(response)
    assert "Please correct the marked fields below." in text
    assert message in text
    assert not Signature.objects.exists()
    assert mailoutbox == []


REFUSED_HIDING = [param for param in REFUSED if hiding_characters(param.values[0])]


@pytest.mark.parametrize(("sent", "field", "message"), REFUSED_HIDING)
def test_refused_input_never_echoes_a_hiding_character_back_into_the_page(
    raw_client, letter, signing_data, sent, field, message
):
    response = raw_client.post(URL, {**signing_data, **sent})

    assert response.status_code == 400
    html = response.content.decode()
    echoed = {f"U+{ord(char):04X}" for char in hiding_characters(sent) if char in html}
    assert echoed == set()


# Bodies no browser would send: (body, what the page says).
MALFORMED = [
    pytest.param(b"&".join([b"f%d=1" % n for n in range(2000)]), BAD_REQUEST, id="2000-fields"),
    pytest.param(
        b"name=Ai%FF%FEgerim&email=a%40example.org&country=KZ",
        UNREADABLE,
        id="invalid-utf-8",
    ),
    pytest.param(
        b"name=Ai%ED%A0%80gerim&email=a%40example.org&country=KZ",
        UNREADABLE,
        id="encoded-lone-surrogate",
    ),
    pytest.param(
        b"name=Ai%00gerim&email=a%40example.org&country=KZ", NULL, id="percent-encoded-nul"
    ),
]


def test_a_body_over_128_kb_is_refused_as_too_large(raw_client, letter, make_signature):
    kept = make_signature(letter)

    response = raw_client.post(URL, b"comment=" + b"x" * (128 * 1024 + 1), content_type=FORM)

    assert response.status_code == 413
    assert "Too much was sent" in page_text(response)
    assert list(Signature.objects.all()) == [kept]


@pytest.mark.parametrize(("body", "message"), MALFORMED)
def test_malformed_bodies_get_a_400_that_says_so(
    raw_client, letter, make_signature, body, message
):
    kept = make_signature(letter)

    response = raw_client.post(URL, body, content_type=FORM)

    assert response.status_code == 400
    assert message in page_text(response)
    assert list(Signature.objects.all()) == [kept]


# Repeated parameters: (body, what is stored). The last value of each wins, as in Django.
REPEATED = [
    pytest.param(
        "name=First&name=Second&email=a%40example.org&country=KZ",
        {"name": "Second", "email": "a@example.org", "country": "KZ"},
        id="two-names",
    ),
    pytest.param(
        "name=A&email=evil%40evil.example&email=a%40example.org&country=KZ",
        {"name": "A", "email": "a@example.org", "country": "KZ"},
        id="two-emails",
    ),
    pytest.param(
        "name=A&email=a%40example.org&country=XX&country=KZ",
        {"name": "A", "email": "a@example.org", "country": "KZ"},
        id="unknown-then-known-country",
    ),
    pytest.param(
        "name=A&email=a%40example.org&country=KZ&hide_name=on&hide_name=",
        {"name": "A", "email": "a@example.org", "country": "KZ", "hide_name": False},
        id="hide-name-on-then-off",
    ),
]


@pytest.mark.parametrize(("body", "stored"), REPEATED)
def test_repeated_parameters_store_the_last_value_of_each(raw_client, letter, body, stored):
    response = raw_client.post(URL, body, content_type=FORM)

    assert response.status_code == 302
    assert response["Location"] == THANKS
    signature = Signature.objects.get()
    expected = {"organisation": "", "comment": "", "hide_name": False} | stored
    assert stored_fields(signature) == expected


def test_repeated_parameters_with_a_bad_last_value_are_refused(raw_client, letter):
    body = "name=A&email=a%40example.org&country=KZ&country=XX"

    response = raw_client.post(URL, body, content_type=FORM)

    assert response.status_code == 400
    assert "Please choose a country from the list." in page_text(response)
    assert not Signature.objects.exists()


def test_a_signature_naming_another_letter_is_stored_on_this_one(
    raw_client, letter, make_petition, signing_data
):
    other = make_petition(slug="another-letter", title="Another letter")

    response = raw_client.post(
        URL, {**signing_data, "petition": other.pk, "petition_id": other.pk, "slug": other.slug}
    )

    assert response["Location"] == THANKS
    assert Signature.objects.get().petition == letter
    assert not other.signatures.exists()


# How a browser tells where a form came from: the letter's own page, another site's page, a
# page with no origin (a sandboxed frame, a local file), an older browser's referrer, or (from
# no browser) nothing at all.
CROSS_SITE = [
    pytest.param({"Sec-Fetch-Site": "cross-site"}, id="cross-site"),
    pytest.param({"Sec-Fetch-Site": "same-site"}, id="a sibling subdomain"),
    pytest.param({"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"}, id="spoofed"),
    pytest.param({"Origin": "https://evil.example"}, id="foreign origin"),
    pytest.param({"Origin": "null"}, id="no origin"),
    pytest.param({"Origin": "http://testserver.evil.example"}, id="look-alike origin"),
    # Older browsers send neither header on a form's post, but say which page it came from.
    pytest.param({"Referer": "https://evil.example/petition.html"}, id="foreign referrer"),
    pytest.param({"Referer": "http://[testserver/"}, id="broken referrer"),
]
OWN_SITE = [
    pytest.param({"Sec-Fetch-Site": "same-origin"}, id="same origin"),
    pytest.param({"Origin": "http://testserver"}, id="own origin"),
    pytest.param({"Referer": "http://testserver/petitions/"}, id="own referrer"),
    pytest.param({}, id="no browser"),
]


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_a_signature_sent_from_another_site_is_refused_and_stored_nowhere(
    raw_client, letter, signing_data, mailoutbox, headers
):
    """Without this, any web page could make its visitors' browsers sign, spreading a flood
    over thousands of addresses and mailing their owners."""
    response = raw_client.post(URL, signing_data, headers=headers)

    assert response.status_code == 403
    text = page_text(response)
    assert "This signature was sent from another website, so nothing was saved" in text
    assert 'href="/petitions/ukteshbayev-open-letter/sign/"' in response.text
    assert signing_data["email"] not in response.text
    assert not Signature.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("headers", OWN_SITE)
def test_a_signature_sent_from_the_letters_own_page_is_stored(letter, signing_data, headers):
    """The control for the refusals above: the letter's own form needs no token."""
    response = Client(enforce_csrf_checks=True).post(URL, signing_data, headers=headers)

    assert response.status_code == 302
    assert response["Location"] == THANKS
    assert Signature.objects.get().name == "Aigerim Seitkali"
