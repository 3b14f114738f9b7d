from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpers import login_with_second_factor, page_text
from petitions.models import Petition
from signatories.models import Signature


def petition_form_data(petition: Petition, **overrides) -> dict:
    return {
        "slug": petition.slug,
        "title": petition.title,
        "addressee": petition.addressee,
        "body": petition.body,
        "closing": petition.closing,
        "goal": petition.goal or "",
        "status": petition.status,
    } | overrides


def test_letter_list_shows_the_stored_counts_by_status_and_links(
    organiser_client, letter, make_signature, counted
):
    make_signature(letter)
    make_signature(letter)
    make_signature(letter, status=Signature.Status.PENDING)
    counted()

    with CaptureQueriesContext(connection) as queries:
        response = organiser_client.get("/admin/petitions/petition/")

    [row] = response.context["cl"].result_list
    counts = row.stored_counts
    assert (counts.approved, counts.pending, counts.rejected) == (2, 1, 0)
    assert not [q for q in queries if "signatories_signature" in q["sql"]]  # nothing counted
    html = response.content.decode()
    assert 'href="/petitions/ukteshbayev-open-letter/"' in html
    assert (
        f'href="/admin/signatories/signature/?status=all&amp;petition__id__exact={letter.pk}"'
        in html
    )
    assert f'href="/admin/signatories/export/letter/{letter.pk}/"' in html


def test_change_page_offers_the_export_to_organisers_only(
    client, staff_user, letter, make_signature
):
    make_signature(letter)
    url = f"/admin/petitions/petition/{letter.pk}/change/"
    export_url = f"/admin/signatories/export/letter/{letter.pk}/"

    login_with_second_factor(client, staff_user("Organisers"))
    organiser_page = client.get(url).content.decode()
    login_with_second_factor(client, staff_user("Moderators"))
    moderator_page = client.get(url).content.decode()

    assert export_url in organiser_page
    assert 'name="status" form="export-form"' in organiser_page
    assert export_url not in moderator_page


def test_unsigned_letter_text_can_be_edited(organiser_client, letter):
    response = organiser_client.post(
        f"/admin/petitions/petition/{letter.pk}/change/",
        petition_form_data(letter, body="A corrected text."),
    )

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.body == "A corrected text."


def test_signed_letter_text_is_locked_in_the_change_form(organiser_client, letter, make_signature):
    make_signature(letter)
    original = letter.body

    response = organiser_client.post(
        f"/admin/petitions/petition/{letter.pk}/change/",
        petition_form_data(letter, body="Sneakily changed.", slug="new-slug", goal=2000),
    )

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.body == original
    assert letter.slug == "ukteshbayev-open-letter"
    assert letter.goal == 2000  # everything but the text and slug stays editable


def test_the_warning_counts_every_signature_whatever_moderators_made_of_it(
    organiser_client, letter, make_signature, counted
):
    for status in Signature.Status.values:
        make_signature(letter, status=status)
    counted()

    page = organiser_client.get(f"/admin/petitions/petition/{letter.pk}/edit-text/")

    assert f"{len(Signature.Status.values)} people signed the current text." in page_text(page)


def test_signed_text_changes_only_through_the_deliberate_step(
    organiser_client, letter, make_signature, counted
):
    make_signature(letter)
    counted()
    url = f"/admin/petitions/petition/{letter.pk}/edit-text/"
    fields = {
        "title": letter.title,
        "addressee": letter.addressee,
        "body": "Corrected text.",
        "closing": letter.closing,
    }

    page = organiser_client.get(url)
    unconfirmed = organiser_client.post(url, fields)
    letter.refresh_from_db()
    assert "1 person signed the current text." in page_text(page)
    assert unconfirmed.status_code == 200
    assert letter.body != "Corrected text."

    confirmed = organiser_client.post(url, {**fields, "understood": "on"})

    assert confirmed.status_code == 302
    letter.refresh_from_db()
    assert letter.body == "Corrected text."
    entry = LogEntry.objects.get(object_id=str(letter.pk))
    assert "Letter text" in entry.get_change_message()


def test_moderators_cannot_edit_the_signed_text(moderator_client, letter, make_signature):
    make_signature(letter)

    response = moderator_client.post(
        f"/admin/petitions/petition/{letter.pk}/edit-text/",
        {"title": "x", "body": "Changed", "understood": "on"},
    )

    assert response.status_code == 403
    letter.refresh_from_db()
    assert letter.body != "Changed"


def test_letter_with_signatures_cannot_be_deleted(admin_client, letter, make_signature):
    make_signature(letter)

    response = admin_client.post(f"/admin/petitions/petition/{letter.pk}/delete/", {"post": "yes"})

    assert Petition.objects.filter(pk=letter.pk).exists()
    assert "would require deleting the following protected related objects" in page_text(response)
