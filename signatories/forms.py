from typing import ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from email_validator import EmailNotValidError, validate_email

from petitions.models import Petition

from . import abuse, text
from .choices import FLAG_FILTER_CHOICES
from .models import Signature
from .querysets import SignatureQuerySet


class LineField(forms.CharField):
    """One line from the public, composed (NFC) before its length is checked."""

    default_validators = [text.validate_line]

    def to_python(self, value: object) -> str:
        return text.normalise_line(super().to_python(value))


class ParagraphsField(forms.CharField):
    """Text with line breaks, normalised before its length is checked."""

    default_validators = [text.validate_paragraphs]

    def to_python(self, value: object) -> str:
        return text.normalise_paragraphs(super().to_python(value))


class CountrySelect(forms.Select):
    """The list of countries, rendered once per language (and value) and kept by each process:
    its 250 options were most of the time it took to render a letter's page."""

    rendered: ClassVar[dict[tuple, str]] = {}

    def render(
        self, name: str, value: object, attrs: dict | None = None, renderer: object = None
    ) -> str:
        attributes = tuple(sorted(self.build_attrs(self.attrs, attrs).items()))
        key = (get_language(), name, str(value or ""), attributes)
        if key not in self.rendered:
            if len(self.rendered) > 1000:  # a value per country and language at most, or junk
                self.rendered.clear()
            self.rendered[key] = super().render(name, value, attrs, renderer)
        return self.rendered[key]


class SignatoryForm(forms.ModelForm):
    """What a signer says of themselves, as it will be published: the signing form asks for it,
    and the confirmation page lets the signer correct it."""

    class Meta:
        model = Signature
        fields = ["name", "organisation", "country", "comment", "hide_name"]
        field_classes = {"name": LineField, "organisation": LineField, "comment": ParagraphsField}
        error_messages = {
            # Django's own message repeats what was sent, and that may hide characters.
            "country": {"invalid_choice": _("Please choose a country from the list.")}
        }
        help_texts = {
            "organisation": _("Optional."),
            "comment": _("Optional. Shown under your name."),
            "hide_name": _(
                "Your signature is counted, but your name, organisation and comment are not "
                "shown on the website."
            ),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "country": CountrySelect(attrs={"autocomplete": "country"}),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Optional on the model for paper and staff entries, required from the public.
        self.fields["country"].required = True
        self.fields["hide_name"].template_name = "signatories/_checkbox_field.html"

    def clean_name(self) -> str:
        text.validate_name(self.cleaned_data["name"])
        return self.cleaned_data["name"]

    def shown_again(self) -> "SignatoryForm":
        """This refused form, to show again with what was typed, less what hides itself."""
        self.data = self.data.copy()
        for name in self.fields:
            self.data.setlist(
                name, [text.without_hidden_characters(v) for v in self.data.getlist(name)]
            )
        return self


class SignatureForm(SignatoryForm):
    """The public signing form. The letter, status and source are never taken from the request."""

    # Two quiet checks: a field people cannot see (bots fill it in), and when the form was shown.
    extra_reference = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta(SignatoryForm.Meta):
        fields = ["name", "email", "organisation", "country", "comment", "hide_name"]
        labels = {"email": _("Email address")}
        help_texts = {
            **SignatoryForm.Meta.help_texts,
            "email": _("Never shown. We email you a link to confirm or withdraw your signature."),
        }
        widgets = {
            **SignatoryForm.Meta.widgets,
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["extra_reference"].template_name = "signatories/_honeypot_field.html"
        if not self.is_bound:
            self.fields["started"].initial = abuse.form_started()
        self.email_domain = ""

    def clean_email(self) -> str:
        """Stored as typed, once it is plainly an address that can receive mail: no
        "localhost", no IP address, no domain without a dot."""
        address = self.cleaned_data["email"]
        try:
            self.email_domain = validate_email(address, check_deliverability=False).domain
        except EmailNotValidError:
            raise ValidationError(
                _("Enter an email address that can receive mail, such as name@example.org."),
                code="undeliverable",
            ) from None
        return address

    def validate_constraints(self) -> None:
        """Nothing to check before the insert: the form never tells whether an address signed,
        so the one rule a submission could break (one signature per mailbox, where a letter
        waives confirmation) is the database's to enforce, and signing reads its refusal
        (`Signature.sign`). Checking each constraint here was a twentieth of signing's time."""

    def suspicions(self) -> list[str]:
        """Why this signature looks automated or forged, if it does; never told to the signer."""
        flags = []
        if self.cleaned_data["extra_reference"]:
            flags.append(Signature.Flag.HONEYPOT)
        seconds = abuse.seconds_to_fill(self.cleaned_data["started"])
        if seconds is None or seconds < settings.SIGNING_MIN_SECONDS:
            flags.append(Signature.Flag.TOO_FAST)
        if abuse.mixes_scripts(self.cleaned_data["name"]):
            flags.append(Signature.Flag.LOOKALIKE_NAME)
        if abuse.mixes_scripts(self.email_domain):
            flags.append(Signature.Flag.LOOKALIKE_DOMAIN)
        return flags


class BulkRejectForm(forms.Form):
    """Which signatures to reject together. Rejected ones are left out: nothing to undo there."""

    petition = forms.ModelChoiceField(
        Petition.objects.all(), required=False, label=_("Letter"), empty_label=_("All letters")
    )
    flag = forms.ChoiceField(
        choices=[("", _("Flagged or not")), *FLAG_FILTER_CHOICES], required=False, label=_("Flag")
    )
    email_domain = forms.CharField(
        required=False,
        max_length=253,
        label=_("Email domain"),
        help_text=_("Everything after the @, e.g. spam.example"),
    )
    signed_after = forms.DateTimeField(
        required=False,
        label=_("Signed at or after"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    signed_before = forms.DateTimeField(
        required=False,
        label=_("Signed before"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    expected = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        criteria = ["flag", "email_domain", "signed_after", "signed_before"]
        if not any(data.get(name) for name in criteria):
            raise ValidationError(
                _("Choose a flag, an email domain or a time: not every signature at once."),
                code="no_criteria",
            )
        return data

    def matching(self) -> SignatureQuerySet:
        criteria = {name: self.cleaned_data[name] for name in self.fields if name != "expected"}
        return Signature.objects.matching_wave(**criteria)
