from collections.abc import Collection, Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, NamedTuple

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.encoding import punycode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries
from django_countries.fields import CountryField, LazyTypedChoiceField

from petitions.models import Petition

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

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
    """Why a signature looks suspicious. Flagged signatures are stored, never refused."""

    HONEYPOT = "honeypot", _("Filled in the field people cannot see")
    TOO_FAST = "too_fast", _("Sent faster than a person can type")
    RATE_LIMITED = "rate_limited", _("One of many from the same network address")
    LOOKALIKE_NAME = "lookalike_name", _("Name mixes alphabets within a word")
    LOOKALIKE_DOMAIN = "lookalike_domain", _("Email domain mixes alphabets")


# Emails one signature may ever cause, however often its address signs again.
MAX_EMAILS = 5
# What a signed link in an email lets its holder do.
CONFIRM, WITHDRAW = "confirm", "withdraw"

# A status to filter signatures by, or all of them (exports, the moderation queue).
STATUS_FILTER_CHOICES = [
    (SignatureStatus.PENDING, pgettext_lazy("signatures", "Pending")),
    (SignatureStatus.APPROVED, pgettext_lazy("signatures", "Approved")),
    (SignatureStatus.REJECTED, pgettext_lazy("signatures", "Rejected")),
    ("all", pgettext_lazy("signatures", "All")),
]
STATUS_FILTER_VALUES = [value for value, _label in STATUS_FILTER_CHOICES]

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


def canonical_email(address: str) -> str:
    """The form of an address used to spot one mailbox signing twice.

    Case is ignored and the domain is compared in its ASCII (IDNA) form; at providers that
    deliver "+tag" addresses to the same mailbox the tag is dropped, and Gmail's dots too, so
    "J.Smith+x@GMAIL.com" and "jsmith@gmail.com" are the same person.
    """
    local, _at, domain = address.strip().rpartition("@")
    if not local:
        return address.strip().lower()
    try:
        domain = punycode(domain.lower().rstrip("."))
    except UnicodeError:
        domain = domain.lower()
    local = local.lower()
    if domain in TAGGED_DOMAINS:
        local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


class LetterCounts(NamedTuple):
    approved: int  # the public count: every approved signature, hidden ones included
    listed: int  # approved signatures listed by name below the letter


def _counts_key(petition_id: int) -> str:
    return f"signatories:counts:{petition_id}"


def letter_counts(petition: Petition) -> LetterCounts:
    """A letter's counts, cached briefly: a busy letter costs two count queries a minute."""

    def count() -> LetterCounts:
        return LetterCounts(
            petition.signatures.approved().count(), petition.signatures.listed().count()
        )

    return LetterCounts(
        *cache.get_or_set(_counts_key(petition.pk), count, settings.SIGNATURE_COUNT_TTL)
    )


def forget_counts(petition_ids: Iterable[int]) -> None:
    """Once the change is committed, drop cached counts so public pages show it at once."""
    keys = [_counts_key(pk) for pk in petition_ids]
    transaction.on_commit(lambda: cache.delete_many(keys))


class CountryChoiceField(LazyTypedChoiceField):
    def valid_value(self, value: str) -> bool:
        return value in countries


class CountryCodeField(CountryField):
    """django-countries' field, checking a code by lookup.

    Its own check walks every country's translated name on each validation, twice per signature
    (form and model), which was a tenth of the time it takes to sign.
    """

    def validate(self, value: str, model_instance: models.Model) -> None:
        if value in self.empty_values:
            if not self.blank:
                raise ValidationError(self.error_messages["blank"], code="blank")
        elif value not in countries:
            message = self.error_messages["invalid_choice"]
            raise ValidationError(message, code="invalid_choice", params={"value": value})

    def formfield(self, **kwargs) -> forms.Field:
        return super().formfield(choices_form_class=CountryChoiceField, **kwargs)


