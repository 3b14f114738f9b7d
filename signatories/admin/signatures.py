import logging

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .. import emails, export
from ..addresses import canonical_email, masked, signer_key
from ..forms import BulkRejectForm
from ..models import Signature
from .filters import ConfirmedFilter, FlagFilter, QueueFilter

audit = logging.getLogger("solidarity.audit")
MODERATED = {
    Signature.Status.APPROVED: ngettext_lazy(
        "Approved %(count)d signature.", "Approved %(count)d signatures.", "count"
    ),
    Signature.Status.REJECTED: ngettext_lazy(
        "Rejected %(count)d signature.", "Rejected %(count)d signatures.", "count"
    ),
}


def may_see_addresses(request: HttpRequest) -> bool:
    """Staff who may export signatures see and export full addresses; moderators do not."""
    return request.user.has_perm("signatories.export_signature")


# What a signer typed on the website, which only they may change.
SIGNERS_OWN = ["petition", "name", "email", "organisation", "country", "comment"]


class CappedPaginator(Paginator):
    """Counts a list up to a cap, not a million rows per click: past it, the pages of the first
    rows are offered, and the list says to filter or search to see fewer."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap


def masking_addresses(fields: list[str]) -> list[str]:
    """A fieldset's fields with the address masked and its canonical form left out."""
    masked_fields = {"email": "masked_email"}
    return [masked_fields.get(name, name) for name in fields if name != "email_canonical"]


