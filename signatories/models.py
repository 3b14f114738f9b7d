from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import punycode
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from petitions.models import Petition


class SignatureStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SignatureSource(models.TextChoices):
    WEB = "web", _("Signed on the website")
    PAPER = "paper", _("Paper sheet")
    STAFF = "staff", _("Added by staff")


# Providers where dots in the local part do not matter: j.smith@ and jsmith@ are one mailbox.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def canonical_email(address: str) -> str:
    """The form of an address used to spot one mailbox signing twice.

    Case is ignored, a "+tag" is dropped, Gmail's dots are dropped and the domain is compared in
    its ASCII (IDNA) form, so "J.Smith+x@GMAIL.com" and "jsmith@gmail.com" are the same person.
    """
    local, _at, domain = address.strip().rpartition("@")
    if not local:
        return address.strip().lower()
    try:
        domain = punycode(domain.lower().rstrip("."))
    except UnicodeError:
        domain = domain.lower()
    local = local.lower().split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def count_cache_key(petition_id: int) -> str:
    return f"signatories:approved-count:{petition_id}"


class SignatureQuerySet(models.QuerySet):
    def approved(self):
        """Signatures that count: approved by staff."""
        return self.filter(status=SignatureStatus.APPROVED)

    def public(self):
        """Signatures that may be shown by name: approved and not hidden."""
        return self.approved().filter(hide_name=False)

    def with_status(self, status: str):
        """Filter by a status value, or keep everything for "all"."""
        return self if status == "all" else self.filter(status=status)

    def approved_count(self, petition: Petition) -> int:
        """A letter's public count, cached briefly: a busy letter costs one query a minute."""
        return cache.get_or_set(
            count_cache_key(petition.pk),
            lambda: self.filter(petition=petition).approved().count(),
            settings.SIGNATURE_COUNT_TTL,
        )

    def moderate(self, status: str, *, by) -> int:
        """Set the status of every signature here, stamping who did it and when."""
        petition_ids = set(self.values_list("petition_id", flat=True).distinct())
        changed = self.update(status=status, moderated_by=by, moderated_at=timezone.now())
        forget_counts(petition_ids)
        return changed


def forget_counts(petition_ids: Iterable[int]) -> None:
    """Drop cached counts so the public pages show a moderation decision at once."""
    cache.delete_many([count_cache_key(pk) for pk in petition_ids])


class Signature(models.Model):
    Status = SignatureStatus
    Source = SignatureSource

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
    country = CountryField(_("country"), blank=True, blank_label=_("Choose a country"))
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

    def validate_constraints(self, exclude=None) -> None:
        # The canonical email derives from the email: whoever validates one validates both.
        if exclude and "email" not in exclude:
            exclude = set(exclude) - {"email_canonical"}
        super().validate_constraints(exclude=exclude)

    def derive_canonical_email(self) -> None:
        self.email_canonical = canonical_email(self.email) if self.email else ""

    def save_once(self) -> bool:
        """Insert this new signature unless its mailbox already signed the letter.

        Returns whether a row was stored. Two requests racing with one address are settled by
        the database constraint, so both callers see the same outcome and neither sees an error.
        """
        try:
            with transaction.atomic():
                self.save(force_insert=True)
        except IntegrityError:
            duplicate = Signature.objects.filter(
                petition_id=self.petition_id, email_canonical=self.email_canonical
            )
            if not self.email_canonical or not duplicate.exists():
                raise
            return False
        return True
