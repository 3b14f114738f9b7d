from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class StaffLoginForm(OTPAdminAuthenticationForm):
    """Password and the code from the staff member's authenticator app, in one step."""

    def __init__(self, request: HttpRequest | None = None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["otp_token"].label = _("Code from your authenticator app")
        self.fields["otp_token"].widget.attrs.update(
            autocomplete="one-time-code", inputmode="numeric"
        )

    def clean_otp(self, user: object) -> None:
        # Staff enrol one authenticator (manage.py enrol_totp): use it rather than ask which.
        if user is not None and not self.cleaned_data.get("otp_device"):
            devices = list(devices_for_user(user))
            if len(devices) == 1:
                self.cleaned_data["otp_device"] = devices[0].persistent_id
        super().clean_otp(user)


class StaffAdminSite(OTPAdminSite):
    """The admin, for staff who signed in with a password and a second factor."""

    login_form = StaffLoginForm
    login_template = "admin/staff_login.html"
