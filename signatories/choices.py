"""What a signature can be: its statuses, sources and flags, and the filters over them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# What a public page shows of a signature; the email is never read for it.
DISPLAYED_FIELDS = ("name", "organisation", "country", "comment", "created_at")


class SignatureStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SignatureSource(models.TextChoices):
    WEB = "web", _("Signed on the website")
    PAPER = "paper", _("Paper sheet")
    STAFF = "staff", _("Added by staff")


class SignatureFlag(models.TextChoices):
    """Why a signature looks suspicious. Flagged signatures are stored, never refused.

    Stored space-separated in one field; no code is part of another, so a substring lookup
    finds exactly one flag.
    """

    HONEYPOT = "honeypot", _("Filled in the field people cannot see")
    TOO_FAST = "too_fast", _("Sent too fast, or from a form that was not fresh")
    RATE_LIMITED = "rate_limited", _("One of many from the same network address")
    LOOKALIKE_NAME = "lookalike_name", _("Name mixes alphabets within a word")
    LOOKALIKE_DOMAIN = "lookalike_domain", _("Email domain mixes alphabets")


# Emails one signature may ever cause, however often its address signs again.
MAX_EMAILS = 5
# The constraint that lets each mailbox sign a letter once.
ONE_PER_MAILBOX = "signatories_signature_one_per_email"
# What a signed link in an email lets its holder do, and for how long.
CONFIRM, WITHDRAW = "confirm", "withdraw"

# A status to filter signatures by, or all of them (exports, the moderation queue).
# Approved first: what organisers export most.
STATUS_FILTER_CHOICES = [
    (SignatureStatus.APPROVED, pgettext_lazy("signatures", "Approved")),
    (SignatureStatus.PENDING, pgettext_lazy("signatures", "Pending")),
    (SignatureStatus.REJECTED, pgettext_lazy("signatures", "Rejected")),
    ("all", pgettext_lazy("signatures", "All")),
]
STATUS_FILTER_VALUES = [value for value, _label in STATUS_FILTER_CHOICES]
# A flag to filter signatures by, any flag, or none.
FLAG_FILTER_CHOICES = [
    ("any", _("Any flag")),
    ("none", _("Not flagged")),
    *SignatureFlag.choices,
]