class SignatureAdminForm(ModelForm):
    """The staff form, which confirms the entries staff type in themselves."""

    def clean(self) -> dict:
        data = super().clean()
        if data.get("source") != Signature.Source.WEB and not data.get("confirmed_at"):
            # Staff vouch for the paper and staff entries they type in.
            data["confirmed_at"] = timezone.now()
        return data


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    form = SignatureAdminForm
    list_display = [
        "name",
        "organisation",
        "country_shown",
        "petition",
        "status",
        "confirmed",
        "hide_name",
        "source",
        "masked_email",
        "flags_shown",
        "email_held",
        "created_at",
    ]
    list_filter = [
        QueueFilter,
        FlagFilter,
        "petition",
        ConfirmedFilter,
        # No date drill-down: it would read every date of the list on each click.
        "created_at",
        "country",
        "hide_name",
        "source",
        "notable",
        "moderated_by",
    ]
    # Names and organisations by their beginning, comments by a word in them, and an address
    # in full only (get_search_results): no moderator can list every "gmail" signer.
    search_fields = ["^name", "^organisation", "comment"]
    search_help_text = _(
        "The beginning of a name or organisation, a word of a comment, or a full email address."
    )
    paginator = CappedPaginator
    list_select_related = ["petition"]
    list_per_page = 100
    # The filtered count is shown; counting the unfiltered table as well is slow when big.
    show_full_result_count = False
    actions = ["approve", "reject", "release_emails", "export_csv"]
    readonly_fields = [
        "masked_email",
        "email_canonical",
        "moderated_at",
        "moderated_by",
        "flags_shown",
        "language",
        "emails_sent",
        "email_held",
    ]
    fieldsets = [
        (None, {"fields": ["petition", "status", "name", "email", "organisation", "country"]}),
        (None, {"fields": ["comment", "hide_name"]}),
        (
            _("Details"),
            {
                "fields": [
                    "source",
                    "created_at",
                    "confirmed_at",
                    "email_canonical",
                    "flags_shown",
                    "language",
                    "emails_sent",
                    "email_held",
                ]
            },
        ),
        (_("Notable signatory"), {"fields": ["notable", "sort_order"]}),
        (_("Moderation"), {"fields": ["moderated_at", "moderated_by"]}),
    ]

    @admin.display(description=_("country"), ordering="country")
    def country_shown(self, signature: Signature) -> str:
        # Django's own column looks the code up among every country's name, on each row.
        return signature.country.name

    @admin.display(description=_("email"))
    def masked_email(self, signature: Signature) -> str:
        return masked(signature.email)

    def get_fieldsets(self, request: HttpRequest, obj: Signature | None = None) -> list:
        """Only staff who may export signatures see full addresses: a moderator sees the
        first character and the domain, and cannot change the address."""
        if obj is None or may_see_addresses(request):
            return self.fieldsets
        return [
            (title, {**options, "fields": masking_addresses(options["fields"])})
            for title, options in self.fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Signature | None = None) -> list:
        """What its signer chose on the website is theirs alone: staff approve or reject it,
        and may hide the name, but never confirm it for them, show a hidden name, or change
        what is published (a signer corrects it by withdrawing and signing again)."""
        fields = list(self.readonly_fields)
        if obj is not None and obj.source == Signature.Source.WEB:
            fields += [*SIGNERS_OWN, "source", "confirmed_at", "created_at"]
            if obj.hide_name:
                fields.append("hide_name")
        return fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """A search that is an email address finds that mailbox's signatures, and only them;
        any other finds the names and organisations that begin with it, and the comments that
        hold it (if three letters or more: the index of comments reads three at a time)."""
        term = " ".join(search_term.split())
        if not term:
            return queryset, False
        if "@" in term and " " not in term:
            return queryset.filter(email_key=signer_key(canonical_email(term))), False
        found = Q(name__istartswith=term) | Q(organisation__istartswith=term)
        if len(term) >= 3:
            found |= Q(comment__icontains=term)
        return queryset.filter(found), False

    @admin.display(description=_("flags"))
    def flags_shown(self, signature: Signature) -> str:
        return ", ".join(signature.flag_labels)

    @admin.display(boolean=True, description=_("confirmed"), ordering="confirmed_at")
    def confirmed(self, signature: Signature) -> bool:
        return signature.confirmed_at is not None

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        # Staff add signatures from paper sheets far more often than anything else.
        return {"source": Signature.Source.PAPER, **super().get_changeform_initial_data(request)}

    def save_model(
        self, request: HttpRequest, obj: Signature, form: ModelForm, change: bool
    ) -> None:
        # A new status, or a change to what an approved signature publishes, is recorded as
        # moderation: who did it, and when (which also tells the counts to look again).
        if "status" in form.changed_data or (obj.status == Signature.Status.APPROVED and change):
            obj.moderated_by, obj.moderated_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return may_see_addresses(request)

    @admin.action(permissions=["change"], description=_("Approve selected signatures"))
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.moderate(request, queryset, Signature.Status.APPROVED)

    @admin.action(permissions=["change"], description=_("Reject selected signatures"))
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.moderate(request, queryset, Signature.Status.REJECTED)

    def moderate(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        unconfirmed = 0
        if status == Signature.Status.APPROVED:
            unconfirmed = queryset.awaiting_confirmation().count()
        count = queryset.moderate(status, by=request.user)
        self.message_user(request, MODERATED[status] % {"count": count}, messages.SUCCESS)
        if unconfirmed:
            message = ngettext_lazy(
                "%(count)d signature was left pending: its signer has not confirmed it yet.",
                "%(count)d signatures were left pending: their signers have not confirmed them.",
                "count",
            )
            self.message_user(request, message % {"count": unconfirmed}, messages.WARNING)

    @admin.action(permissions=["change"], description=_("Send the held confirmation emails"))
    def release_emails(self, request: HttpRequest, queryset: QuerySet) -> None:
        released = queryset.release_held_emails()
        emails.release_later(released)
        message = ngettext_lazy(
            "Released %(count)d held email.", "Released %(count)d held emails.", "count"
        )
        self.message_user(request, message % {"count": len(released)}, messages.SUCCESS)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        # Held emails wait for a moderator: say so on every page of the queue.
        held = Signature.objects.held().count()
        return super().changelist_view(request, {**(extra_context or {}), "held": held})

    @admin.action(permissions=["export"], description=_("Export selected signatures as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """The ticked signatures, written in full before they are sent; for more than a few
        thousand, a letter's own export page writes any number in the background."""
        count = queryset.count()
        if count > export.SELECTED_MAX:
            message = _(
                "%(count)d signatures are too many to export from here: export the letter's "
                "signatures from its own page."
            )
            self.message_user(request, message % {"count": count}, messages.ERROR)
            return None
        audit.info("%s exported %d selected signatures", request.user, count)
        return export.csv_response(queryset, filename=export.filename("selected-signatures"))

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "reject/",
                self.admin_site.admin_view(self.bulk_reject_view),
                name="signatories_signature_bulk_reject",
            ),
            *super().get_urls(),
        ]

    def bulk_reject_view(self, request: HttpRequest) -> HttpResponse:
        """Reject a wave of forgeries at once: by flag, email domain or time.

        The first press shows how many signatures match and a sample; the second rejects them,
        unless the number changed in between.
        """
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = BulkRejectForm(request.POST or None)
        matching = form.matching() if request.method == "POST" and form.is_valid() else None
        count = matching.count() if matching is not None else None
        if count and "reject" in request.POST:
            if form.cleaned_data["expected"] == count:
                rejected = matching.moderate(Signature.Status.REJECTED, by=request.user)
                audit.info("%s rejected %d signatures in bulk", request.user, rejected)
                self.message_user(
                    request, MODERATED[Signature.Status.REJECTED] % {"count": rejected}
                )
                return redirect("admin:signatories_signature_changelist")
            message = _("The number of matching signatures changed. Check them again.")
            self.message_user(request, message, messages.WARNING)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject signatures in bulk"),
            "opts": self.opts,
            "form": form,
            "count": count,
            "sample": matching.select_related("petition")[:20] if count else [],
        }
        return TemplateResponse(request, "admin/signatories/signature/bulk_reject.html", context)
