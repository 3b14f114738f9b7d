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
from django.core.cache import cache
from django.http import HttpRequest

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
    """Flags earned by the client rather than the form: many signatures from one network."""
    address, window = client_address(request), settings.SIGNING_RATE_WINDOW_SECONDS
    limit = settings.SIGNING_RATE_LIMIT
    over = _count(f"rate:{client_key(address)}", window) > limit
    if is_ipv6(address):
        wide = _count(f"rate48:{client_key(address, prefix=48)}", window)
        over = over or wide > WIDE_NETWORK_FACTOR * limit
    return [SignatureFlag.RATE_LIMITED] if over else []


def mailbox_over_budget(address: str) -> bool:
    """Count one more email to a mailbox; true if that is over its day's emails, across every
    letter and "+tag". The sender asks, just before sending.

    Without this, anyone could make the site send mail to anyone, again and again.
    """
    return _count(f"mailbox:{mailbox_key(address)}", 24 * 60 * 60) > settings.MAILBOX_DAILY_EMAILS


def site_over_budget() -> bool:
    """Count one more email from the site; true if that is over its emails for this hour, which
    keep the mail server's reputation (and so every signer's confirmation) safe from a flood."""
    return _count("site-emails", 60 * 60) > settings.SITE_HOURLY_EMAILS


def _count(name: str, window: int) -> int:
    """Count one more event in the current window, in the cache every worker shares.

    Returns 0 if the cache cannot be reached: the signature goes on, uncounted.
    """
    key = f"signatories:{name}:{int(time.time() // window)}"
    try:
        # Most clients and mailboxes come once: one round trip to the cache for them.
        return 1 if cache.add(key, 1, window) else cache.incr(key)
    except ValueError:  # the window's count expired between the two calls
        return 1
    except Exception:
        logger.warning("Could not reach the cache to count signatures; counting skipped")
        return 0


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
