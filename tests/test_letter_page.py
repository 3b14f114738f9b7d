import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpers import page_text
from petitions.models import Petition


def test_letter_page_shows_addressee_text_and_closing(client, letter):
    response = client.get("/petitions/ukteshbayev-open-letter/")

    assert response.status_code == 200
    text = page_text(response)
    assert "To the Kazakhstan Government and Authorities" in text
    assert "We call on the government to let him return." in text
    assert "In all sincerity," in text
    # Paragraphs of the letter stay paragraphs.
    assert "<p>We are watching.</p>" in response.content.decode()


def test_notable_signatories_are_listed_in_their_order_under_the_letter(
    client, letter, make_signature
):
    make_signature(
        letter, name="Peter Taaffe", notable=True, sort_order=3, source="staff", email=""
    )
    make_signature(
        letter, name="Andrey Hunko", notable=True, sort_order=1, source="staff", email=""
    )
    make_signature(
        letter, name="Jeremy Corbyn", notable=True, sort_order=2, source="staff", email=""
    )

    text = page_text(client.get("/petitions/ukteshbayev-open-letter/"))

    closing = text.index("In all sincerity,")
    assert closing < text.index("Andrey Hunko") < text.index("Jeremy Corbyn")
    assert (
        text.index("Jeremy Corbyn") < text.index("Peter Taaffe") < text.index("Sign this letter")
    )


def test_notable_signatories_without_an_order_keep_the_order_they_were_added(
    client, letter, make_signature
):
    now = timezone.now()
    make_signature(letter, name="Added Second", notable=True, created_at=now)
    make_signature(letter, name="Added First", notable=True, created_at=now - timedelta(hours=1))

    text = page_text(client.get("/petitions/ukteshbayev-open-letter/"))

    assert text.index("Added First") < text.index("Added Second")


def test_signatures_are_listed_newest_first_with_organisation_country_and_comment(
    client, letter, make_signature
):
    now = timezone.now()
    make_signature(letter, name="Older Signer", created_at=now - timedelta(days=2))
    make_signature(
        letter,
        name="Newer Signer",
        organisation="Unite",
        country="GB",
        comment="Solidarity from Leeds.",
        created_at=now - timedelta(days=1),
    )

    text = page_text(client.get("/petitions/ukteshbayev-open-letter/"))

    assert "Newer Signer, Unite (United Kingdom) Solidarity from Leeds." in text
    assert text.index("Newer Signer") < text.index("Older Signer")


def test_letter_shows_its_stored_count_and_progress_towards_the_goal(
    client, letter, make_signature, counted
):
    for _ in range(3):
        make_signature(letter)
    counted()

    response = client.get("/petitions/ukteshbayev-open-letter/")

    assert "3 signatures of a goal of 1,000" in page_text(response)
    assert f'<progress max="1000" value="3" aria-labelledby="tally-{letter.pk}">' in response.text


def test_letter_without_a_goal_shows_no_progress_bar(client, make_petition):
    make_petition(goal=None)

    response = client.get("/petitions/ukteshbayev-open-letter/")

    assert "<progress" not in response.content.decode()
    assert "0 signatures" in page_text(response)


def test_the_list_pages_by_a_cursor_from_newest_to_oldest(
    client, letter, make_signature, settings
):
    settings.SIGNATURES_PER_PAGE = 2
    now = timezone.now()
    for number in range(5):
        make_signature(letter, name=f"Signer {number}", created_at=now - timedelta(hours=number))

    pages, url = [], "/petitions/ukteshbayev-open-letter/"
    while url:
        response = client.get(url)
        pages.append([s.name for s in response.context["page"].signatures])
        older = re.search(r'href="([^"]*\?older=[^"#]+)#signatures-heading"', response.text)
        url = older and older.group(1)

    assert pages == [["Signer 0", "Signer 1"], ["Signer 2", "Signer 3"], ["Signer 4"]]
    assert "Older signatures" not in page_text(response)
    assert "Newest signatures" in page_text(response)


