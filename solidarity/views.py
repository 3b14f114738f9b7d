from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from petitions.models import Petition
from petitions.views import render_letter


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form came back without its security token, usually because the page was open too long.

    A signature is offered a fresh form on its letter, any other form a link to its page;
    nothing that was typed is shown again.
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is not None and match.view_name == "signatories:sign":
        petition = Petition.objects.published().filter(slug=match.kwargs["slug"]).first()
        if petition is not None:
            notice = _("The form had expired, so nothing was saved. Please sign again below.")
            return render_letter(request, petition, notice=notice, status=403)
    # Every other form is the admin's, and but for logging out its address shows it afresh.
    admin_form = match is not None and match.app_name == "admin"
    form_url = request.path if admin_form and match.url_name not in {None, "logout"} else None
    return render(request, "403_csrf.html", {"form_url": form_url}, status=403)
