from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Solidarity administration")
admin.site.site_title = _("Solidarity")

urlpatterns = [
    path("", include("petitions.urls")),
    path("petitions/<slug:slug>/", include("signatories.urls")),
    path("admin/", admin.site.urls),
]
