import logging
from collections.abc import Iterator

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from petitions.models import Petition

from . import export
from .models import STATUS_FILTER_CHOICES, STATUS_FILTER_VALUES, Signature, forget_counts

audit = logging.getLogger("solidarity.audit")
MODERATED = {
    Signature.Status.APPROVED: ngettext_lazy(
        "Approved %(count)d signature.", "Approved %(count)d signatures.", "count"
    ),
    Signature.Status.REJECTED: ngettext_lazy(
        "Rejected %(count)d signature.", "Rejected %(count)d signatures.", "count"
    ),
}


class CheckedSelectionMixin:
    """Refuse a bulk action on ids that are not ids, which Django's admin would let crash."""

    def response_action(
        self, request: HttpRequest, queryset: QuerySet, **kwargs
    ) -> HttpResponse | None:
        if not all(pk.isdigit() for pk in request.POST.getlist(ACTION_CHECKBOX_NAME)):
            raise BadRequest("Selected ids must be numbers")
        return super().response_action(request, queryset, **kwargs)


class QueueFilter(admin.SimpleListFilter):
    """Status, opening on the pending queue so a page never scans the whole table unasked."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return STATUS_FILTER_CHOICES

    def value(self) -> str:
        return super().value() or Signature.Status.PENDING

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.with_status(self.value())

    def choices(self, changelist: ChangeList) -> Iterator[dict]:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("confirmed")
    parameter_name = "confirmed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in {"yes", "no"}:
            return queryset.filter(confirmed_at__isnull=self.value() == "no")
        return queryset


@admin.register(Signature)
class SignatureAdmin(CheckedSelectionMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "organisation",
        "country",
        "petition",
        "status",
        "confirmed",
        "hide_name",
        "source",
        "created_at",
    ]
    list_filter = [
        QueueFilter,
        "petition",
        ConfirmedFilter,
        "country",
        "hide_name",
        "source",
        "notable",
        "moderated_by",
    ]
    search_fields = ["name", "email", "organisation", "comment"]
    date_hierarchy = "created_at"
    list_select_related = ["petition"]
    list_per_page = 100
    # The filtered count is shown; counting the unfiltered table as well is slow when big.
    show_full_result_count = False
    actions = ["approve", "reject", "export_csv"]
    readonly_fields = ["email_canonical", "moderated_at", "moderated_by"]
    fieldsets = [
        (None, {"fields": ["petition", "status", "name", "email", "organisation", "country"]}),
        (None, {"fields": ["comment", "hide_name"]}),
        (_("Record"), {"fields": ["source", "created_at", "confirmed_at", "email_canonical"]}),
        (_("Notable signatory"), {"fields": ["notable", "sort_order"]}),
        (_("Moderation"), {"fields": ["moderated_at", "moderated_by"]}),
    ]

    @admin.display(boolean=True, description=_("confirmed"), ordering="confirmed_at")
    def confirmed(self, signature: Signature) -> bool:
        return signature.confirmed_at is not None

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        # Staff add signatures from paper sheets far more often than anything else.
        return {"source": Signature.Source.PAPER, **super().get_changeform_initial_data(request)}

    def save_model(
        self, request: HttpRequest, obj: Signature, form: ModelForm, change: bool
    ) -> None:
        if "status" in form.changed_data:
            obj.moderated_by, obj.moderated_at = request.user, timezone.now()
        if not change and obj.source != Signature.Source.WEB and obj.confirmed_at is None:
            # Staff vouch for paper and staff entries themselves.
            obj.confirmed_at = timezone.now()
        super().save_model(request, obj, form, change)
        forget_counts([obj.petition_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        petition_ids = set(queryset.order_by().values_list("petition_id", flat=True))
        super().delete_queryset(request, queryset)
        forget_counts(petition_ids)

    def delete_model(self, request: HttpRequest, obj: Signature) -> None:
        super().delete_model(request, obj)
        forget_counts([obj.petition_id])

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("signatories.export_signature")

    @admin.action(permissions=["change"], description=_("Approve selected signatures"))
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.moderate(request, queryset, Signature.Status.APPROVED)

    @admin.action(permissions=["change"], description=_("Reject selected signatures"))
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.moderate(request, queryset, Signature.Status.REJECTED)

    def moderate(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        count = queryset.moderate(status, by=request.user)
        self.message_user(request, MODERATED[status] % {"count": count}, messages.SUCCESS)

    @admin.action(permissions=["export"], description=_("Export selected signatures as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        audit.info("%s exported %d selected signatures", request.user, queryset.count())
        return export.csv_response(queryset, filename=export.filename("selected-signatures"))

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "export/<int:petition_id>/",
                self.admin_site.admin_view(self.export_view),
                name="signatories_signature_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest, petition_id: int) -> HttpResponse:
        """One letter's signatures as CSV, filtered by ?status= (approved by default)."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        petition = get_object_or_404(Petition, pk=petition_id)
        status = request.GET.get("status", Signature.Status.APPROVED)
        if status not in STATUS_FILTER_VALUES:
            return HttpResponseBadRequest(_("Unknown status."))
        audit.info("%s exported the %s signatures of %s", request.user, status, petition.slug)
        return export.csv_response(
            petition.signatures.with_status(status),
            filename=export.filename(f"{petition.slug}-{status}"),
        )
