"""Email addresses: the form mail servers read, and the forms used to recognise one mailbox."""

import idna
from django.utils.crypto import salted_hmac

# Providers known to deliver "name+tag@" to "name@", and those that also ignore dots. Elsewhere
# a "+" may be part of a different person's address, and merging two people would silently drop
# the second one's signature.
TAGGED_DOMAINS = {
    "fastmail.com",
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "icloud.com",
    "live.com",
    "me.com",
    "outlook.com",
    "pm.me",
    "proton.me",
    "protonmail.com",
    "yandex.ru",
}
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def ascii_domain(domain: str) -> str:
    """A domain as mail servers read it: IDNA 2008 with UTS 46, as browsers and email-validator
    spell it (Python's own codec, IDNA 2003, turns "faß.de" into a different domain, "fass.de").

    A domain with no such form (too long, forbidden characters) comes back lower-cased.
    """
    try:
        return idna.encode(domain.rstrip("."), uts46=True).decode("ascii")
    except idna.IDNAError:
        return domain.lower()


def has_mail_domain(address: str) -> bool:
    """Whether the address's domain can be spelled in ASCII at all, as mail needs."""
    try:
        idna.encode(address.rpartition("@")[2].rstrip("."), uts46=True)
    except idna.IDNAError:
        return False
    return True


def local_part_fits(address: str) -> bool:
    """Whether the part before the @ is at most the 64 bytes that mail servers accept (RFC 5321,
    counted in UTF-8 for an address in another script)."""
    return len(address.strip().rpartition("@")[0].encode()) <= 64


def masked(address: str) -> str:
    """The address as moderators see it: its first character and its domain, enough to spot a
    wave of signatures from one domain, not enough to find or write to the person."""
    local, _at, domain = address.strip().rpartition("@")
    return f"{local[:1]}…@{domain}" if local else ""


def ascii_address(address: str) -> str:
    """The address with its domain in ASCII, so an email goes where the signer meant it to."""
    local, _at, domain = address.strip().rpartition("@")
    return f"{local}@{ascii_domain(domain)}" if local else address


def canonical_email(address: str) -> str:
    """The form of an address used to spot one mailbox signing twice.

    Case is ignored and the domain is compared in ASCII; at providers that deliver "+tag"
    addresses to the same mailbox the tag is dropped, and Gmail's dots too, so
    "J.Smith+x@GMAIL.com" and "jsmith@gmail.com" are the same person.
    """
    local, _at, domain = address.strip().rpartition("@")
    if not local:
        return address.strip().lower()
    local, domain = local.lower(), ascii_domain(domain)
    if domain in TAGGED_DOMAINS:
        local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def signer_key(canonical: str) -> str:
    """A keyed hash of a canonical address, which the database compares to let each mailbox sign
    a letter once. A refused duplicate is all PostgreSQL logs of it, and without the secret key
    nobody can test a list of addresses against it."""
    return salted_hmac("signatories.signer", canonical, algorithm="sha256").hexdigest()


def mailbox_key(address: str) -> str:
    """A keyed hash standing for the mailbox behind an address, "+tags" dropped everywhere.

    Broader than canonical_email on purpose: it only limits how much mail one mailbox gets, so
    merging two people here costs nothing but an email, never a signature.
    """
    local, _at, domain = canonical_email(address).rpartition("@")
    mailbox = f"{local.split('+', 1)[0]}@{domain}"
    return salted_hmac("signatories.mailbox", mailbox, algorithm="sha256").hexdigest()[:32]