def test_a_page_of_the_list_stays_the_same_however_many_sign_since(
    client, letter, make_signature, settings, counted
):
    """Its address can be shared and cached: it says where the page starts, not its number."""
    settings.SIGNATURES_PER_PAGE = 2
    now = timezone.now()
    for number in range(4):
        make_signature(letter, name=f"Signer {number}", created_at=now - timedelta(hours=number))
    first = client.get("/petitions/ukteshbayev-open-letter/")
    second = re.search(r'href="([^"]*\?older=[^"#]+)#', first.text).group(1)

    make_signature(letter, name="Signed Since", created_at=now)
    counted()

    assert [s.name for s in client.get(second).context["page"].signatures] == [
        "Signer 2",
        "Signer 3",
    ]


@pytest.mark.parametrize(
    "cursor", ["abc", "-1.2", "99999999999999999999999.1", "1.2.3", "", "１２.３", "1.x"]
)
def test_a_cursor_that_is_none_falls_back_to_the_newest_signatures(
    client, letter, make_signature, cursor
):
    make_signature(letter, name="Only Signer")

    response = client.get(f"/petitions/ukteshbayev-open-letter/?older={cursor}", follow=True)

    assert response.redirect_chain == [("/petitions/ukteshbayev-open-letter/", 302)]
    assert "Only Signer" in page_text(response)


def test_any_other_query_string_leads_to_the_one_copy_of_the_page(client, letter):
    """Each query string would be another copy to render and keep: old ?page= links too."""
    response = client.get("/petitions/ukteshbayev-open-letter/?page=3&utm_source=telegram")

    assert response.status_code == 302
    assert response["Location"] == "/petitions/ukteshbayev-open-letter/"


def test_open_letter_shows_the_signing_form_with_the_contract_fields(client, letter):
    response = client.get("/petitions/ukteshbayev-open-letter/")

    html = response.content.decode()
    assert 'action="/petitions/ukteshbayev-open-letter/sign/"' in html
    for field in ["name", "email", "organisation", "country", "comment", "hide_name"]:
        assert f'name="{field}"' in html
    assert "Do not display my name on the website" in page_text(response)
    assert "csrfmiddlewaretoken" not in html  # the same page for everyone


def test_unknown_letter_is_404(client, db):
    assert client.get("/petitions/no-such-letter/").status_code == 404


def test_draft_letter_is_hidden_from_the_public_but_staff_may_preview_it(
    client, admin_client, make_petition
):
    make_petition(status=Petition.Status.DRAFT)

    assert client.get("/petitions/ukteshbayev-open-letter/").status_code == 404
    preview = admin_client.get("/petitions/ukteshbayev-open-letter/")
    assert preview.status_code == 200
    assert "public" not in preview["Cache-Control"]


def test_a_drafts_preview_leaves_nothing_the_public_page_could_show(
    client, admin_client, make_petition, make_signature, counted
):
    """A draft may name someone who has not agreed yet: an editor previews it, takes the name
    off, and another process publishes it. The preview kept nothing in this process that the
    public page would reuse, though the counts look as they did then."""
    draft = make_petition(status=Petition.Status.DRAFT)
    notable = make_signature(draft, name="Not Agreed Yet", notable=True)
    assert "Not Agreed Yet" in page_text(admin_client.get("/petitions/ukteshbayev-open-letter/"))

    notable.delete()
    Petition.objects.filter(pk=draft.pk).update(status=Petition.Status.OPEN)
    counted()

    assert "Not Agreed Yet" not in page_text(client.get("/petitions/ukteshbayev-open-letter/"))


def test_a_drafts_preview_with_a_broken_cursor_leads_back_to_the_letter(
    admin_client, make_petition
):
    make_petition(status=Petition.Status.DRAFT)

    response = admin_client.get("/petitions/ukteshbayev-open-letter/?older=x")

    assert response.status_code == 302
    assert response["Location"] == "/petitions/ukteshbayev-open-letter/"


