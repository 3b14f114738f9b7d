import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from petitions.models import Petition

from .addresses import ascii_domain
from .choices import CONFIRM, DISPLAYED_FIELDS, SignatureStatus

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from .models import Signature


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def cursor_of(signature: "Signature") -> str:
    """Where a page of the public list ends, for the link to the page after it: the same page
    however many sign since, so its address can be shared and cached."""
    return f"{(signature.created_at - EPOCH) // timedelta(microseconds=1)}.{signature.pk}"


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

    def older_than(self, cursor: str) -> "SignatureQuerySet":
        """Those after `cursor` in the list, newest first: found from the index, however far
        down the list (no OFFSET). ValueError if the cursor is not one."""
        micros, _dot, pk = cursor.partition(".")
        if not all(
            part.isascii() and part.isdecimal() and len(part) < 20 for part in (micros, pk)
        ):
            raise ValueError(cursor)
        try:
            moment = EPOCH + timedelta(microseconds=int(micros))
        except OverflowError:
            raise ValueError(cursor) from None
        earlier = self.filter(created_at__lte=moment)
        return earlier.filter(Q(created_at__lt=moment) | Q(pk__lt=int(pk)))

    def notables(self) -> "SignatureQuerySet":
        """The letter's named initial signatories, in their order."""
        listed = self.public().filter(notable=True).only(*DISPLAYED_FIELDS)
        return listed.order_by("sort_order", "created_at", "pk")

    def awaiting_moderation(self) -> "SignatureQuerySet":
        """The moderation queue: pending and confirmed by their signer."""
        return self.filter(status=SignatureStatus.PENDING, confirmed_at__isnull=False)

    def awaiting_confirmation(self) -> "SignatureQuerySet":
        """Pending signatures whose signers have not followed the link in their email yet."""
        return self.filter(status=SignatureStatus.PENDING, confirmed_at__isnull=True)

    def from_link(self, slug: str, token: str, purpose: str) -> "Signature | None":
        """The signature a link from an email stands for, if the link is genuine, fresh, for
        this letter, and still for the address it was sent to. A withdrawal link works for as
        long as its letter is published, however long that is."""
        max_age = settings.CONFIRMATION_MAX_AGE if purpose == CONFIRM else None
        try:
            reference, tag = signing.loads(token, salt=f"signatories.{purpose}", max_age=max_age)
            reference = uuid.UUID(hex=reference)
        except (signing.BadSignature, AttributeError, TypeError, ValueError):
            return None
        signature = (
            self.select_related("petition")
            .filter(reference=reference, petition__slug=slug)
            .first()
        )
        return signature if signature is not None and signature.has_email_tag(tag) else None

    def mailbox_of(self, signature: "Signature") -> "SignatureQuerySet":
        """Every submission the mailbox behind this signature made on its letter."""
        if not signature.email_key:
            return self.filter(pk=signature.pk)
        return self.filter(petition_id=signature.petition_id, email_key=signature.email_key)

    def of_mailbox(self, petition_id: int, email_key: str) -> "Signature | None":
        """The signature a mailbox confirmed on a letter, found by its email key."""
        confirmed = self.filter(confirmed_at__isnull=False)
        return confirmed.filter(petition_id=petition_id, email_key=email_key).order_by().first()

    def held(self) -> "SignatureQuerySet":
        """Signatures whose confirmation email waits for a moderator (rejected ones wait for
        nothing more)."""
        return self.filter(email_held=True, status=SignatureStatus.PENDING)

    def release_held_emails(self) -> list[int]:
        """Let the held emails of these signatures go; the ids of those released."""
        released = list(self.held().values_list("pk", flat=True))
        self.model.objects.filter(pk__in=released).update(email_held=False)
        return released

    def rekey(self) -> list[tuple[int, int]]:
        """Derive each signature's canonical address and email key again, as after SECRET_KEY
        changed, so a mailbox that signed still cannot sign the same letter twice.

        Returns the pairs (signature, signature holding its key) that stand for one mailbox on
        one letter, because it signed again before this ran: the first keeps its old key until
        staff delete one of the two; nothing is deleted here.
        """
        clashes = []
        fields = ["petition_id", "email", "email_canonical", "email_key"]
        rows = self.exclude(email="").only(*fields).order_by("pk")
        for signature in rows.iterator(chunk_size=2000):
            before = (signature.email_canonical, signature.email_key)
            signature.derive_from_email()
            if (signature.email_canonical, signature.email_key) == before:
                continue
            try:
                with transaction.atomic():
                    signature.save(update_fields=["email_canonical", "email_key"])
            except IntegrityError:
                holder = self.model.objects.of_mailbox(signature.petition_id, signature.email_key)
                if holder is not None:  # else withdrawn a moment ago: the next run re-keys it
                    clashes.append((signature.pk, holder.pk))
        return clashes

    def matching_wave(
        self,
        *,
        petition: Petition | None,
        flag: str,
        email_domain: str,
        signed_after: datetime | None,
        signed_before: datetime | None,
    ) -> "SignatureQuerySet":
        """Signatures not yet rejected that share what marks a wave of forgeries."""
        signatures = self.exclude(status=SignatureStatus.REJECTED)
        if petition is not None:
            signatures = signatures.filter(petition=petition)
        if flag:
            signatures = signatures.with_flag(flag)
        if email_domain:
            domain = ascii_domain(email_domain.strip().lstrip("@"))
            signatures = signatures.filter(email_canonical__endswith=f"@{domain}")
        if signed_after is not None:
            signatures = signatures.filter(created_at__gte=signed_after)
        if signed_before is not None:
            signatures = signatures.filter(created_at__lt=signed_before)
        return signatures

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
        return changing.update(status=status, moderated_by=by, moderated_at=timezone.now())
