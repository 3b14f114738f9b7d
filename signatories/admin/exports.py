import logging

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from petitions.models import Petition

from ..choices import STATUS_FILTER_CHOICES, STATUS_FILTER_VALUES
from ..export import build
from ..models import Export
from .signatures import may_see_addresses

audit = logging.getLogger("solidarity.audit")


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    """A letter's signatures as CSV: asked for here, written by the worker, downloaded whole.

    Only staff who may export signatures see exports; they may delete one (its file goes too),
    and each goes by itself after EXPORT_KEEP_HOURS.
    """

    list_display = ["__str__", "state", "progress", "requested_by", "created_at", "download"]
    list_filter = ["state", "petition"]
    list_select_related = ["petition", "requested_by"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_see_addresses(request)

    def has_view_permission(self, request: HttpRequest, obj: Export | None = None) -> bool:
        return may_see_addresses(request)

    def has_delete_permission(self, request: HttpRequest, obj: Export | None = None) -> bool:
        return may_see_addresses(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # from a letter's page: new_view

    def has_change_permission(self, request: HttpRequest, obj: Export | None = None) -> bool:
        return False

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for each in queryset:
            each.delete()  # and its file

    @admin.display(description=_("progress"))
    def progress(self, export: Export) -> str:
        if export.rows_total is None:
            return ""
        return f"{export.rows_written:,} / {export.rows_total:,}"

    @admin.display(description=_("file"))
    def download(self, export: Export) -> str:
        if not export.is_ready:
            return ""
        return format_html('<a href="{}">{}</a>', download_url(export), _("Download CSV"))

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "letter/<int:petition_id>/",
                self.admin_site.admin_view(self.new_view),
                name="signatories_export_new",
            ),
            path(
                "<uuid:reference>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="signatories_export_progress",
            ),
            path(
                "<uuid:reference>/download/",
                self.admin_site.admin_view(self.download_view),
                name="signatories_export_download",
            ),
            *super().get_urls(),
        ]

    def context(self, request: HttpRequest, **values: object) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.opts, **values}

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        Export.objects.purge_expired()  # files of personal data go once past their hours
        return super().changelist_view(request, extra_context)

    def new_view(self, request: HttpRequest, petition_id: int) -> HttpResponse:
        """Ask for one letter's signatures, approved by default; the worker writes them."""
        if not may_see_addresses(request):
            raise PermissionDenied
        petition = get_object_or_404(Petition, pk=petition_id)
        status = request.POST.get("status") or request.GET.get("status") or "approved"
        if status not in STATUS_FILTER_VALUES:
            status = "approved"
        if request.method == "POST":
            new = Export.objects.create(
                petition=petition, status=status, requested_by=request.user
            )
            audit.info("%s exported the %s signatures of %s", request.user, status, petition.slug)
            transaction.on_commit(lambda: build.enqueue(new.pk))
            return redirect("admin:signatories_export_progress", new.reference)
        context = self.context(
            request,
            title=_("Export signatures of %(letter)s") % {"letter": petition},
            petition=petition,
            status=status,
            statuses=STATUS_FILTER_CHOICES,
        )
        return TemplateResponse(request, "admin/signatories/export/new.html", context)

    def progress_view(self, request: HttpRequest, reference: str) -> HttpResponse:
        """How far the export is; the page reloads itself until the file is whole."""
        if not may_see_addresses(request):
            raise PermissionDenied
        Export.objects.purge_expired()
        export = get_object_or_404(Export.objects.select_related("petition"), reference=reference)
        context = self.context(
            request, title=str(export), export=export, download_url=download_url(export)
        )
        response = TemplateResponse(request, "admin/signatories/export/progress.html", context)
        add_never_cache_headers(response)
        return response

    def download_view(self, request: HttpRequest, reference: str) -> FileResponse:
        """The whole file, with its length, so a download cut short shows as failed."""
        if not may_see_addresses(request):
            raise PermissionDenied
        export = get_object_or_404(Export.objects.select_related("petition"), reference=reference)
        if not export.is_ready:
            raise Http404
        audit.info("%s downloaded export #%s", request.user, export.pk)
        response = FileResponse(
            export.path.open("rb"),
            as_attachment=True,
            filename=export.filename,
            content_type="text/csv; charset=utf-8",
        )
        add_never_cache_headers(response)
        return response


def download_url(export: Export) -> str:
    return reverse("admin:signatories_export_download", args=[export.reference])
