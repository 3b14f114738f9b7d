from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


class RejectNullCharactersMiddleware:
    """Answer 400 to a query string holding a NUL character.

    PostgreSQL can neither store nor compare text containing NUL, so such a value would fail deep
    inside an admin filter or search with a server error. Form posts need no help: Django's form
    fields already refuse NUL with a message on the field.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadRequest("NUL character in the query string")
        return self.get_response(request)
