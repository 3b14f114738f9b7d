"""A letter's public counts, cached briefly so a busy letter is not counted on every request."""

import logging
from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from petitions.models import Petition

logger = logging.getLogger(__name__)


class LetterCounts(NamedTuple):
    approved: int  # the public count: every approved signature, hidden ones included
    listed: int  # approved signatures listed by name below the letter


def _key(petition_id: int) -> str:
    return f"signatories:counts:{petition_id}"


def letter_counts(petition: Petition) -> LetterCounts:
    """A letter's counts: two count queries a minute however busy the letter is."""

    def count() -> LetterCounts:
        return LetterCounts(
            petition.signatures.approved().count(), petition.signatures.listed().count()
        )

    try:
        return LetterCounts(
            *cache.get_or_set(_key(petition.pk), count, settings.SIGNATURE_COUNT_TTL)
        )
    except Exception:  # the cache server is down: count, rather than fail the page
        logger.warning("Could not reach the cache for the counts of letter #%s", petition.pk)
        return count()


def forget_counts(petition_ids: Iterable[int]) -> None:
    """Once the change is committed, drop cached counts so public pages show it at once."""
    keys = [_key(pk) for pk in petition_ids]
    transaction.on_commit(lambda: cache.delete_many(keys))
