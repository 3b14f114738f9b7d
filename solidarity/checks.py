from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """Rate limits, email budgets and staff lockouts only hold if every worker shares counts."""
    if settings.CACHES["default"]["BACKEND"] not in PROCESS_LOCAL_CACHES:
        return []
    return [
        Warning(
            "The cache is local to each process, so signing rate limits, email budgets and "
            "login lockouts are not shared between workers.",
            hint="Set CACHE_URL to a Redis server (redis://...).",
            id="solidarity.W001",
        )
    ]


@register(deploy=True)
def check_site_url(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """Links in confirmation emails must reach the site, over HTTPS."""
    if settings.SITE_URL.startswith("https://"):
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL!r}: links in emails would not use HTTPS.",
            hint="Set SITE_URL to the public https:// address of the site.",
            id="solidarity.W002",
        )
    ]


@register(deploy=True)
def check_client_address(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """Behind a proxy every request comes from the proxy unless its header says who sent it."""
    if settings.CLIENT_IP_HEADER or not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return []
    return [
        Warning(
            "The site is behind a proxy but CLIENT_IP_HEADER is empty: every signature would "
            "count as coming from the proxy, and be flagged as one of many.",
            hint="Set CLIENT_IP_HEADER to the header your proxy sets (e.g. X-Real-IP).",
            id="solidarity.W003",
        )
    ]
