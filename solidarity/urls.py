from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .admin import StaffAdminSite

# Staff sign in with a password and a code from their authenticator app.
admin.site.__class__ = StaffAdminSite
admin.site.site_header = _("Solidarity administration")
admin.site.site_title = _("Solidarity")

# Public pages in the default language keep their plain URLs (/petitions/<slug>/); other
# languages are prefixed (/ru/petitions/<slug>/), so a shared link keeps its language and a
# CDN can cache each language apart.
urlpatterns = [
    path("admin/", admin.site.urls),
    *i18n_patterns(
        path("", include("petitions.urls")),
        path("petitions/<slug:slug>/", include("signatories.urls")),
        prefix_default_language=False,
    ),
]
