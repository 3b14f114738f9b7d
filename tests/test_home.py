from helpers import page_text
from petitions.models import Petition


def test_home_lists_open_letters_with_their_counts(client, make_petition, make_signature, counted):
    letter = make_petition()
    make_signature(letter)
    make_signature(letter, status="pending")
    counted()

    response = client.get("/")

    assert response.status_code == 200
    text = page_text(response)
    assert "Defend Esenbek Ukteshbayev" in text
    assert "1 signature" in text
    assert 'href="/petitions/ukteshbayev-open-letter/"' in response.content.decode()


def test_home_leaves_out_drafts_closed_and_expired_letters(client, make_petition):
    make_petition(slug="draft", title="A draft letter", status=Petition.Status.DRAFT)
    make_petition(slug="closed", title="A closed letter", status=Petition.Status.CLOSED)
    make_petition(slug="expired", title="An expired letter", closes_at="2020-01-01T00:00:00Z")

    text = page_text(client.get("/"))

    assert "draft letter" not in text
    assert "closed letter" not in text
    assert "expired letter" not in text
    assert "No letter is open for signatures at the moment." in text


def test_home_page_may_be_cached_by_a_cdn(client, db):
    response = client.get("/")

    assert "public" in response["Cache-Control"]
    assert "max-age=5" in response["Cache-Control"]
    assert not response.cookies


def test_the_open_letters_query_agrees_with_each_letters_is_open(make_petition):
    letters = [
        make_petition(slug="open", status=Petition.Status.OPEN),
        make_petition(slug="open-until-2099", closes_at="2099-01-01T00:00:00Z"),
        make_petition(slug="expired", closes_at="2020-01-01T00:00:00Z"),
        make_petition(slug="draft", status=Petition.Status.DRAFT),
        make_petition(slug="closed", status=Petition.Status.CLOSED),
    ]

    open_slugs = set(Petition.objects.open().values_list("slug", flat=True))

    assert open_slugs == {letter.slug for letter in letters if letter.is_open}
    assert open_slugs == {"open", "open-until-2099"}
