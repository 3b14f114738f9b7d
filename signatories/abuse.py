"""Quiet defences against forged and automated signatures.

Nothing here refuses a signature: a suspicious one is stored with flags that say why, so an honest
signer is never slowed down and a bot learns nothing from the response. Client addresses are only
ever kept as keyed hashes.
"""

import re
import time
import unicodedata

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

FORM_STARTED_SALT = "signatories.form-started"
# Scripts that share one word in real names: Japanese mixes kanji and kana, Korean hanja.
COMPATIBLE_SCRIPTS = [{"CJK", "HIRAGANA", "KATAKANA"}, {"CJK", "HANGUL"}]
LETTERS = {"Lu", "Ll", "Lt", "Lo"}
WORD_SPLIT_RE = re.compile(r"[^\w]+|_")


def client_address(request: HttpRequest) -> str:
    """The client's address, from the proxy header that settings name, else the connection.

    A forwarded-for header lists every hop; the last one is the address our own proxy saw.
    """
    if settings.CLIENT_IP_HEADER:
        forwarded = request.headers.get(settings.CLIENT_IP_HEADER, "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the client address: stable enough to count with, useless to read."""
    digest = salted_hmac("signatories.client", client_address(request), algorithm="sha256")
    return digest.hexdigest()[:32]


def client_description(
    username: str | None,
    ip_address: str | None,
    user_agent: str | None,
    path_info: str | None,
    request: HttpRequest | None,
) -> str:
    """How django-axes names a staff login attempt in its log: never the address in clear."""
    client = salted_hmac("signatories.client", ip_address or "", algorithm="sha256")
    return f"{username!r} from client {client.hexdigest()[:12]}"


def over_rate_limit(request: HttpRequest) -> bool:
    """Count a signature from this client; true once it passes the limit in the window.

    The count lives in the shared cache, so every worker and process sees the same one.
    """
    window = int(time.time() // settings.SIGNING_RATE_WINDOW)
    key = f"signatories:rate:{client_key(request)}:{window}"
    try:
        hits = cache.incr(key)
    except ValueError:  # the first signature in this window
        hits = 1 if cache.add(key, 1, settings.SIGNING_RATE_WINDOW) else cache.incr(key)
    return hits > settings.SIGNING_RATE_LIMIT


def form_started() -> str:
    """A signed note of when the form was shown, for the form to carry back."""
    return signing.dumps(time.time(), salt=FORM_STARTED_SALT)


def seconds_to_fill(started: str) -> float | None:
    """Seconds since the form was shown, or None if the note is missing or forged."""
    try:
        shown_at = signing.loads(started, salt=FORM_STARTED_SALT)
    except signing.BadSignature:
        return None
    return time.time() - shown_at if isinstance(shown_at, float) else None


def mixes_scripts(text: str) -> bool:
    """Whether any word mixes letters of different scripts, as look-alike forgeries do.

    "Jeremy Сorbyn" with a Cyrillic С does; "Есенбек Өктешбаев", "محمد" or "山田たろう" do not.
    """
    for word in WORD_SPLIT_RE.split(text):
        scripts = {
            unicodedata.name(char, "?").split(" ")[0]
            for char in word
            if unicodedata.category(char) in LETTERS
        }
        if len(scripts) > 1 and not any(scripts <= group for group in COMPATIBLE_SCRIPTS):
            return True
    return False
