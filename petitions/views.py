from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from signatories.counts import letter_counts
from signatories.forms import SignatureForm

from .models import Petition, published_letter


@require_safe
@cache_control(public=True, max_age=60)
def petition_list(request: HttpRequest) -> HttpResponse:
    """The home page: every letter open for signatures."""
    petitions = [
        (petition, letter_counts(petition).approved) for petition in Petition.objects.open()
    ]
    return render(request, "petitions/petition_list.html", {"petitions": petitions})


@require_safe
def petition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A letter, its signatories and, while it is open, the signing form."""
    return render_letter(request, get_letter(request, slug))


def get_letter(request: HttpRequest, slug: str) -> Petition:
    """A published letter, or a draft for staff who may change letters (and logged in with
    their second factor) to preview: a draft may name people before they agreed to be named.

    The session is read only when the slug is no published letter, so public pages never vary
    on the visitor's cookies and a CDN can share them.
    """
    petition = published_letter(slug)
    if petition is None and may_preview_drafts(request.user):
        petition = Petition.objects.filter(slug=slug).first()
    if petition is None:
        raise Http404
    return petition


def may_preview_drafts(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.has_perm("petitions.change_petition") and user.is_verified()


class CountedPaginator(Paginator):
    """A paginator told its count, so a page of a busy letter runs no COUNT query."""

    def __init__(self, object_list: QuerySet, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.count = count


def render_letter(
    request: HttpRequest,
    petition: Petition,
    *,
    form: SignatureForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    """Render the letter page, with a bound form when a signature needs correcting."""
    counts = letter_counts(petition)
    paginator = CountedPaginator(
        petition.signatures.listed(), settings.SIGNATURES_PER_PAGE, count=counts.listed
    )
    if form is None and petition.is_open:
        form = SignatureForm()
    context = {
        "petition": petition,
        "count": counts.approved,
        "notables": petition.signatures.notables(),
        "page": paginator.get_page(request.GET.get("page")),
        "form": form,
        "notice": notice,
    }
    response = render(request, "petitions/petition_detail.html", context, status=status)
    if form is not None and form.is_bound:
        # The form holds what the visitor typed: no copy is kept anywhere.
        patch_cache_control(response, private=True, no_cache=True, no_store=True)
    elif form is not None:
        # The form holds a per-visitor CSRF token.
        patch_cache_control(response, private=True, no_cache=True)
    elif petition.status != Petition.Status.DRAFT:
        # A closed letter is the same for everyone: a CDN may serve it.
        patch_cache_control(response, public=True, max_age=60)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response
