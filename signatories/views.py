import copy
from collections.abc import Callable
from functools import wraps

from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from petitions.models import Petition, published_letter
from solidarity.caching import public_page
from solidarity.clients import is_cross_site

from . import abuse
from .choices import CONFIRM, WITHDRAW
from .emails import send_confirmation_later
from .forms import SignatoryForm, SignatureForm
from .models import Signature


@csrf_exempt  # the page with the form is the same for everyone: no token; see below
@sensitive_post_parameters("name", "email", "organisation", "comment")
@require_http_methods(["GET", "HEAD", "POST"])
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    """The signing form on a page of its own; sent back, a pending signature stored, its
    confirmation email queued, and a redirect to the thanks page.

    Every valid submission gets the same redirect: a mailbox that already signed stores nothing
    new, and a suspicious signature is stored with flags for moderators, never refused. Another
    site's page may not make its visitors' browsers sign: CSRF tokens would make the letter's
    page differ per visitor, so the browser's own word on where the form came from decides.
    """
    if (petition := published_letter(slug)) is None:
        raise Http404
    if request.method != "POST":
        return sign_page(request, petition)
    if is_cross_site(request):
        return render(request, "signatories/cross_site.html", {"petition": petition}, status=403)
    form = SignatureForm(request.POST)
    if not petition.is_open or not form.is_valid():
        return sign_page_again(request, petition, form)
    signature: Signature = form.save(commit=False)
    signature.petition, signature.source = petition, Signature.Source.WEB
    signature.language = get_language()
    signature.flags = " ".join(form.suspicions() + abuse.client_suspicions(request))
    try:
        stored = signature.sign()
    except IntegrityError:
        if Petition.objects.filter(pk=petition.pk).exists():
            raise
        raise Http404 from None  # deleted a moment ago, while another process still kept it
    if Signature.Flag.HONEYPOT not in signature.flag_list and not signature.email_held:
        send_confirmation_later(signature, stored=stored)
    return redirect("signatories:thanks", slug=petition.slug)


@public_page
def sign_page(request: HttpRequest, petition: Petition) -> HttpResponse:
    """The letter's title and addressee, and the form: for share links (and an embed to come)."""
    form = SignatureForm() if petition.is_open else None
    return render(request, "signatories/sign.html", {"petition": petition, "form": form})


def sign_page_again(request: HttpRequest, petition: Petition, form: SignatureForm) -> HttpResponse:
    """The form sent back for correcting, with what was typed: no copy is kept anywhere."""
    context = {"petition": petition, "form": form.shown_again() if petition.is_open else None}
    status = 400 if petition.is_open else 403
    response = render(request, "signatories/sign.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
@public_page
def letter_page(request: HttpRequest, slug: str, template_name: str) -> HttpResponse:
    """A page about a letter that is the same for everyone: thanks, confirmed, withdrawn."""
    if (petition := published_letter(slug)) is None:
        raise Http404
    return render(request, template_name, {"petition": petition})


def link_page(purpose: str) -> Callable:
    """A page reached from a link in an email, given the signature the link stands for.

    The link is a key: it never leaves the page as a referrer and no cache keeps the page. Every
    broken link (expired, altered, for another letter) gets the same page. The button needs no
    CSRF token: the secret in the URL is what authorises the POST, not a cookie a forged request
    could borrow, and under "no-referrer" browsers send "Origin: null", which the check refuses.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, token: str) -> HttpResponse:
            signature = Signature.objects.from_link(slug, token, purpose)
            if signature is None:
                response = render(request, "signatories/link_not_valid.html", status=404)
            else:
                response = view(request, signature)
            response["Referrer-Policy"] = "no-referrer"
            return response

        return csrf_exempt(never_cache(require_http_methods(["GET", "HEAD", "POST"])(wrapper)))

    return decorate


@link_page(CONFIRM)
def confirm(request: HttpRequest, signature: Signature) -> HttpResponse:
    """Show what will be published, for the signer to correct, and a button that confirms it:
    mail scanners follow links, but never POST. Only the mailbox's owner has this link, so what
    they choose here is what is published, whoever signed with their address first."""
    petition = signature.petition
    if signature.confirmed_at is not None:
        return redirect("signatories:confirmed", slug=petition.slug)
    if not petition.is_open:
        context = {"petition": petition}
        return render(request, "signatories/confirm_closed.html", context, status=403)
    # As it stands, but hidden if any submission of the mailbox asked: what confirming publishes.
    stored = copy.copy(signature)
    stored.hide_name = signature.hide_requested()
    form = SignatoryForm(
        request.POST or None, instance=signature, initial={"hide_name": stored.hide_name}
    )
    if request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        signature.confirm({name: form.cleaned_data[name] for name in form.Meta.fields})
        return redirect("signatories:confirmed", slug=petition.slug)
    context = {
        "petition": petition,
        "form": form.shown_again() if form.errors else form,
        "published": signature if form.is_bound and not form.errors else stored,
    }
    return render(request, "signatories/confirm.html", context, status=400 if form.errors else 200)


@link_page(WITHDRAW)
def withdraw(request: HttpRequest, signature: Signature) -> HttpResponse:
    """Show a button that withdraws the signature, for as long as the letter is published:
    closing a letter stops what adds to it, never a signer taking their name off it."""
    petition = signature.petition
    if request.method == "POST":
        signature.withdraw()
        if petition.status == Petition.Status.DRAFT:  # taken down: its pages are gone
            return render(request, "signatories/withdrawn.html", {"petition": petition})
        return redirect("signatories:withdrawn", slug=petition.slug)
    return render(request, "signatories/withdraw.html", {"petition": petition})
