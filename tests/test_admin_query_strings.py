"""No admin address answers 500, whatever its query string: lists filtered by values no query can
hold, add pages prefilled with values that are not values of their field, on every model's admin,
ours and those of the apps we install."""

import pytest
from django.contrib import admin
from django.db import models

from helpers import page_text
from signatories.export import build
from signatories.models import Export, Signature

# Values that no query can hold, for each way Django's admin filters a list by its address.
LIST_QUERIES = [
    "id=99999999999999999999",
    "id__in=1,99999999999999999999",
    "id__range=",
    "id__range=0",
    "id__gt=x",
    "pk=-99999999999999999999",
    "{date}__year=-1",
    "{date}__year=0",
    "{date}__range=2024-01-01",
    "{date}=2024-13-45",
    "{date}__gte=99999999999999999999",
    "{relation}=99999999999999999999",
    "{relation}__id__exact=abc",
    "{text}__range=x",
    "{text}__in=",
    "q=%C0%AF&o=99",
    "p=-1&all=&e=1",
]


def admin_paths(model: type[models.Model]) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}"


def fields_of(model: type[models.Model]) -> dict[str, str]:
    """A date, a relation and a text field of the model, for the queries above."""
    found = {"date": "id", "relation": "id", "text": "id"}
    for field in model._meta.get_fields():
        if isinstance(field, models.DateField) and found["date"] == "id":
            found["date"] = field.name
        elif field.is_relation and field.name != "id" and found["relation"] == "id":
            found["relation"] = field.name
        elif isinstance(field, models.CharField) and found["text"] == "id":
            found["text"] = field.name
    return found


MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_no_filter_in_a_lists_address_gives_a_server_error(raw_client, admin_client, model):
    raw_client.cookies = admin_client.cookies

    for query in LIST_QUERIES:
        response = raw_client.get(f"{admin_paths(model)}/?{query.format(**fields_of(model))}")

        assert response.status_code < 500, query
        if response.status_code == 400:
            assert "The page could not understand what was sent to it." in page_text(response)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_no_value_in_an_add_pages_address_gives_a_server_error(raw_client, admin_client, model):
    raw_client.cookies = admin_client.cookies
    names = [field.name for field in model._meta.get_fields() if field.concrete]

    for value in ["x", "2024-01-01", "-1", "99999999999999999999", "2024-13-45%2025:61"]:
        query = "&".join(f"{name}={value}" for name in names)
        response = raw_client.get(f"{admin_paths(model)}/add/?{query}")

        assert response.status_code < 500, value


def test_an_add_page_keeps_a_prefilled_date_that_is_a_date(admin_client, letter):
    response = admin_client.get("/admin/signatories/signature/add/?created_at=2024-01-01")

    assert response.status_code == 200
    assert 'value="2024-01-01"' in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/signatories/",
        "/admin/signatories/signature/{signature}/change/",
        "/admin/signatories/signature/{signature}/history/",
        "/admin/signatories/signature/{signature}/delete/",
        "/admin/signatories/export/letter/{letter}/",
        "/admin/signatories/export/{export}/progress/",
        "/admin/signatories/export/{export}/download/",
        "/admin/signatories/signature/reject/",
        "/admin/petitions/petition/{letter}/change/",
        "/admin/petitions/petition/{letter}/edit-text/",
        "/admin/password_change/",
        "/admin/login/",
    ],
)
def test_no_query_string_on_any_other_admin_page_gives_a_server_error(
    raw_client, admin_client, letter, make_signature, path
):
    raw_client.cookies = admin_client.cookies
    signature = make_signature(letter)
    done = Export.objects.create(petition=letter)
    build.call(done.pk)
    url = path.format(signature=signature.pk, letter=letter.pk, export=done.reference)

    assert raw_client.get(url).status_code in {200, 302}  # the page itself is there to try
    for query in ["_changelist_filters=id__range%3D0", "_to_field=email&_popup=1", "status=x",
                  "next=%C0", "p=-1", "created_at=2024-13-45", "o=-99"]:  # fmt: skip
        assert raw_client.get(f"{url}?{query}").status_code < 500, query
    assert Signature.objects.get() == signature
