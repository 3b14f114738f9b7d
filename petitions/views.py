from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from signatories.forms import SignatureForm
from signatories.models import Signature

from .models import Petition


@require_safe
def petition_list(request: HttpRequest) -> HttpResponse:
    """The home page: every letter open for signatures."""
    petitions = [
        (petition, Signature.objects.approved_count(petition))
        for petition in Petition.objects.open().order_by("-created_at")
    ]
    response = render(request, "petitions/petition_list.html", {"petitions": petitions})
    patch_cache_control(response, public=True, max_age=60)
    return response


@require_safe
def petition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A letter, its signatories and, while it is open, the signing form."""
    petition = get_object_or_404(visible_petitions(request), slug=slug)
    return render_letter(request, petition)


def visible_petitions(request: HttpRequest):
    """Staff may preview drafts; everyone else sees published letters only."""
    return Petition.objects.all() if request.user.is_staff else Petition.objects.published()


def render_letter(
    request: HttpRequest, petition: Petition, *, form: SignatureForm | None = None, status=200
) -> HttpResponse:
    """Render the letter page, with a bound form when a signature needs correcting."""
    signatures = petition.signatures.public()
    page = Paginator(
        signatures.filter(notable=False).only(
            "name", "organisation", "country", "comment", "created_at"
        ),
        settings.SIGNATURES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    if form is None and petition.is_open:
        form = SignatureForm()
    context = {
        "petition": petition,
        "count": Signature.objects.approved_count(petition),
        "notables": signatures.filter(notable=True).order_by("sort_order", "pk"),
        "page": page,
        "form": form,
    }
    response = render(request, "petitions/petition_detail.html", context, status=status)
    # A page with a signing form holds a per-visitor CSRF token and a draft is for staff, so only
    # a browser may keep those; a closed letter is the same for everyone and a CDN may serve it.
    if form is None and petition.status != Petition.Status.DRAFT:
        patch_cache_control(response, public=True, max_age=60)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response
