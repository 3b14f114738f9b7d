import uuid
from collections.abc import Collection

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from petitions.models import Petition

from .. import abuse
from ..addresses import canonical_email, signer_key
from ..choices import (
    MAX_EMAILS,
    ONE_PER_MAILBOX,
    SignatureFlag,
    SignatureSource,
    SignatureStatus,
)
from ..fields import CountryCodeField
from ..querysets import SignatureQuerySet
from ..validators import validate_mail_address


class Signature(models.Model):
    Status = SignatureStatus
    Source = SignatureSource
    Flag = SignatureFlag

    petition = models.ForeignKey(
        Petition,
        models.PROTECT,
        related_name="signatures",
        verbose_name=_("letter"),
        # Every index below that a letter's signatures are read by starts with the letter: one
        # more of its own would only cost each signature an index to write.
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(
        _("email"),
        blank=True,
        # On the field, not in clean(): a form without the address (the confirmation page)
        # must not be refused over it.
        validators=[validate_mail_address],
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
    emailed_at = models.DateTimeField(_("last emailed at"), null=True, blank=True, editable=False)
    email_held = models.BooleanField(
        _("email held"),
        default=False,
        editable=False,
        help_text=_(
            "Its confirmation email waits for a moderator to release it: it came from a network "
            "address over its rate limit, or over the site's hourly email budget."
        ),
    )
    # What links in emails name the signature by: its number would tell how many people
    # signed before, and when.
    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-created_at", "-pk"]
        permissions = [("export_signature", _("Can export signatures"))]
        constraints = [
            # One confirmed signature per mailbox and letter; until then, every submission with
            # the address is kept, each confirmed only from its own link (see Signature.sign).
            # On a keyed hash of the address: when a mailbox signs twice, PostgreSQL logs the
            # refused key, and its log must not hold the address or anything it can be found by.
            models.UniqueConstraint(
                fields=["petition", "email_key"],
                condition=~Q(email_key="") & Q(confirmed_at__isnull=False),
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
            # A letter's named initial signatories, in their order.
            models.Index(
                fields=["petition", "sort_order", "created_at", "id"],
                condition=Q(status=SignatureStatus.APPROVED, notable=True, hide_name=False),
                name="signatories_notables_idx",
            ),
            # The public list under a letter, newest first, read from a cursor (never OFFSET).
            models.Index(
                fields=["petition", "-created_at", "-id"],
                condition=Q(status=SignatureStatus.APPROVED, notable=False, hide_name=False),
                name="signatories_public_list_idx",
            ),
            # What the counting job reads of each letter, from the index alone.
            models.Index(
                fields=["petition", "status", "hide_name", "notable", "moderated_at"],
                name="signatories_counts_idx",
            ),
            models.Index(
                fields=["petition", "country", "created_at"],
                condition=Q(status=SignatureStatus.APPROVED),
                name="signatories_breakdown_idx",
            ),
            # The admin's lists, newest first: of a letter, by status, flagged, or all of them
            # (each to the row, so a page and the capped count read the index in order).
            models.Index(
                fields=["petition", "status", "-created_at", "-id"],
                name="signatories_letter_status_idx",
            ),
            models.Index(
                fields=["petition", "-created_at", "-id"], name="signatories_letter_recent_idx"
            ),
            models.Index(fields=["-created_at", "-id"], name="signatories_recent_idx"),
            models.Index(
                fields=["-created_at", "-id"],
                condition=~Q(flags=""),
                name="signatories_flagged_idx",
            ),
            # The moderation queue across all letters: pending and confirmed.
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(status=SignatureStatus.PENDING, confirmed_at__isnull=False),
                name="signatories_moderation_idx",
            ),
            # Those awaiting their signer's confirmation.
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(status=SignatureStatus.PENDING, confirmed_at__isnull=True),
                name="signatories_unconfirmed_idx",
            ),
            # The moderation queue across all letters.
            models.Index(fields=["status", "-created_at", "-id"], name="signatories_queue_idx"),
            # A mailbox's submissions on a letter, and the admin's search by a full address.
            models.Index(fields=["email_key", "petition"], name="signatories_mailbox_idx"),
            # Confirmation emails waiting for a moderator.
            models.Index(
                fields=["-created_at"],
                condition=Q(email_held=True),
                name="signatories_held_idx",
            ),
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

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        """Check the one-per-mailbox rule on what will be saved: the canonical address and its
        key derive from the email, so whoever validates the email validates them, and a stored
        signature keeps its letter, address and confirmation where a form leaves them out."""
        if exclude:
            exclude = set(exclude)
            if "email" not in exclude:
                exclude -= {"email_canonical", "email_key"}
            if self.pk is not None:
                exclude -= {"petition", "email", "email_canonical", "email_key", "confirmed_at"}
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
        return signing.dumps([self.reference.hex, self.email_tag()], salt=f"signatories.{purpose}")

    def sign(self) -> bool:
        """Store this submission from the signing form, as typed; true if it was stored.

        Until its mailbox's owner confirms one, each submission of an address is kept apart and
        is confirmed only from the link sent for it: whoever signs first with someone else's
        address cannot decide what that person's own confirmation publishes. The email is the
        worker's to decide (`take_email`), including for a mailbox that confirmed already: the
        request is one insert either way, so not even its timing tells whether an address
        signed. A letter that waives confirmation takes a submission as confirmed, so there the
        database refuses a mailbox's second one; a moderator still approves it (`confirm`).
        """
        if not self.petition.requires_confirmation:
            self.confirmed_at = timezone.now()
        # A network address over its rate limit makes no email go out without a moderator.
        self.email_held = SignatureFlag.RATE_LIMITED in self.flag_list
        try:
            self.insert()
        except IntegrityError as refusal:
            # PostgreSQL names the constraint it enforced; SQLite names its columns.
            if not any(mark in str(refusal) for mark in (ONE_PER_MAILBOX, ".email_key")):
                raise
            return False
        return True

    def insert(self) -> None:
        """Insert this new signature: one statement that commits by itself when no transaction
        is open (a signing request), within a savepoint when one is (a refusal must not end
        it)."""
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                self.save(force_insert=True)
        else:
            self.save(force_insert=True)

    def take_email(self) -> "Signature | None":
        """Count the email this new submission asks for, and return whom to write to: this
        submission, or the signature its mailbox confirmed on the letter already (this one is
        then dropped: the email says so, with the link to withdraw), or None.

        While a mailbox holds no link about the letter that still works, the email always goes
        out: nobody can use up someone's emails to keep their own confirmation from them, and
        every link counted against the cap lets its holder publish what they choose. Each
        later one counts against that cap (MAX_EMAILS live links) and the mailbox's day.
        """
        with transaction.atomic():
            mailbox = list(Signature.objects.mailbox_of(self).select_for_update().order_by("pk"))
            if self.pk not in {signature.pk for signature in mailbox}:
                return None  # withdrawn before the email left
            confirmed = next((s for s in mailbox if s.confirmed_at and s.pk != self.pk), None)
            if confirmed is not None:
                Signature.objects.filter(pk=self.pk).delete()
                confirmed.language = self.language  # the one used last
                sent = confirmed.emails_sent
            else:
                live_since = timezone.now() - settings.CONFIRMATION_MAX_AGE
                live = [s for s in mailbox if s.emails_sent and s.emailed_at > live_since]
                sent = sum(signature.emails_sent for signature in live)
            recipient = confirmed or self
            if not recipient.count_email(first=sent == 0, sent=sent):
                return None
            return recipient

    def count_email(self, *, first: bool, sent: int) -> bool:
        """Count one more email to this signer, who has had `sent` about the letter; true if it
        may go: a first email always may, a later one within the caps."""
        over_budget = abuse.mailbox_over_budget(self.email)  # counted either way
        if not first and (over_budget or sent >= MAX_EMAILS):
            return False
        uncapped = Signature.objects.filter(pk=self.pk, emails_sent__lt=MAX_EMAILS)
        now = timezone.now()
        counted = uncapped.update(
            emails_sent=F("emails_sent") + 1, emailed_at=now, language=self.language
        )
        self.emails_sent, self.emailed_at = self.emails_sent + counted, now
        return counted == 1

    def uncount_email(self) -> None:
        """Take back an email counted but not sent."""
        counted = Signature.objects.filter(pk=self.pk, emails_sent__gt=0)
        counted.update(emails_sent=F("emails_sent") - 1)

    def hold_email(self) -> None:
        """Keep this signature's email, counted but not sent, for a moderator to release."""
        self.uncount_email()
        Signature.objects.filter(pk=self.pk).update(email_held=True)

    def hide(self) -> None:
        """Stop showing this signature's name, organisation and comment; it is still counted.
        The time marks the change for the counts (as moderation does)."""
        self.hide_name, self.moderated_at = True, timezone.now()
        Signature.objects.filter(pk=self.pk).update(hide_name=True, moderated_at=self.moderated_at)

    def hide_requested(self) -> bool:
        """Whether this submission, or any other of its mailbox on the letter, asked not to be
        named: the confirmation page then starts hidden, whichever submission's link it is."""
        return self.hide_name or Signature.objects.mailbox_of(self).filter(hide_name=True).exists()

    def confirm(self, published: dict) -> bool:
        """Confirm this submission from its link, as its signer corrected it there: `published`
        holds what the confirmation page let them change. False if the mailbox had confirmed
        another signature on the letter already; then nothing changes.

        The mailbox's other pending submissions on the letter go, as only one can count. Only
        here can a letter approve a signature automatically: on a letter that waives
        confirmation, the count rising at once would tell that an address had not signed.
        """
        with transaction.atomic():
            mailbox = list(Signature.objects.mailbox_of(self).select_for_update().order_by("pk"))
            if self.pk not in {s.pk for s in mailbox} or any(s.confirmed_at for s in mailbox):
                return any(s.pk == self.pk and s.confirmed_at for s in mailbox)
            for name, value in published.items():
                setattr(self, name, value)
            if abuse.mixes_scripts(self.name) and SignatureFlag.LOOKALIKE_NAME not in self.flags:
                self.flags = f"{self.flags} {SignatureFlag.LOOKALIKE_NAME}".strip()
            self.confirmed_at = timezone.now()
            self.emails_sent = min(MAX_EMAILS, sum(s.emails_sent for s in mailbox))
            self.email_held = False
            if self.status == SignatureStatus.REJECTED:
                # Its owner vouches for it now: moderators decide again.
                self.status = SignatureStatus.PENDING
            elif self.approves_itself and self.status == SignatureStatus.PENDING:
                # Approved by the letter itself: no moderator, but the time, for the counts.
                self.status, self.moderated_at = SignatureStatus.APPROVED, self.confirmed_at
            confirmed = [
                *["confirmed_at", "emails_sent", "email_held", "status", "flags", "moderated_at"]
            ]
            self.save(update_fields=[*published, *confirmed])
            pending = [s.pk for s in mailbox if s.status == SignatureStatus.PENDING]
            Signature.objects.filter(pk__in=pending).exclude(pk=self.pk).delete()
        return True

    def withdraw(self) -> None:
        """The signer takes their signature back: the row goes, and with the next count the
        count drops."""
        self.delete()
