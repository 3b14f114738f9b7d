from collections.abc import Callable, Collection

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from petitions.models import Petition

from .addresses import canonical_email, has_mail_domain, local_part_fits, signer_key
from .choices import (
    MAX_EMAILS,
    ONE_PER_MAILBOX,
    SignatureFlag,
    SignatureSource,
    SignatureStatus,
)
from .counts import forget_counts
from .fields import CountryCodeField
from .querysets import SignatureQuerySet


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
        # 64 characters before the @ and 253 after it in ASCII: longer than the typed address.
        _("canonical email"),
        max_length=320,
        blank=True,
        editable=False,
    )
    email_key = models.CharField(_("email key"), max_length=64, blank=True, editable=False)
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
            # On a keyed hash of the address: when a mailbox signs twice, PostgreSQL logs the
            # refused key, and its log must not hold the address or anything it can be found by.
            models.UniqueConstraint(
                fields=["petition", "email_key"],
                condition=~Q(email_key=""),
                name=ONE_PER_MAILBOX,
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
        self.derive_from_email()
        if (fields := kwargs.get("update_fields")) is not None and "email" in fields:
            kwargs["update_fields"] = {*fields, "email_canonical", "email_key"}
        super().save(**kwargs)

    def clean(self) -> None:
        self.derive_from_email()
        if self.email and not has_mail_domain(self.email):
            raise ValidationError(
                {"email": _("This email address cannot receive mail: its domain is not valid.")},
                code="invalid_domain",
            )
        if self.email and not local_part_fits(self.email):
            message = _("The part of the address before the @ is too long to receive mail.")
            raise ValidationError({"email": message}, code="local_part_too_long")

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        # These derive from the email: whoever validates it validates them.
        if exclude and "email" not in exclude:
            exclude = set(exclude) - {"email_canonical", "email_key"}
        super().validate_constraints(exclude=exclude)

    def derive_from_email(self) -> None:
        """Set the canonical address and its key; once per address, though both clean() and
        save() ask (a signing request calls each once)."""
        if getattr(self, "_derived_from", None) == self.email:
            return
        self.email_canonical = canonical_email(self.email) if self.email else ""
        self.email_key = signer_key(self.email_canonical) if self.email_canonical else ""
        self._derived_from = self.email

    @property
    def flag_list(self) -> list[str]:
        return self.flags.split()

    @property
    def flag_labels(self) -> list[str]:
        return [str(dict(SignatureFlag.choices).get(flag, flag)) for flag in self.flag_list]

    @property
    def approves_itself(self) -> bool:
        """Whether confirming is enough: the letter approves confirmed, unflagged signatures."""
        return self.petition.auto_approve and not self.flags

    def email_tag(self, secret: str | None = None) -> str:
        """A keyed hash of the address, so a link stops working if the address is corrected."""
        digest = salted_hmac(
            "signatories.link", self.email_canonical, secret=secret, algorithm="sha256"
        )
        return digest.hexdigest()[:12]

    def has_email_tag(self, tag: str) -> bool:
        """Whether a link's tag is this address's, under SECRET_KEY or a key being retired
        (SECRET_KEY_FALLBACKS), so links sent before the key changed still work."""
        secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        return any(constant_time_compare(tag, self.email_tag(secret)) for secret in secrets)

    def link_token(self, purpose: str) -> str:
        """A signed, expiring value for a link that lets its holder confirm or withdraw."""
        return signing.dumps([self.pk, self.email_tag()], salt=f"signatories.{purpose}")

    def sign(self, *, notify: Callable[["Signature"], None]) -> None:
        """Take this signature from the signing form, and have its signer emailed.

        Stores it, or, if its mailbox already signed the letter, leaves the earlier signature as
        it was; either way `notify` then queues the email, for this signature or, as this one
        was not stored, for the earlier one. Both ways cost one insert and one enqueue, so not
        even the response time tells whether an address signed. Whether to email is this
        submission's to decide, not the earlier one's: a forger's rejected or bot signature must
        not lock the mailbox's owner out of their links.
        """
        if not self.petition.requires_confirmation:
            self.confirmed_at = timezone.now()
        if self.confirmed_at is not None and self.approves_itself:
            self.status = SignatureStatus.APPROVED
        may_email = SignatureFlag.HONEYPOT not in self.flag_list
        self.emails_sent = 1 if may_email else 0
        try:
            self.insert()
        except IntegrityError as refusal:
            # PostgreSQL names the constraint it enforced; SQLite names its columns.
            if not any(mark in str(refusal) for mark in (ONE_PER_MAILBOX, ".email_key")):
                raise
        else:
            if self.status == SignatureStatus.APPROVED:
                forget_counts([self.petition_id])
        if may_email:
            notify(self)

    def insert(self) -> None:
        """Insert this new signature: one statement that commits by itself when no transaction
        is open (a signing request), within a savepoint when one is (a refusal must not end
        it)."""
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                self.save(force_insert=True)
        else:
            self.save(force_insert=True)

    def count_another_email(self, *, language: str) -> bool:
        """Count one more email to this signer, in the language they signed in last; true if
        the cap allowed it."""
        uncapped = Signature.objects.filter(pk=self.pk, emails_sent__lt=MAX_EMAILS)
        if uncapped.update(emails_sent=F("emails_sent") + 1, language=language) != 1:
            return False
        self.language = language
        return True

    def uncount_email(self) -> None:
        """Take back an email counted but not sent."""
        counted = Signature.objects.filter(pk=self.pk, emails_sent__gt=0)
        counted.update(emails_sent=F("emails_sent") - 1)

    def confirm(self) -> None:
        """Record that the signer confirmed by email.

        Confirming again, after a moderator decided, or after a withdrawal changes nothing:
        each update only applies to the row as it still is.
        """
        unconfirmed = Signature.objects.filter(pk=self.pk, confirmed_at__isnull=True)
        now = timezone.now()
        if self.approves_itself:
            pending = unconfirmed.filter(status=SignatureStatus.PENDING)
            if pending.update(confirmed_at=now, status=SignatureStatus.APPROVED):
                forget_counts([self.petition_id])
                return
        unconfirmed.update(confirmed_at=now)

    def withdraw(self) -> None:
        """The signer takes their signature back: the row goes and the count drops."""
        self.delete()
        forget_counts([self.petition_id])
