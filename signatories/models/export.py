import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from petitions.models import Petition

from ..choices import STATUS_FILTER_CHOICES


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")


# An export that has told no progress for this long stopped: its worker was killed, say.
STALLED_AFTER = timedelta(minutes=15)


class ExportQuerySet(models.QuerySet):
    def expired(self) -> "ExportQuerySet":
        """Exports past the hours their files are kept: personal data is not left lying."""
        kept_since = timezone.now() - settings.EXPORT_KEEP
        return self.filter(created_at__lt=kept_since)

    def purge_expired(self) -> None:
        """Delete the expired exports, and their files."""
        for export in self.expired():
            export.delete()


class Export(models.Model):
    """A letter's signatures as a CSV file, written by the worker and downloaded when whole.

    Written in the background, an export of any size completes or visibly fails: the file is
    offered only once its last row is on disk, with its length, so a download cut short shows
    as failed in the browser rather than as a shorter list.
    """

    State = ExportState

    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    petition = models.ForeignKey(
        Petition, models.CASCADE, related_name="exports", verbose_name=_("letter")
    )
    status = models.CharField(
        _("signatures"), max_length=10, choices=STATUS_FILTER_CHOICES, default="approved"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ExportState, default=ExportState.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("signatures to write"), null=True, blank=True)
    rows_written = models.PositiveIntegerField(_("signatures written"), default=0)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    progress_at = models.DateTimeField(_("last progress at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ExportState.values), name="signatories_export_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=ExportState.DONE) | Q(size__isnull=False),
                name="signatories_export_done_has_a_file",
            ),
        ]

    def __str__(self) -> str:
        return _("Export of %(letter)s (%(status)s)") % {
            "letter": self.petition,
            "status": self.get_status_display(),
        }

    @property
    def path(self) -> Path:
        """Where the file is kept: named by the reference alone, nothing personal."""
        return settings.EXPORT_ROOT / f"{self.reference.hex}.csv"

    @property
    def filename(self) -> str:
        """The name a download gets: what is in it and from which day."""
        day = timezone.localdate(self.created_at)
        return f"{self.petition.slug}-{self.status}-{day:%Y-%m-%d}.csv"

    @property
    def is_expired(self) -> bool:
        return self.created_at < timezone.now() - settings.EXPORT_KEEP

    @property
    def is_ready(self) -> bool:
        """Whether the whole file is there to download, within its hours."""
        return self.state == ExportState.DONE and not self.is_expired and self.path.is_file()

    @property
    def has_stopped(self) -> bool:
        """Whether it failed, or stopped telling progress while being written: either way no
        file will come, and the page must say so rather than wait forever."""
        stalled = self.progress_at < timezone.now() - STALLED_AFTER
        return self.state == ExportState.FAILED or (self.state != ExportState.DONE and stalled)

    def signatures(self) -> models.QuerySet:
        return self.petition.signatures.with_status(self.status)

    def delete(self, **kwargs) -> tuple[int, dict[str, int]]:
        self.path.unlink(missing_ok=True)
        return super().delete(**kwargs)
