from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe

from signatories.forms import SignatureForm
from signatories.querysets import cursor_of
from solidarity.caching import public_page

from .models import Petition, counts_of, published_letter

# What a letter's address may carry: where the public list is read from.
LIST_PARAMETER = "older"
# How long each process keeps the parts of a letter's page that list signatories, at most: they
# are rendered again as soon as the stored counts show a change, and within this time of one
# the counting job does not see (a letter closed long ago).
FRAGMENT_SECONDS = 60


@require_safe
@public_page
def petition_list(request: HttpRequest) -> HttpResponse:
    """The home page: every letter open for signatures, with its stored count."""
    petitions = Petition.objects.open().select_related("stored_counts")
    context = {"petitions": [(petition, counts_of(petition).approved) for petition in petitions]}
    return render(request, "petitions/petition_list.html", context)


@require_safe
def petition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A letter, its signatories and, while it is open, the signing form: the same page for
    every visitor, kept by every cache on the way; a draft only for its editors to preview."""
    petition = published_letter(slug)
    if petition is None:
        return draft_preview(request, slug)
    if set(request.GET) - {LIST_PARAMETER} or request.GET.get(LIST_PARAMETER) == "":
        # Anything else would be another copy of the page to render and keep.
        older = request.GET.get(LIST_PARAMETER)
        query = f"?{LIST_PARAMETER}={older}" if older else ""
        return redirect(request.path + query)
    return shared_letter(request, petition)


@public_page
def shared_letter(request: HttpRequest, petition: Petition) -> HttpResponse:
    return letter_response(request, petition, keep_seconds=FRAGMENT_SECONDS)


def draft_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """A draft, for staff who may change letters (and logged in with their second factor): a
    draft may name people before they agreed to be named. Only here is the session read, and
    nothing of the page is kept, for staff or for the public."""
    petition = None
    if may_preview_drafts(request.user):
        petition = Petition.objects.filter(slug=slug).first()
    if petition is None:
        raise Http404
    response = letter_response(request, petition, keep_seconds=0)
    patch_cache_control(response, private=True, no_store=True)
    return response


def letter_response(
    request: HttpRequest, petition: Petition, *, keep_seconds: int
) -> HttpResponse:
    page = ListPage(petition, request.GET.get(LIST_PARAMETER))
    if not page.is_valid:
        return redirect(petition.get_absolute_url())
    context = letter_context(petition, page) | {"keep_seconds": keep_seconds}
    return render(request, "petitions/petition_detail.html", context)


def may_preview_drafts(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.has_perm("petitions.change_petition") and user.is_verified()


def letter_context(petition: Petition, page: "ListPage") -> dict:
    counts = counts_of(petition)
    return {
        "petition": petition,
        "count": counts.approved,
        # The list is kept until the stored counts show it changed (see the template).
        "list_version": counts.version,
        "notables": petition.signatures.notables(),
        "page": page,
        "form": SignatureForm() if petition.is_open else None,
    }


class ListPage:
    """One page of the public list, read from the index where the page before it ended: the
    thousandth page costs what the first does. Read only when the template needs it, so a
    list kept by the template's cache costs no query."""

    def __init__(self, petition: Petition, older: str | None) -> None:
        self.petition, self.older = petition, older
        self.size = settings.SIGNATURES_PER_PAGE

    @cached_property
    def _listed(self) -> object:
        listed = self.petition.signatures.listed()
        return listed.older_than(self.older) if self.older else listed

    @property
    def is_valid(self) -> bool:
        try:
            self._listed  # noqa: B018  (parses the cursor)
        except ValueError:
            return False
        return True

    @cached_property
    def _rows(self) -> list:
        return list(self._listed[: self.size + 1])

    @property
    def signatures(self) -> list:
        return self._rows[: self.size]

    @property
    def older_cursor(self) -> str | None:
        """Where the next page starts, if there is one."""
        return cursor_of(self._rows[self.size - 1]) if len(self._rows) > self.size else None
