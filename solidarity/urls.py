from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

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
