from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from petitions.models import Petition
from petitions.views import render_letter

from . import abuse
from .emails import send_confirmation_later
from .forms import SignatureForm
from .models import CONFIRM, WITHDRAW, Signature


@sensitive_post_parameters("name", "email", "organisation", "comment")
@require_POST
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    """Store a pending signature, queue its confirmation email, redirect to the thanks page.

    Every valid submission gets the same redirect: a mailbox that already signed stores nothing
    new, and a suspicious signature is stored with flags for moderators, never refused.
    """
    petition = get_object_or_404(Petition.objects.published(), slug=slug)
    if not petition.is_open:
        return render_letter(request, petition, status=403)
    form = SignatureForm(request.POST)
    if not form.is_valid():
        return render_letter(request, petition, form=form.shown_again(), status=400)
    signature: Signature = form.save(commit=False)
    signature.petition, signature.source = petition, Signature.Source.WEB
    signature.language = get_language()
    flags = form.suspicions()
    if abuse.over_rate_limit(request):
        flags.append(Signature.Flag.RATE_LIMITED)
    signature.flags = " ".join(flags)
    if (to_email := signature.sign()) is not None:
        send_confirmation_later(to_email)
    return redirect("signatories:thanks", slug=petition.slug)


@require_safe
@cache_control(public=True, max_age=300)
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """The same page for every signer: it shows nothing about who signed."""
    petition = get_object_or_404(Petition.objects.published(), slug=slug)
    return render(request, "signatories/thanks.html", {"petition": petition})


def link_page(view: Callable) -> Callable:
    """A page reached from a link in an email: the link is a key, so it never leaves the page
    as a referrer and no cache keeps the page.

    Its button needs no CSRF token: the secret in the URL is what authorises the POST, not a
    cookie a forged request could borrow, and under "no-referrer" browsers send "Origin: null",
    which Django's CSRF check would refuse.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return csrf_exempt(never_cache(require_http_methods(["GET", "POST"])(wrapper)))


def link_not_valid(request: HttpRequest) -> HttpResponse:
    """One page for every link that is expired, altered or for another letter."""
    return render(request, "signatories/link_not_valid.html", status=404)


@link_page
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """Show a button that confirms the signature: mail scanners follow links, but never POST."""
    signature = Signature.objects.filter(petition__slug=slug).from_token(
        token, purpose=CONFIRM, max_age=settings.CONFIRMATION_MAX_AGE
    )
    if signature is None:
        return link_not_valid(request)
    if request.method == "POST":
        signature.confirm()
        return redirect("signatories:confirmed", slug=slug)
    return render(request, "signatories/confirm.html", {"petition": signature.petition})


@link_page
def withdraw(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """Show a button that withdraws the signature, for as long as the letter is open."""
    signature = Signature.objects.filter(petition__slug=slug).from_token(
        token, purpose=WITHDRAW, max_age=settings.WITHDRAWAL_MAX_AGE
    )
    if signature is None:
        return link_not_valid(request)
    petition = signature.petition
    if not petition.is_open:
        return render(
            request, "signatories/withdraw_closed.html", {"petition": petition}, status=403
        )
    if request.method == "POST":
        signature.withdraw()
        return redirect("signatories:withdrawn", slug=slug)
    return render(request, "signatories/withdraw.html", {"petition": petition})


@require_safe
@cache_control(public=True, max_age=300)
def confirmed(request: HttpRequest, slug: str) -> HttpResponse:
    petition = get_object_or_404(Petition.objects.published(), slug=slug)
    return render(request, "signatories/confirmed.html", {"petition": petition})


@require_safe
@cache_control(public=True, max_age=300)
def withdrawn(request: HttpRequest, slug: str) -> HttpResponse:
    petition = get_object_or_404(Petition.objects.published(), slug=slug)
    return render(request, "signatories/withdrawn.html", {"petition": petition})
