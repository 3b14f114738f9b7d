"""Each letter's counts, counted by one job and stored, so that no request counts signatures.

`manage.py count_signatures` counts every active letter again every COUNTS_EVERY_SECONDS, one
process at a time however many run (single_flight), and stores what it finds: pages and the
admin read only what is stored. Each pass reads each letter's signatures once, by status;
only when its approved ones changed are they broken down by country and by day (new
submissions, pending, do not). Run it with --exact nightly: it counts every letter, closed
long ago or not, and breaks each down.
"""

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from petitions.models import LetterCounts, Petition, counts_of
from solidarity.locks import single_flight

from .choices import SignatureStatus
from .models import Signature

# Letters closed longer ago than this are left to the nightly exact count.
ACTIVE_FOR = timedelta(days=30)


def refresh(*, exact: bool = False) -> int | None:
    """Count the letters again; how many letters' counts changed, or None if another process
    is counting now."""
    with single_flight("signatories.counts") as ours:
        if not ours:
            return None
        letters = Petition.objects.all() if exact else active_letters()
        return sum(count_letter(petition, exact=exact) for petition in letters)


def active_letters() -> list[Petition]:
    """Letters whose signatures may change now: open, or closed lately (a signer may still
    withdraw)."""
    lately = timezone.now() - ACTIVE_FOR
    return list(
        Petition.objects.published().filter(
            Q(status=Petition.Status.OPEN) | Q(updated_at__gte=lately) | Q(closes_at__gte=lately)
        )
    )


def count_letter(petition: Petition, *, exact: bool = False) -> bool:
    """Count one letter's signatures by status, and break the approved ones down when they
    changed (or always, if `exact`); true if the counts changed."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One process reads the letter: PostgreSQL would otherwise take both cores of a
            # small server from the site for a letter of a million, every few seconds.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return _count_letter(petition, exact=exact)


def _count_letter(petition: Petition, *, exact: bool) -> bool:
    stored = counts_of(petition)
    signatures = Signature.objects.filter(petition=petition).order_by()
    by_status = {
        row["status"]: row
        for row in signatures.values("status").annotate(
            # Columns of the counts' index, never the table's own (PostgreSQL may read the
            # index alone): the status is never empty.
            count=Count("*"),
            listed=Count("status", filter=Q(hide_name=False, notable=False)),
            last_change=Max("moderated_at"),
        )
    }
    approved = by_status.get(SignatureStatus.APPROVED, {})
    counted = {
        "approved": approved.get("count", 0),
        "listed": approved.get("listed", 0),
        "pending": by_status.get(SignatureStatus.PENDING, {}).get("count", 0),
        "rejected": by_status.get(SignatureStatus.REJECTED, {}).get("count", 0),
        "last_change": max(
            (row["last_change"] for row in by_status.values() if row["last_change"]),
            default=None,
        ),
    }
    changed = any(getattr(stored, name) != value for name, value in counted.items())
    # New submissions change only the pending count: the breakdown is of approved signatures.
    approved_changed = any(
        getattr(stored, name) != counted[name] for name in ["approved", "listed", "last_change"]
    )
    now = timezone.now()
    if approved_changed or exact or stored.broken_down_at is None:
        approved_rows = signatures.filter(status=SignatureStatus.APPROVED)
        counted["by_country"] = {
            row["country"]: row["count"]
            for row in approved_rows.values("country").annotate(count=Count("pk"))
        }
        days = approved_rows.annotate(day=TruncDate("created_at")).values("day")
        counted["by_day"] = {
            row["day"].isoformat(): row["count"] for row in days.annotate(count=Count("pk"))
        }
        counted["broken_down_at"] = now
    LetterCounts.objects.update_or_create(
        petition=petition, defaults={**counted, "counted_at": now}
    )
    return changed