class SignatureQuerySet(models.QuerySet):
    def approved(self) -> "SignatureQuerySet":
        """Signatures that count: approved by staff."""
        return self.filter(status=SignatureStatus.APPROVED)

    def public(self) -> "SignatureQuerySet":
        """Signatures that may be shown by name: approved and not hidden."""
        return self.approved().filter(hide_name=False)

    def listed(self) -> "SignatureQuerySet":
        """The public list under a letter, newest first; notable signatories stand apart."""
        return self.public().filter(notable=False).only(*DISPLAYED_FIELDS)

    def notables(self) -> "SignatureQuerySet":
        """The letter's named initial signatories, in their order."""
        return self.public().filter(notable=True).only(*DISPLAYED_FIELDS).order_by("sort_order")

    def awaiting_moderation(self) -> "SignatureQuerySet":
        """The moderation queue: pending and confirmed by their signer."""
        return self.filter(status=SignatureStatus.PENDING, confirmed_at__isnull=False)

    def awaiting_confirmation(self) -> "SignatureQuerySet":
        return self.filter(status=SignatureStatus.PENDING, confirmed_at__isnull=True)

    def from_token(self, token: str, *, purpose: str, max_age: timedelta) -> "Signature | None":
        """The signature a link from an email stands for, if the link is genuine and fresh."""
        try:
            pk = signing.loads(token, salt=f"signatories.{purpose}", max_age=max_age)
        except signing.BadSignature:
            return None
        return self.filter(pk=pk).first() if isinstance(pk, int) else None

    def with_flag(self, flag: str) -> "SignatureQuerySet":
        """Signatures with one flag, with any flag ("any"), or with none ("none")."""
        if flag == "any":
            return self.exclude(flags="")
        if flag == "none":
            return self.filter(flags="")
        return self.filter(flags__contains=flag)

    def with_status(self, status: str) -> "SignatureQuerySet":
        """Filter by a status value, or keep everything for "all"."""
        return self if status == "all" else self.filter(status=status)

    def moderate(self, status: str, *, by: "AbstractBaseUser") -> int:
        """Move every signature here to a status, recording who did it and when.

        Signatures already in that status keep the record of whoever decided first, and only
        confirmed signatures can be approved.
        """
        changing = self.exclude(status=status)
        if status == SignatureStatus.APPROVED:
            changing = changing.filter(confirmed_at__isnull=False)
        petition_ids = set(changing.order_by().values_list("petition_id", flat=True).distinct())
        changed = changing.update(status=status, moderated_by=by, moderated_at=timezone.now())
        forget_counts(petition_ids)
        return changed


