from django import forms
from django.utils.translation import gettext_lazy as _

from . import text
from .models import Signature


class SignatureForm(forms.ModelForm):
    """The public signing form. The letter, status and source are never taken from the request."""

    class Meta:
        model = Signature
        fields = ["name", "email", "organisation", "country", "comment", "hide_name"]
        labels = {"email": _("Email address")}
        help_texts = {
            "email": _("Never shown. We use it only to confirm your signature."),
            "organisation": _("Optional."),
            "comment": _("Optional. Shown under your name."),
            "hide_name": _(
                "Your signature is counted, but your name, organisation and comment are not "
                "shown on the website."
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
        self.fields["hide_name"].template_name = "signatories/_checkbox_field.html"

    def clean_name(self) -> str:
        return text.clean_name(self.cleaned_data["name"])

    def clean_organisation(self) -> str:
        return text.clean_line(self.cleaned_data["organisation"])

    def clean_comment(self) -> str:
        return text.clean_paragraphs(self.cleaned_data["comment"])
