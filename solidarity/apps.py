from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class SolidarityConfig(AppConfig):
    """The site and its staff: login with a second factor, staff groups, deploy checks."""

    name = "solidarity"
    default = True
    verbose_name = _("Site and staff")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the site that asks staff for a second factor."""

    default = False
    default_site = "solidarity.admin.StaffAdminSite"