def test_a_draft_is_hidden_from_staff_who_may_not_change_letters(
    moderator_client, organiser_client, staff_user, make_petition
):
    """A draft may name people before they agreed to be named: only its editors preview it."""
    from conftest import staff_client

    make_petition(status=Petition.Status.DRAFT)
    no_group = staff_client(staff_user())

    assert moderator_client.get("/petitions/ukteshbayev-open-letter/").status_code == 404
    assert no_group.get("/petitions/ukteshbayev-open-letter/").status_code == 404
    assert organiser_client.get("/petitions/ukteshbayev-open-letter/").status_code == 200


def test_a_draft_is_hidden_from_an_editor_who_has_not_given_the_second_factor(
    client, django_user_model, make_petition
):
    make_petition(status=Petition.Status.DRAFT)
    editor = django_user_model.objects.create_superuser("editor", password="long password x")
    client.force_login(editor)  # a password alone, as if the code were never asked

    assert client.get("/petitions/ukteshbayev-open-letter/").status_code == 404


@pytest.mark.parametrize("status", [Petition.Status.OPEN, Petition.Status.CLOSED])
def test_the_letter_page_is_the_same_for_everyone_and_any_cache_may_keep_it(
    client, make_petition, status
):
    make_petition(status=status)

    first = client.get("/petitions/ukteshbayev-open-letter/")
    other = Client().get("/petitions/ukteshbayev-open-letter/", HTTP_ACCEPT_LANGUAGE="ru")

    cache_control = first["Cache-Control"]
    assert "public" in cache_control
    assert "max-age=5" in cache_control
    assert "stale-while-revalidate=30" in cache_control
    assert "stale-if-error=300" in cache_control
    assert "private" not in cache_control
    # A CDN keeps one copy for everyone only if nothing in the page is the visitor's.
    assert "Vary" not in first
    assert not first.cookies
    assert "nonce" not in first["Content-Security-Policy"]
    assert first.content == other.content


def test_a_form_sent_back_for_correction_is_not_stored_by_the_browser(
    client, letter, signing_data
):
    response = client.post(
        "/petitions/ukteshbayev-open-letter/sign/", {**signing_data, "name": ""}
    )

    assert "no-store" in response["Cache-Control"]


def test_a_kept_letter_page_reads_nothing_and_a_rendered_one_counts_nothing(
    client, letter, make_signature, counted
):
    for number in range(30):
        make_signature(letter, notable=number < 5, sort_order=number)
    counted()

    with CaptureQueriesContext(connection) as rendered:
        response = client.get("/petitions/ukteshbayev-open-letter/")
    with CaptureQueriesContext(connection) as kept:
        again = client.get("/petitions/ukteshbayev-open-letter/")

    assert "30 signatures" in page_text(response)
    assert not [q["sql"] for q in rendered if "COUNT(" in q["sql"].upper()]
    assert len(rendered) == 3  # the letter with its counts, its notables, a page of the list
    assert len(kept) == 0
    assert again.content == response.content


def test_a_letter_taken_down_is_gone_at_once_from_the_process_that_saved_it(
    client, letter, signing_data
):
    assert client.get("/petitions/ukteshbayev-open-letter/").status_code == 200

    letter.status = Petition.Status.DRAFT
    letter.save()

    assert client.get("/petitions/ukteshbayev-open-letter/").status_code == 404
    response = client.post("/petitions/ukteshbayev-open-letter/sign/", signing_data)
    assert response.status_code == 404
    assert not letter.signatures.exists()


@pytest.mark.django_db(transaction=True)  # as in production: each statement commits
def test_signing_a_letter_deleted_a_moment_ago_is_404(client, letter, signing_data):
    client.get("/petitions/ukteshbayev-open-letter/")  # this process keeps the letter
    Petition.objects.filter(pk=letter.pk).delete()  # as another process would delete it

    response = client.post("/petitions/ukteshbayev-open-letter/sign/", signing_data)

    assert response.status_code == 404
    assert not Petition.objects.exists()
