from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.filters import CountryFilter

from petitions.models import Petition

from . import export
from .models import Signature, forget_counts


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("confirmed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return queryset.filter(confirmed_at__isnull=self.value() == "no")
        return queryset


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
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
        "status",
        "petition",
        ConfirmedFilter,
        ("country", CountryFilter),
        "hide_name",
        "source",
        "notable",
        "moderated_by",
    ]
    search_fields = ["name", "email", "organisation", "comment"]
    date_hierarchy = "created_at"
    list_select_related = ["petition"]
    list_per_page = 100
    # Counting a whole big table on every page view is slow; filtered counts stay.
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

    def get_changeform_initial_data(self, request):
        # Staff add signatures from paper sheets far more often than anything else.
        return {"source": Signature.Source.PAPER, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj: Signature, form, change) -> None:
        if "status" in form.changed_data:
            obj.moderated_by, obj.moderated_at = request.user, timezone.now()
        if not change and obj.source != Signature.Source.WEB and obj.confirmed_at is None:
            # Staff vouch for paper and staff entries themselves.
            obj.confirmed_at = timezone.now()
        super().save_model(request, obj, form, change)
        forget_counts([obj.petition_id])

    def delete_queryset(self, request, queryset) -> None:
        petition_ids = set(queryset.values_list("petition_id", flat=True))
        super().delete_queryset(request, queryset)
        forget_counts(petition_ids)

    def delete_model(self, request, obj: Signature) -> None:
        super().delete_model(request, obj)
        forget_counts([obj.petition_id])

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("signatories.export_signature")

    @admin.action(permissions=["change"], description=_("Approve selected signatures"))
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.moderate(Signature.Status.APPROVED, by=request.user)
        message = ngettext(
            "Approved %(count)d signature.", "Approved %(count)d signatures.", count
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(permissions=["change"], description=_("Reject selected signatures"))
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.moderate(Signature.Status.REJECTED, by=request.user)
        message = ngettext(
            "Rejected %(count)d signature.", "Rejected %(count)d signatures.", count
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(permissions=["export"], description=_("Export selected signatures as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return export.csv_response(queryset, filename=export.filename("selected", "signatures"))

    def get_urls(self):
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
        status = request.GET.get("status", "approved")
        if status not in export.STATUS_CHOICES:
            return HttpResponseBadRequest(_("Unknown status."))
        return export.csv_response(
            petition.signatures.with_status(status),
            filename=export.filename(petition.slug, status),
        )
