from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form came back without its security token, usually because the page was open too long.

    Every form that has one is the admin's (signing refuses other sites by the browser's word
    instead): but for logging out, its address shows it afresh. Nothing typed is shown again.
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    admin_form = match is not None and match.app_name == "admin"
    form_url = request.path if admin_form and match.url_name not in {None, "logout"} else None
    return render(request, "403_csrf.html", {"form_url": form_url}, status=403)
