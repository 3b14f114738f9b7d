from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Petition


class EditSignedTextForm(forms.ModelForm):
    """The deliberate step for changing a letter people have already signed."""

    understood = forms.BooleanField(
        label=_("I understand that people signed the current text and may not agree with mine."),
    )

    class Meta:
        model = Petition
        fields = list(Petition.TEXT_FIELDS)
