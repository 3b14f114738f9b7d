from django.core.cache import caches
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

# A published letter is read on every view of its page and every signature, so each process
# keeps it a few seconds. A change reaches the process that saved it at once, the others within
# these seconds.
LETTER_CACHE_SECONDS = 5


class PetitionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for signatures")
    CLOSED = "closed", _("Closed")


class PetitionQuerySet(models.QuerySet):
    def published(self) -> "PetitionQuerySet":
        """Letters the public may read: open or closed, never drafts."""
        return self.exclude(status=PetitionStatus.DRAFT)

    def open(self) -> "PetitionQuerySet":
        """Letters taking signatures now."""
        return self.filter(status=PetitionStatus.OPEN).filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=Now())
        )


class Petition(models.Model):
    Status = PetitionStatus

    # Editing these once people have signed needs the deliberate "edit text" step in the admin.
    TEXT_FIELDS = ("title", "addressee", "body", "closing")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    addressee = models.CharField(
        _("addressee"),
        max_length=200,
        blank=True,
        help_text=_('Who the letter is to, e.g. "To the Kazakhstan Government and Authorities".'),
    )
    body = models.TextField(
        _("letter text"), help_text=_("Plain text. Separate paragraphs with an empty line.")
    )
    closing = models.CharField(
        _("closing line"), max_length=200, blank=True, help_text=_('e.g. "In all sincerity,"')
    )
    goal = models.PositiveIntegerField(
        _("goal"),
        null=True,
        blank=True,
        help_text=_("Number of signatures aimed for; leave empty to show no progress bar."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    requires_confirmation = models.BooleanField(
        _("signers confirm by email"),
        default=True,
        help_text=_(
            "Signatures count only once their signer follows the link in an email. Turn off only "
            "where addresses cannot receive mail."
        ),
    )
    auto_approve = models.BooleanField(
        _("approve confirmed signatures automatically"),
        default=False,
        help_text=_(
            "Signatures that their signers confirm by email, and that nothing flagged, are "
            "published without review; never on a letter that waives confirmation, where staff "
            "approve each one (a count rising at once would tell whether an address had signed)."
        ),
    )
    closes_at = models.DateTimeField(
        _("closes at"),
        null=True,
        blank=True,
        help_text=_("Signing stops at this time. Leave empty to keep the letter open."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PetitionStatus.values),
                name="petitions_petition_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(goal__isnull=True) | Q(goal__gt=0),
                name="petitions_petition_goal_positive",
                violation_error_message=_("The goal must be at least one signature."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, **kwargs) -> None:
        super().save(**kwargs)
        forget_letter(self.slug)

    def get_absolute_url(self) -> str:
        return reverse("petitions:detail", args=[self.slug])

    def delete(self, **kwargs) -> tuple[int, dict[str, int]]:
        deleted = super().delete(**kwargs)
        forget_letter(self.slug)
        return deleted

    @property
    def is_open(self) -> bool:
        """Whether the letter takes signatures right now."""
        return self.status == self.Status.OPEN and (
            self.closes_at is None or self.closes_at > timezone.now()
        )

    @cached_property
    def text_is_locked(self) -> bool:
        """Once anyone has signed, the text they signed must not change by accident."""
        return self.pk is not None and self.signatures.exists()


class LetterCounts(models.Model):
    """A letter's counts, stored by one job (`manage.py count_signatures`) and read by every
    page and the admin: no request counts a letter's signatures, and no signature updates this
    row, however many sign at once."""

    petition = models.OneToOneField(
        Petition,
        models.CASCADE,
        primary_key=True,
        related_name="stored_counts",
        verbose_name=_("letter"),
    )
    approved = models.PositiveIntegerField(
        _("approved"), default=0, help_text=_("The public count, hidden names included.")
    )
    listed = models.PositiveIntegerField(
        _("listed"), default=0, help_text=_("Approved and named in the list under the letter.")
    )
    pending = models.PositiveIntegerField(_("pending"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    by_country = models.JSONField(_("approved by country"), default=dict)
    by_day = models.JSONField(_("approved by day signed"), default=dict)
    # What was last seen of the signatures, to tell when they changed since.
    last_change = models.DateTimeField(_("last change counted"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    broken_down_at = models.DateTimeField(_("broken down at"), null=True, blank=True)

    class Meta:
        verbose_name = _("counts of a letter")
        verbose_name_plural = _("counts of letters")

    def __str__(self) -> str:
        return str(self.petition)

    @property
    def signed(self) -> int:
        """Everyone who signed, whatever moderators made of it."""
        return self.approved + self.pending + self.rejected

    @property
    def version(self) -> str:
        """What changes whenever what the letter's page shows of its signatures may have: one
        approved, withdrawn or deleted (a notable signatory too), or one edited or hidden (the
        admin and hiding stamp the time of the change)."""
        changed = self.last_change.timestamp() if self.last_change else ""
        return f"{self.approved}-{self.listed}-{changed}"


def counts_of(petition: Petition) -> LetterCounts:
    """The stored counts of a letter; zeros until the job first counted it."""
    try:
        return petition.stored_counts
    except LetterCounts.DoesNotExist:
        return LetterCounts(petition=petition)


def _letter_key(slug: str) -> str:
    return f"petitions:published:{slug}"


def published_letter(slug: str) -> Petition | None:
    """The published letter with this slug, or None; kept a few seconds in this process."""
    petition = caches["local"].get(_letter_key(slug))
    if petition is None:
        letters = Petition.objects.published().select_related("stored_counts")
        petition = letters.filter(slug=slug).first()
        if petition is not None:
            caches["local"].set(_letter_key(slug), petition, LETTER_CACHE_SECONDS)
    return petition


def forget_letter(slug: str) -> None:
    """Drop a saved letter, and every page this process keeps, from its memory, now and again
    once the change is committed (a reader in between could have kept the old one). Letters
    change seldom; other processes follow within their few seconds."""
    caches["local"].clear()
    transaction.on_commit(caches["local"].clear)
