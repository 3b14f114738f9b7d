from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from signatories.choices import STATUS_FILTER_CHOICES

from .forms import EditSignedTextForm
from .models import Petition, counts_of, forget_letter


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "approved", "pending", "rejected", "closes_at", "links"]
    list_filter = ["status"]
    search_fields = ["title", "slug", "addressee"]
    prepopulated_fields = {"slug": ["title"]}

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        slugs = list(queryset.values_list("slug", flat=True))
        super().delete_queryset(request, queryset)
        for slug in slugs:
            forget_letter(slug)

    # The counts are the stored ones (`manage.py count_signatures`): no page counts rows.
    list_select_related = ["stored_counts"]

    def get_list_display(self, request: HttpRequest) -> list[str]:
        if request.user.has_perm("signatories.export_signature"):
            return [*self.list_display, "export"]
        return self.list_display

    @admin.display(description=_("approved"), ordering="stored_counts__approved")
    def approved(self, petition: Petition) -> int:
        return counts_of(petition).approved

    @admin.display(description=_("pending"), ordering="stored_counts__pending")
    def pending(self, petition: Petition) -> int:
        return counts_of(petition).pending

    @admin.display(description=_("rejected"), ordering="stored_counts__rejected")
    def rejected(self, petition: Petition) -> int:
        return counts_of(petition).rejected

    @admin.display(description=_("links"))
    def links(self, petition: Petition) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            petition.get_absolute_url(),
            _("public page"),
            signatures_url(petition),
            _("signatures"),
        )

    @admin.display(description=_("export"))
    def export(self, petition: Petition) -> str:
        return format_html('<a href="{}">{}</a>', export_url(petition), _("approved, as CSV"))

    def get_readonly_fields(self, request: HttpRequest, obj: Petition | None = None) -> list[str]:
        # The slug is in every shared link and printed sheet, the text is what people signed.
        if obj is not None and obj.text_is_locked:
            return ["slug", *Petition.TEXT_FIELDS]
        return []

    def get_prepopulated_fields(self, request: HttpRequest, obj: Petition | None = None) -> dict:
        return {} if obj is not None and obj.text_is_locked else self.prepopulated_fields

    def render_change_form(
        self, request: HttpRequest, context: dict, *args, obj: Petition | None = None, **kwargs
    ) -> HttpResponse:
        context.update(
            export_statuses=STATUS_FILTER_CHOICES,
            export_url=obj and export_url(obj),
            can_export=request.user.has_perm("signatories.export_signature"),
            signatures_url=obj and signatures_url(obj),
        )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:petition_id>/edit-text/",
                self.admin_site.admin_view(self.edit_text_view),
                name="petitions_petition_edit_text",
            ),
            *super().get_urls(),
        ]

    def edit_text_view(self, request: HttpRequest, petition_id: int) -> HttpResponse:
        """Change the text of a letter that has signatures, after an explicit confirmation."""
        petition = get_object_or_404(Petition, pk=petition_id)
        if not self.has_change_permission(request, petition):
            raise PermissionDenied
        form = EditSignedTextForm(request.POST or None, instance=petition)
        if request.method == "POST" and form.is_valid():
            form.save()
            changed = [
                str(form.fields[name].label)
                for name in form.changed_data
                if name in Petition.TEXT_FIELDS
            ]
            self.log_change(request, petition, [{"changed": {"fields": changed}}])
            self.message_user(request, _("The letter text was changed."), messages.WARNING)
            return redirect("admin:petitions_petition_change", petition.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Edit the text of a signed letter"),
            "opts": self.opts,
            "original": petition,
            "form": form,
            # Every signature stands under this text, whatever moderators made of it: as the
            # job last counted them, never a million rows counted per click.
            "signature_count": counts_of(petition).signed,
        }
        return TemplateResponse(request, "admin/petitions/petition/edit_text.html", context)


def signatures_url(petition: Petition) -> str:
    return (
        reverse("admin:signatories_signature_changelist")
        + f"?status=all&petition__id__exact={petition.pk}"
    )


def export_url(petition: Petition) -> str:
    return reverse("admin:signatories_export_new", args=[petition.pk])
