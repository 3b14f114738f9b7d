"""Checks and clean-ups for text typed by the public.

Every script and accent is welcome; what is refused is text that hides what it says (control,
format and invisible characters, floods of combining marks, characters that did not survive
decoding), names that look blank, and names that a spreadsheet would run as a formula.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Invisible format characters that real text needs: zero-width (non-)joiners in Persian, Indic
# scripts and emoji. Every other format character (bidi overrides, zero-width spaces, BOM...) is
# refused, and so are tag characters outside the emoji flag sequences that use them.
ALLOWED_FORMAT_CHARACTERS = frozenset("\u200c\u200d")
BLACK_FLAG = "\U0001f3f4"
TAGS = range(0xE0020, 0xE0080)
# Letters that draw nothing (Hangul fillers, Braille blank): a name of these looks empty.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Stacks deeper than this are "Zalgo" text; real scripts stay well below it.
MAX_COMBINING_MARKS = 4
FORMULA_STARTS = frozenset("=+-@\t\r")
# Web addresses where a name should be. Initials and abbreviations ("A.N. Other", "Dr.De Silva",
# "И.Петров") must pass, so a bare "word.word" is an address only when it ends in a domain that
# spam uses, typed in lower case; with a path, a scheme, "www." or punycode, any "word.word" is.
SPAM_DOMAINS = (
    "com|net|org|info|biz|io|co|me|ly|to|cc|tv|ws|uk|de|fr|ru|su|kz|ua|by|uz|kg|cn|"
    "xyz|top|site|online|shop|store|club|live|link|click|app|dev|icu|vip|win|tk|ml|ga|cf|gq|"
    "рф|қаз|укр|бел|срб|мон"
)
URL_RE = re.compile(
    rf"""
    \b[a-z][a-z0-9+.-]*://                              # https://, ftp://...
    | \b(?:javascript|vbscript|data|mailto|tel|sms|tg|ftp|https?):  # schemes without //
    | \bwww\.
    | \bxn--                                            # a domain in punycode
    | [\w-]+@[\w-]+(?:\.[\w-]+)+                         # an email address
    | \b[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{{2,}}/              # a domain with a path: t.me/x
    | [\w-]{{2,}}\.(?:[\w-]+\.)*(?-i:{SPAM_DOMAINS})\b     # a bare domain: cheap-pills.com
    """,
    re.IGNORECASE | re.VERBOSE,
)
LINE_BREAKS_RE = re.compile(r"\r\n|[\r\u2028\u2029]")


def normalise_line(value: str) -> str:
    """One line of text in composed form (NFC), as it will be stored and counted."""
    return unicodedata.normalize("NFC", value)


def normalise_paragraphs(value: str) -> str:
    """Text with line breaks: NFC, every line break one "\\n", tabs as spaces.

    Browsers send a line break as two characters but count it as one, so this runs before the
    length is checked.
    """
    value = unicodedata.normalize("NFC", value)
    return LINE_BREAKS_RE.sub("\n", value).replace("\t", " ")


def validate_line(value: str) -> None:
    _refuse_hidden_characters(value, allowed="")


def validate_paragraphs(value: str) -> None:
    _refuse_hidden_characters(value, allowed="\n")


def validate_name(value: str) -> None:
    """A name shows something, is not a formula and is not a web address."""
    if not any(char.isalnum() and char not in BLANK_LETTERS for char in value):
        raise ValidationError(_("Please enter your name."), code="blank")
    if starts_like_formula(value):
        raise ValidationError(
            _("A name cannot start with “%(character)s”."),
            code="formula",
            params={"character": value[:1]},
        )
    if URL_RE.search(value):
        raise ValidationError(_("Please enter your name, not a web address."), code="url")


def starts_like_formula(value: str) -> bool:
    """Whether a spreadsheet would run this cell: it starts with =, +, -, @ (or a full-width or
    small form of one), a tab or a carriage return."""
    first = value[:1]
    if first.isascii():  # most cells: no need to compose
        return first in FORMULA_STARTS
    return unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS


def neutralise_formula(value: str) -> str:
    """Make a spreadsheet show a cell as text rather than run it as a formula."""
    return "'" + value if starts_like_formula(value) else value


def without_hidden_characters(value: str) -> str:
    """The text with what the checks refuse taken out, safe to show back to the person."""
    kept = []
    for char in value:
        if char in "\r\n" or not _is_hidden(char, kept[-1] if kept else ""):
            kept.append(char)
    return "".join(kept)


def _is_hidden(char: str, previous: str) -> bool:
    category = unicodedata.category(char)
    if ord(char) in TAGS:
        return previous != BLACK_FLAG and ord(previous or " ") not in TAGS
    if category == "Cf":
        return char not in ALLOWED_FORMAT_CHARACTERS
    return category in {"Cc", "Cs", "Co", "Zl", "Zp"}


def _refuse_hidden_characters(value: str, *, allowed: str) -> None:
    # NUL has its own message from every Django form field; one message per mistake is enough.
    allowed += "\x00"
    marks = 0
    previous = ""
    for char in value:
        if char == "\ufffd":
            raise ValidationError(
                _("Some characters could not be read. Please type them again."),
                code="undecodable",
            )
        if char not in allowed and _is_hidden(char, previous):
            raise ValidationError(
                _("Please remove the invisible or control character (U+%(code)04X)."),
                code="hidden_character",
                params={"code": ord(char)},
            )
        marks = marks + 1 if unicodedata.category(char) in {"Mn", "Me"} else 0
        if marks > MAX_COMBINING_MARKS:
            raise ValidationError(
                _("Please remove the stacked accent marks."), code="combining_flood"
            )
        previous = char
