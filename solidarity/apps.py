from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SolidarityConfig(AppConfig):
    """The site and its staff: login with a second factor, staff groups, deploy checks."""

    name = "solidarity"
    verbose_name = _("Site and staff")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
