from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


def languages(request: HttpRequest) -> dict:
    """This page in each other language, for the language links in the footer."""
    current = get_language()
    return {
        "other_languages": [
            (code, get_language_info(code)["name_local"], translate_url(request.path, code))
            for code, _name in settings.LANGUAGES
            if code != current
        ]
    }
