"""The staff login: a password and a code from an authenticator app, and the lockout page."""

from django import forms
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm


class CodeInput(forms.TextInput):
    """The code from an authenticator app, never typed back into the form: after a failed
    login it is no use, and showing it would make one failure look unlike another."""

    def format_value(self, value: object) -> None:
        return None


class StaffLoginForm(OTPAdminAuthenticationForm):
    """Password and the code from the staff member's authenticator app, in one step.

    Every failed login gets the same page, byte for byte but for its CSRF token and CSP nonce,
    and counts towards the lockout alike: a right password with a wrong or missing code, or for
    an account that may not use the admin, must not tell whoever is guessing that the password
    was right, nor let them go on guessing codes uncounted.
    """

    error_messages = {
        **OTPAdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the correct username, password and code from your authenticator app."
        ),
    }

    def __init__(self, request: HttpRequest | None = None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["otp_token"].label = _("Code from your authenticator app")
        self.fields["otp_token"].widget = CodeInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        )

    def clean(self) -> dict:
        try:
            return super().clean()
        except ValidationError:
            # django-otp types the password back into the form when only the code was wrong,
            # which would show that the password was right, and the password itself.
            self.fields["password"].widget.render_value = False
            if self.user_cache is not None:
                # The password was right, so Django counted nothing: count it here.
                user_login_failed.send(
                    sender=type(self),
                    credentials={"username": self.cleaned_data.get("username")},
                    request=self.request,
                )
            raise self.get_invalid_login_error() from None

    def clean_otp(self, user: AbstractBaseUser | None) -> None:
        # Staff enrol one authenticator (manage.py enrol_totp): use it rather than ask which.
        if user is not None and not self.cleaned_data.get("otp_device"):
            devices = list(devices_for_user(user))
            if len(devices) == 1:
                self.cleaned_data["otp_device"] = devices[0].persistent_id
        super().clean_otp(user)


@never_cache
def locked_out(request: HttpRequest, *args: object) -> HttpResponse:
    """django-axes' answer to a locked-out login: never stored, like every admin page."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    return render(request, "registration/locked_out.html", status=status)
