"""Staff login lockouts, counted by django-axes in the shared cache, by keyed hashes only."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from axes.handlers.cache import AxesCacheHandler
from axes.helpers import get_cache
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from redis import RedisError


class LoginUnavailable(Exception):
    """The shared cache, where failed logins are counted, cannot be reached."""


@contextmanager
def counting() -> Iterator[None]:
    try:
        yield
    except (RedisError, OSError) as error:
        raise LoginUnavailable from error


class CacheHandler(AxesCacheHandler):
    """django-axes' cache handler, which lets no login through uncounted.

    With the cache down a failed login could neither be counted nor a lockout checked, so a
    guesser would get unlimited tries: logging in answers 503 until the cache is back. Staff
    already logged in carry on, as their sessions live in the database.
    """

    def __init__(self) -> None:
        """No cache kept from start-up: Django's cache connections belong to each thread."""

    @property
    def cache(self) -> BaseCache:
        return get_cache()

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        with counting():
            return super().get_failures(request, credentials)

    def user_login_failed(
        self, sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs
    ) -> None:
        with counting():
            super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender: object, request: HttpRequest, user: object, **kwargs) -> None:
        with counting():
            super().user_logged_in(sender, request, user, **kwargs)


class LoginUnavailableMiddleware:
    """Answer a login that cannot be counted with a page that says so, and when to come back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, LoginUnavailable):
            return None
        response = render(request, "registration/login_unavailable.html", status=503)
        response["Retry-After"] = "60"
        add_never_cache_headers(response)
        return response
