"""Public pages: the same bytes for every visitor, kept by this process and by every cache on
the way (a CDN, nginx) for as long as a letter's counts may be stale."""

from collections.abc import Callable

from django.conf import settings
from django.views.decorators.cache import cache_control, cache_page

# How long a cache may show a kept public page while the site fails.
STALE_IF_ERROR_SECONDS = 5 * 60


def public_page(view: Callable) -> Callable:
    """Keep a page's response in this process's memory for PAGE_CACHE_SECONDS, per address
    and language, and let any cache keep it as long, serve it stale while it fetches it again,
    and for five minutes more while the site fails: long enough to ride out a restart, short
    enough that a withdrawn signature does not stay up for long. Such a page reads no cookie
    and holds no nonce: a response that says `private` (a staff preview) is never kept."""
    seconds = settings.PAGE_CACHE_SECONDS
    shared = cache_control(
        public=True,
        max_age=seconds,
        stale_while_revalidate=6 * seconds,
        stale_if_error=STALE_IF_ERROR_SECONDS,
    )
    return cache_page(seconds, cache="local")(shared(view))
