import codecs
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.middleware import locale
from django.shortcuts import render
from django.utils.http import split_header_value

logger = logging.getLogger(__name__)

# What solidarity.wsgi puts in the environ when Django could not parse the Content-Type header.
UNREADABLE_CONTENT_TYPE = "solidarity.unreadable_content_type"


class RequestLimitsMiddleware:
    """Refuse, before anything reads it, a request that no page here could want, and answer with
    a page in the page's language (this runs after the language is known).

    - A body bigger than any form needs gets 413. Django's own limit leaves out file parts, and
      its CSRF check reads the whole body before any view could refuse it.
    - A query string holding a NUL character gets 400: PostgreSQL can neither store nor compare
      such text, so it would fail deep inside an admin filter or search. Form posts need no
      help: Django's form fields refuse NUL with a message on the field.
    - A body that cannot be read as a form gets 400: a Content-Type header that does not parse,
      a charset other than UTF-8 (every page here is UTF-8, so browsers send UTF-8), or a
      malformed multipart body. The body is parsed here, once: left to the CSRF check, such a
      body raises there, and again in each error page that checks a token, until the server
      gives up with a bare 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return refuse(request, "Content-Length is not a number")
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return render(request, "413.html", status=413)
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return refuse(request, "NUL character in the query string")
        if request.META.get(UNREADABLE_CONTENT_TYPE):
            return refuse(request, "Content-Type header that does not parse")
        if (charset := request.content_params.get("charset")) is not None:
            if not is_utf8(charset):
                return refuse(request, "charset other than UTF-8")
            request.encoding = "utf-8"  # "utf8", "UTF-8" and "utf_8" are all UTF-8
        if request.method == "POST":
            try:
                request.POST  # noqa: B018  (parsed now, so that a failure is answered here)
            except RequestDataTooBig:
                return render(request, "413.html", status=413)
            except (
                BadRequest,
                MultiPartParserError,
                SuspiciousOperation,
                UnreadablePostError,
            ) as e:
                return refuse(request, f"body that does not parse ({type(e).__name__})")
        return self.get_response(request)


def is_utf8(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name == "utf-8"
    except (LookupError, ValueError, UnicodeError):  # unknown, or no name a codec can have
        return False


def refuse(request: HttpRequest, reason: str) -> HttpResponse:
    """The 400 page, rendered here: Django's own handler would check a CSRF token first, which
    reads the body again. What was sent is never logged, only what kind of mistake it was."""
    logger.warning("Bad request refused: %s", reason)
    return render(request, "400.html", status=400)


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, less `Vary: Accept-Language`: here a page's language comes from its address
    alone (an address without a language prefix is always in the default language), so the
    header never changes a page, and a CDN must not keep a copy of it per browser setting."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        varies = split_header_value(response.get("Vary", ""))
        kept = [value for value in varies if value.lower() != "accept-language"]
        if kept:
            response["Vary"] = ", ".join(kept)
        elif "Vary" in response:
            del response["Vary"]
        return response
