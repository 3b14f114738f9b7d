from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django_countries import countries
from django_countries.fields import CountryField, LazyTypedChoiceField


class CountryChoiceField(LazyTypedChoiceField):
    def valid_value(self, value: str) -> bool:
        return value in countries


class CountryCodeField(CountryField):
    """django-countries' field, checking a code by lookup.

    Its own check walks every country's translated name on each validation, twice per signature
    (form and model), which was a tenth of the time it takes to sign.
    """

    def validate(self, value: str, model_instance: models.Model) -> None:
        if value in self.empty_values:
            if not self.blank:
                raise ValidationError(self.error_messages["blank"], code="blank")
        elif value not in countries:
            message = self.error_messages["invalid_choice"]
            raise ValidationError(message, code="invalid_choice", params={"value": value})

    def formfield(self, **kwargs) -> forms.Field:
        return super().formfield(choices_form_class=CountryChoiceField, **kwargs)
