"""Checks and clean-ups for text typed by the public.

Every script and accent is welcome; what is refused is text that hides what it says (control,
bidirectional-override and invisible characters, floods of combining marks, characters that did
not survive decoding) or that a spreadsheet would run as a formula.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Bidirectional embeddings, overrides and isolates, and zero-width characters that carry no
# meaning in a name. Zero-width (non-)joiners stay: Persian, Indic scripts and emoji need them.
HIDDEN_FORMAT_CHARACTERS = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
# Stacks deeper than this are "Zalgo" text; real scripts stay well below it.
MAX_COMBINING_MARKS = 4
FORMULA_STARTS = frozenset("=+-@\t\r")
URL_RE = re.compile(
    r"[a-z][a-z0-9+.-]*://|\bwww\.|[\w-]+\.(com|net|org|info|biz|io|ru|kz|xyz|top|site|online)\b",
    re.IGNORECASE,
)


def clean_line(value: str) -> str:
    """One line of text: NFC-normalised, refused if it hides anything."""
    value = unicodedata.normalize("NFC", value)
    _refuse_hidden_characters(value, allowed="")
    return value


def clean_paragraphs(value: str) -> str:
    """Text with line breaks: NFC, one kind of line ending, tabs as spaces, nothing hidden."""
    value = unicodedata.normalize("NFC", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    _refuse_hidden_characters(value, allowed="\n")
    return value


def clean_name(value: str) -> str:
    """A person's name: one clean line that is neither a formula nor a web address."""
    value = clean_line(value)
    if starts_like_formula(value):
        raise ValidationError(
            _("A name cannot start with “%(character)s”."),
            code="formula",
            params={"character": value[:1]},
        )
    if URL_RE.search(value):
        raise ValidationError(_("Please enter your name, not a web address."), code="url")
    return value


def starts_like_formula(value: str) -> bool:
    """Whether a spreadsheet would run this cell: it starts with =, +, -, @ (or a full-width or
    small form of one), a tab or a carriage return."""
    return unicodedata.normalize("NFKC", value[:1])[:1] in FORMULA_STARTS


def neutralise_formula(value: str) -> str:
    """Make a spreadsheet show a cell as text rather than run it as a formula."""
    return "'" + value if starts_like_formula(value) else value


def _refuse_hidden_characters(value: str, *, allowed: str) -> None:
    marks = 0
    for char in value:
        if char == "\ufffd":
            raise ValidationError(
                _("Some characters could not be read. Please type them again."),
                code="undecodable",
            )
        category = unicodedata.category(char)
        hidden = category in {"Cc", "Cs", "Co"} or char in HIDDEN_FORMAT_CHARACTERS
        if hidden and char not in allowed:
            raise ValidationError(
                _("Please remove the invisible or control character (U+%(code)04X)."),
                code="hidden_character",
                params={"code": ord(char)},
            )
        marks = marks + 1 if category in {"Mn", "Me"} else 0
        if marks > MAX_COMBINING_MARKS:
            raise ValidationError(
                _("Please remove the stacked accent marks."), code="combining_flood"
            )
