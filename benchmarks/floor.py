"""The floor: a bare Django view, no middleware, returning as many bytes as it is asked for
(?bytes=N, the size of the page it stands beside), under the same gunicorn settings. What the
site's pages reach is reported as a share of this."""

from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="the-floor-has-no-secrets",
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

BODIES: dict[int, bytes] = {}


def page(request: HttpRequest) -> HttpResponse:
    size = min(int(request.GET.get("bytes", "30000")), 10_000_000)
    body = BODIES.setdefault(size, b"x" * size)
    return HttpResponse(body, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]
application = get_wsgi_application()
