from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class RequestLimitsMiddleware:
    """Refuse, before anything reads it, a request that no page here could want.

    - A body bigger than any form needs gets 413. Django's own limit leaves out file parts, and
      its CSRF check reads the whole body before any view could refuse it.
    - A query string holding a NUL character gets 400: PostgreSQL can neither store nor compare
      such text, so it would fail deep inside an admin filter or search. Form posts need no
      help: Django's form fields refuse NUL with a message on the field.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise BadRequest("Content-Length is not a number") from None
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return render(request, "413.html", status=413)
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadRequest("NUL character in the query string")
        return self.get_response(request)
