"""The moderation queue's filters: where a signature stands, and why it looks suspicious."""

from collections.abc import Iterator

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..choices import FLAG_FILTER_CHOICES, STATUS_FILTER_CHOICES


class QueueFilter(admin.SimpleListFilter):
    """Where signatures stand, opening on the moderation queue: pending signatures that their
    signers confirmed. No page scans the whole table unless asked to."""

    title = _("stage")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [
            ("queue", _("Awaiting moderation")),
            ("unconfirmed", _("Awaiting confirmation")),
            ("held", _("Confirmation email held")),
            *[(value, label) for value, label in STATUS_FILTER_CHOICES if value != "pending"],
        ]

    def value(self) -> str:
        return super().value() or "queue"

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "queue":
            return queryset.awaiting_moderation()
        if self.value() == "unconfirmed":
            return queryset.awaiting_confirmation()
        if self.value() == "held":
            return queryset.held()
        return queryset.with_status(self.value())

    def choices(self, changelist: ChangeList) -> Iterator[dict]:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class FlagFilter(admin.SimpleListFilter):
    """Why signatures look suspicious: any reason, none, or one."""

    title = _("flag")
    parameter_name = "flag"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return FLAG_FILTER_CHOICES

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.with_flag(self.value()) if self.value() else queryset


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("confirmed")
    parameter_name = "confirmed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in {"yes", "no"}:
            return queryset.filter(confirmed_at__isnull=self.value() == "no")
        return queryset
