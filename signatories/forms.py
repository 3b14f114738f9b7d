from django import forms
from django.utils.translation import gettext_lazy as _

from . import text
from .models import Signature


class PlainTextField(forms.CharField):
    """Text from the public: NFC-normalised, with hidden and control characters refused."""

    multiline = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.validators.append(
            text.validate_multiline if self.multiline else text.validate_single_line
        )

    def to_python(self, value):
        return text.normalise(super().to_python(value), multiline=self.multiline)


class MultilineTextField(PlainTextField):
    multiline = True


class SignatureForm(forms.ModelForm):
    """The public signing form. The letter, status and source are never taken from the request."""

    class Meta:
        model = Signature
        fields = ["name", "email", "organisation", "country", "comment", "hide_name"]
        field_classes = {
            "name": PlainTextField,
            "organisation": PlainTextField,
            "comment": MultilineTextField,
        }
        labels = {"email": _("Email address")}
        help_texts = {
            "email": _("Never shown. We use it only to confirm your signature."),
            "comment": _("Optional. Shown under your name."),
            "hide_name": _(
                "Your signature is counted, but your name, organisation and comment "
                "are not shown on the website."
            ),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "country": forms.Select(attrs={"autocomplete": "country"}),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Optional on the model for paper and staff entries, required from the public.
        self.fields["email"].required = True
        self.fields["country"].required = True
        self.fields["name"].validators.append(text.validate_name)
        self.fields["hide_name"].template_name = "signatories/_checkbox_field.html"
