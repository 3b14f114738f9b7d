"""Quiet defences against forged and automated signatures.

Nothing here refuses a signature: a suspicious one is stored with flags that say why, so an honest
signer is never slowed down and a bot learns nothing from the response. Client addresses are only
ever kept as keyed hashes. If the shared cache is down, signing carries on without these counts.
"""

import logging
import re
import time
import unicodedata

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.http import HttpRequest

from solidarity import rediscache
from solidarity.clients import client_address, client_key, is_ipv6

from .addresses import mailbox_key
from .choices import SignatureFlag

logger = logging.getLogger(__name__)

FORM_STARTED_SALT = "signatories.form-started"
# A form older than this is treated like one without its note: bots reuse old ones.
FORM_MAX_AGE = 24 * 60 * 60
# Scripts that share one word in real names: Japanese mixes kanji and kana, Korean hanja.
COMPATIBLE_SCRIPTS = [{"CJK", "HIRAGANA", "KATAKANA"}, {"CJK", "HANGUL"}]
SCRIPT_ALIASES = {"IDEOGRAPHIC": "CJK"}
# Kazakh typed on a Russian keyboard often takes the Latin i for і: Әлiхан is a real name.
CYRILLIC_FRIENDLY_LATIN = frozenset("iI")
LETTERS = {"Lu", "Ll", "Lt", "Lo"}
WORD_SPLIT_RE = re.compile(r"[^\w]+|_")


# An IPv6 /48 holds 65,536 networks of /64, which one client can rotate through: a /48 gets
# this many times one network's signatures.
WIDE_NETWORK_FACTOR = 10


def client_suspicions(request: HttpRequest) -> list[str]:
    """Flags earned by the client rather than the form: many signatures from one network (an
    IPv6 client's /64, and its /48 too), counted in one round trip."""
    address, limit = client_address(request), settings.SIGNING_RATE_LIMIT
    limits = {f"rate:{client_key(address)}": limit}
    if is_ipv6(address):
        limits[f"rate48:{client_key(address, prefix=48)}"] = WIDE_NETWORK_FACTOR * limit
    counted = _count(list(limits), settings.SIGNING_RATE_WINDOW_SECONDS)
    over = any(n > most for n, most in zip(counted, limits.values(), strict=True))
    return [SignatureFlag.RATE_LIMITED] if over else []


def mailbox_over_budget(address: str) -> bool:
    """Count one more email to a mailbox; true if that is over its day's emails, across every
    letter and "+tag". The sender asks, just before sending.

    Without this, anyone could make the site send mail to anyone, again and again.
    """
    counted = _count([f"mailbox:{mailbox_key(address)}"], 24 * 60 * 60)
    return counted[0] > settings.MAILBOX_DAILY_EMAILS


def site_over_budget() -> bool:
    """Count one more email from the site; true if that is over its emails for this hour, which
    keep the mail server's reputation (and so every signer's confirmation) safe from a flood."""
    return _count(["site-emails"], 60 * 60)[0] > settings.SITE_HOURLY_EMAILS


def _count(names: list[str], window: int) -> list[int]:
    """Count one more event under each name in the current window, in the cache every worker
    shares.

    Counts 0 if the cache cannot be reached: the signature goes on, uncounted.
    """
    window_number = int(time.time() // window)
    keys = [f"signatories:{name}:{window_number}" for name in names]
    try:
        return rediscache.count(caches["default"], keys, window)
    except Exception:
        logger.warning("Could not reach the cache to count signatures; counting skipped")
        return [0] * len(names)


def form_started() -> str:
    """A signed note of when the form was shown, for the form to carry back."""
    return signing.dumps(time.time(), salt=FORM_STARTED_SALT)


def seconds_to_fill(started: str) -> float | None:
    """Seconds since the form was shown, or None if the note is missing, forged or stale."""
    try:
        shown_at = signing.loads(started, salt=FORM_STARTED_SALT, max_age=FORM_MAX_AGE)
    except signing.BadSignature:
        return None
    return time.time() - shown_at if isinstance(shown_at, float) else None


def mixes_scripts(text: str) -> bool:
    """Whether any word mixes letters of different scripts, as look-alike forgeries do.

    "Jeremy Сorbyn" with a Cyrillic С does; "Есенбек Өктешбаев", "Әлiхан", "محمد" or
    "山田たろう" do not.
    """
    for word in WORD_SPLIT_RE.split(unicodedata.normalize("NFKC", text)):
        scripts = {_script(char) for char in word if unicodedata.category(char) in LETTERS}
        if "CYRILLIC" in scripts and not _latin_beyond_i(word):
            scripts.discard("LATIN")
        if len(scripts) > 1 and not any(scripts <= group for group in COMPATIBLE_SCRIPTS):
            return True
    return False


def _script(char: str) -> str:
    script = unicodedata.name(char, "?").split(" ")[0]
    return SCRIPT_ALIASES.get(script, script)


def _latin_beyond_i(word: str) -> bool:
    return any(_script(char) == "LATIN" and char not in CYRILLIC_FRIENDLY_LATIN for char in word)
