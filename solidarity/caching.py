"""Public pages: the same bytes for every visitor, kept by this process and by every cache on
the way (a CDN, nginx) for as long as a letter's counts may be stale."""

from collections.abc import Callable

from django.conf import settings
from django.views.decorators.cache import cache_control, cache_page


def public_page(view: Callable) -> Callable:
    """Keep a page's response in this process's memory for PAGE_CACHE_SECONDS, per address
    and language, and let any cache keep it as long, serve it stale while it fetches it again,
    and for a day if the site is down. Such a page reads no cookie and holds no token or nonce:
    a response that says `private` (a staff preview) is never kept."""
    seconds = settings.PAGE_CACHE_SECONDS
    shared = cache_control(
        public=True,
        max_age=seconds,
        stale_while_revalidate=6 * seconds,
        stale_if_error=24 * 60 * 60,
    )
    return cache_page(seconds, cache="local")(shared(view))
