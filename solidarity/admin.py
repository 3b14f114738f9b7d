"""The admin site: staff log in with a second factor, and no address or form input crashes it."""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.db import DatabaseError, models
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from .login import StaffLoginForm

# The largest id a database column of ids holds, and the parts of a date in a list's address
# with the values Django's date drill-down can take (it looks one year past the one chosen).
MAX_ID = 2**63 - 1
DATE_PARTS = {"year": range(1, 9999), "month": range(1, 13), "day": range(1, 32)}


def is_number_in(value: str, numbers: range) -> bool:
    return value.isascii() and value.isdecimal() and len(value) < 20 and int(value) in numbers


class CheckedChangeList(ChangeList):
    """A list page whose filters from the address fail as a 400, not a 500.

    Django's admin filters by any field named in the address (`?id__range=`,
    `?created_at__year=-1`, `?user=99999999999999999999`); a value that no query can hold only
    fails when the list is counted.
    """

    def get_results(self, request: HttpRequest) -> None:
        try:
            super().get_results(request)
        except (
            DatabaseError,
            LookupError,
            OverflowError,
            TypeError,
            ValidationError,
            ValueError,
        ) as e:
            raise BadRequest("A filter in the address cannot be applied") from e


class CheckedInputMixin:
    """Answer 400 to admin input that Django's admin would let crash: filters and dates in a
    list's address that no query can hold, and ticked ids that are not ids. An add page's
    values from the address (`?created_at=2024-01-01`) are used only where they are values of
    their field. The site gives every model's admin this."""

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return CheckedChangeList

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        """Filter a list by its own filters only. Django's admin would also filter by any field
        of the model named in the address, so that whoever may see the list could find out
        values it does not show them, a character at a time (?email__startswith=a). (No admin
        here has a raw-id popup limited by `limit_choices_to`, whose lookups this refuses too.)
        """
        offered = {self.date_hierarchy}
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                offered.add(item.parameter_name)
            else:
                offered.add(item[0] if isinstance(item, (list, tuple)) else item)
        field = lookup.split(LOOKUP_SEP)[0]
        return field in offered and super().lookup_allowed(lookup, value, request)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if isinstance(field, models.DateTimeField):
                try:
                    initial[name] = forms.DateTimeField().clean(value)
                except ValidationError:
                    del initial[name]
        return initial

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        if self.date_hierarchy:
            for part, numbers in DATE_PARTS.items():
                value = request.GET.get(f"{self.date_hierarchy}__{part}")
                if value is not None and not is_number_in(value, numbers):
                    raise BadRequest("A date in the address is out of range")
        return super().changelist_view(request, extra_context)

    def response_action(
        self, request: HttpRequest, queryset: QuerySet, **kwargs
    ) -> HttpResponse | None:
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(is_number_in(pk, range(MAX_ID + 1)) for pk in selected):
            raise BadRequest("Selected ids must be numbers")
        return super().response_action(request, queryset, **kwargs)


class StaffAdminSite(OTPAdminSite):
    """The admin, for staff who signed in with a password and a second factor."""

    name = "admin"  # django-otp names its site "otpadmin"; every admin URL here is "admin:..."
    site_header = _("Solidarity administration")
    site_title = _("Solidarity")
    login_form = StaffLoginForm
    login_template = "admin/staff_login.html"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def register(
        self, model_or_iterable: object, admin_class: type | None = None, **options
    ) -> None:
        """Register a model's admin, with the checks on its input, whoever wrote it."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, CheckedInputMixin):
            attributes = {"__module__": admin_class.__module__}
            admin_class = type(admin_class.__name__, (CheckedInputMixin, admin_class), attributes)
        super().register(model_or_iterable, admin_class, **options)
