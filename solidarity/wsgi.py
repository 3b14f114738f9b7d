import codecs
import os

from django.core.wsgi import get_wsgi_application
from django.utils.http import parse_header_parameters

from solidarity.middleware import UNREADABLE_CONTENT_TYPE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidarity.settings")

django_application = get_wsgi_application()


def application(environ: dict, start_response: object) -> object:
    """Django's WSGI application, given only a Content-Type header that it can parse.

    Django parses the header while it builds the request, before any middleware runs, so one
    it cannot parse (too long, naming an unknown charset the RFC 2231 way, a charset holding a
    NUL) would end in the server's own bare 500. Such a header is dropped and marked instead,
    and the request limits middleware answers with the 400 page in the page's language.
    """
    try:
        _type, parameters = parse_header_parameters(environ.get("CONTENT_TYPE", ""))
        if "charset" in parameters:
            codecs.lookup(parameters["charset"])  # Django lets only a LookupError pass
    except LookupError:
        pass  # an unknown charset: the middleware refuses it
    except (ValueError, UnicodeError):
        environ = environ | {"CONTENT_TYPE": "", UNREADABLE_CONTENT_TYPE: True}
    return django_application(environ, start_response)
