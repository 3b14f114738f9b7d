"""Checks and clean-ups for text typed by the public.

Every script and accent is welcome; what is refused is text that hides what it says (control,
bidirectional-override and invisible characters, floods of combining marks) or that a spreadsheet
would run as a formula.
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
# Characters a spreadsheet reads as the start of a formula, with their full-width forms.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
URL_RE = re.compile(
    r"[a-z][a-z0-9+.-]*://|\bwww\.|[\w-]+\.(com|net|org|info|biz|io|ru|kz|xyz|top|site|online)\b",
    re.IGNORECASE,
)


def normalise(value: str, *, multiline: bool = False) -> str:
    """NFC-normalise; in multi-line text, unify line endings and turn tabs into spaces."""
    value = unicodedata.normalize("NFC", value)
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return value


def validate_visible_text(value: str, *, multiline: bool = False) -> None:
    """Refuse control, bidirectional-override and invisible characters and combining floods."""
    marks = 0
    for char in value:
        category = unicodedata.category(char)
        if multiline and char == "\n":
            category = "Zl"
        if char == "\ufffd":
            raise ValidationError(
                _("Some characters could not be read. Please type them again."),
                code="undecodable",
            )
        if category in {"Cc", "Cs", "Co"} or char in HIDDEN_FORMAT_CHARACTERS:
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


def validate_single_line(value: str) -> None:
    validate_visible_text(value)


def validate_multiline(value: str) -> None:
    validate_visible_text(value, multiline=True)


def validate_name(value: str) -> None:
    """A name is not a web address and does not start like a spreadsheet formula."""
    if unicodedata.normalize("NFKC", value[:1]) in {"=", "+", "-", "@"}:
        raise ValidationError(
            _("A name cannot start with “%(character)s”."),
            code="formula",
            params={"character": value[:1]},
        )
    if URL_RE.search(value):
        raise ValidationError(_("Please enter your name, not a web address."), code="url")


def neutralise_formula(value: str) -> str:
    """Make a spreadsheet show a cell as text rather than run it as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value