class Signature(models.Model):
    Status = SignatureStatus
    Source = SignatureSource
    Flag = SignatureFlag

    petition = models.ForeignKey(
        Petition, models.PROTECT, related_name="signatures", verbose_name=_("letter")
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(
        _("email"),
        blank=True,
        help_text=_("Never shown on the website. May be empty only for paper and staff entries."),
    )
    email_canonical = models.CharField(
        _("canonical email"), max_length=254, blank=True, editable=False
    )
    organisation = models.CharField(_("organisation / union"), max_length=200, blank=True)
    country = CountryCodeField(_("country"), blank=True, blank_label=_("Choose a country"))
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    hide_name = models.BooleanField(
        _("do not display my name on the website"),
        default=False,
        help_text=_("Counted, but name, organisation and comment are never shown publicly."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SignatureStatus, default=SignatureStatus.PENDING
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed at"), default=timezone.now)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=SignatureSource, default=SignatureSource.WEB
    )
    notable = models.BooleanField(
        _("notable"),
        default=False,
        help_text=_("Listed by name under the letter as an initial signatory."),
    )
    sort_order = models.PositiveSmallIntegerField(
        _("sort order"), default=0, help_text=_("Position among the notable signatories.")
    )
    flags = models.CharField(
        _("flags"),
        max_length=100,
        blank=True,
        editable=False,
        help_text=_("Why this signature looks suspicious, if it does."),
    )
    language = models.CharField(
        _("language"), max_length=10, default="en", editable=False, help_text=_("Used to sign.")
    )
    emails_sent = models.PositiveSmallIntegerField(_("emails sent"), default=0, editable=False)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-created_at", "-pk"]
        permissions = [("export_signature", _("Can export signatures"))]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "email_canonical"],
                condition=~Q(email_canonical=""),
                name="signatories_signature_one_per_email",
                violation_error_message=_("This email address has already signed this letter."),
            ),
            models.CheckConstraint(
                condition=~Q(source=SignatureSource.WEB) | ~Q(email=""),
                name="signatories_signature_web_has_email",
                violation_error_message=_("A signature made on the website needs an email."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=SignatureStatus.values),
                name="signatories_signature_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=SignatureSource.values),
                name="signatories_signature_source_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=SignatureStatus.APPROVED) | Q(confirmed_at__isnull=False),
                name="signatories_signature_approved_is_confirmed",
                violation_error_message=_("Only a confirmed signature can be approved."),
            ),
            models.CheckConstraint(
                condition=Q(emails_sent__lte=MAX_EMAILS),
                name="signatories_signature_emails_capped",
            ),
        ]
        indexes = [
            # The public list and count of a letter, and the per-letter moderation queue.
            models.Index(
                fields=["petition", "status", "-created_at"],
                name="signatories_letter_status_idx",
            ),
            # The moderation queue across all letters.
            models.Index(fields=["status", "-created_at"], name="signatories_queue_idx"),
        ]

    def __str__(self) -> str:
        # No name or email: the admin history keeps this text after a purge.
        return _("Signature #%(number)s") % {"number": self.pk}

    def save(self, **kwargs) -> None:
        self.derive_canonical_email()
        if (fields := kwargs.get("update_fields")) is not None and "email" in fields:
            kwargs["update_fields"] = {*fields, "email_canonical"}
        super().save(**kwargs)

    def clean(self) -> None:
        self.derive_canonical_email()
        # An internationalised domain grows when spelled in ASCII.
        if len(self.email_canonical) > self._meta.get_field("email_canonical").max_length:
            raise ValidationError({"email": _("This email address is too long.")}, code="too_long")

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        # The canonical email derives from the email: whoever validates one validates both.
        if exclude and "email" not in exclude:
            exclude = set(exclude) - {"email_canonical"}
        super().validate_constraints(exclude=exclude)

    def derive_canonical_email(self) -> None:
        self.email_canonical = canonical_email(self.email) if self.email else ""

    @property
    def flag_list(self) -> list[str]:
        return self.flags.split()

    @property
    def may_be_emailed(self) -> bool:
        """Rejected signatures and bots that filled the hidden field get no email."""
        return self.status != SignatureStatus.REJECTED and (
            SignatureFlag.HONEYPOT not in self.flag_list
        )

    def link_token(self, purpose: str) -> str:
        """A signed, expiring value for a link that lets its holder confirm or withdraw."""
        return signing.dumps(self.pk, salt=f"signatories.{purpose}")

    def sign(self) -> "Signature | None":
        """Take this signature from the signing form.

        Stores it, or, if its mailbox already signed the letter, leaves the earlier signature as
        it was. Returns the signature whose signer should get an email now: the new one, the
        earlier one while it may have another, or None.
        """
        if not self.petition.requires_confirmation:
            self.confirmed_at = timezone.now()
        if self.petition.auto_approve and self.confirmed_at and not self.flags:
            self.status = SignatureStatus.APPROVED
        self.emails_sent = 1 if self.may_be_emailed else 0
        stored = self.save_once()
        if stored is not self:
            return stored if stored.count_another_email() else None
        if self.status == SignatureStatus.APPROVED:
            forget_counts([self.petition_id])
        return self if self.emails_sent else None

    def save_once(self) -> "Signature":
        """Insert this new signature unless its mailbox already signed the letter.

        Returns the signature that stands for the mailbox: this one, or the one made before.
        Two requests racing with one address are settled by the database constraint, so both
        see the same outcome and neither sees an error.
        """
        try:
            with transaction.atomic():
                self.save(force_insert=True)
        except IntegrityError:
            earlier = Signature.objects.filter(
                petition_id=self.petition_id, email_canonical=self.email_canonical
            ).first()
            if not self.email_canonical or earlier is None:
                raise
            return earlier
        return self

    def count_another_email(self) -> bool:
        """Count one more email to this signer unless it may have none; true if counted."""
        if not self.may_be_emailed:
            return False
        uncapped = Signature.objects.filter(pk=self.pk, emails_sent__lt=MAX_EMAILS)
        return uncapped.update(emails_sent=F("emails_sent") + 1) == 1

    def confirm(self) -> None:
        """Record that the signer confirmed by email. Confirming again changes nothing."""
        if self.confirmed_at is not None:
            return
        self.confirmed_at = timezone.now()
        fields = ["confirmed_at"]
        if self.petition.auto_approve and not self.flags and self.status == self.Status.PENDING:
            self.status = SignatureStatus.APPROVED
            fields.append("status")
            forget_counts([self.petition_id])
        self.save(update_fields=fields)

    def withdraw(self) -> None:
        """The signer takes their signature back: the row goes and the count drops."""
        self.delete()
        forget_counts([self.petition_id])
