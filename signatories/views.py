from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from petitions.models import Petition
from petitions.views import render_letter

from .forms import SignatureForm
from .models import Signature


@require_POST
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    """Store a pending signature and redirect to the thanks page.

    A mailbox that already signed gets exactly the same redirect and nothing is stored, so the
    response never tells anyone whether an address signed.
    """
    petition = get_object_or_404(Petition.objects.published(), slug=slug)
    if not petition.is_open:
        return render_letter(request, petition, status=403)
    form = SignatureForm(request.POST)
    if not form.is_valid():
        return render_letter(request, petition, form=form, status=400)
    signature: Signature = form.save(commit=False)
    signature.petition = petition
    signature.source = Signature.Source.WEB
    signature.save_once()
    return redirect("signatories:thanks", slug=petition.slug)


@require_safe
@cache_control(public=True, max_age=300)
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """The same page for every signer: it shows nothing about who signed."""
    petition = get_object_or_404(Petition.objects.published(), slug=slug)
    return render(request, "signatories/thanks.html", {"petition": petition})
