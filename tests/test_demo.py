import io

from django.core.management import call_command

from helpers import page_text
from petitions.models import Petition
from signatories import demo
from signatories.models import Signature


def load_demo() -> None:
    call_command("load_demo", stdout=io.StringIO())


def test_load_demo_creates_the_open_letter(client, db):
    load_demo()

    petition = Petition.objects.get(slug="ukteshbayev-open-letter")
    assert petition.status == Petition.Status.OPEN
    assert petition.addressee == "To the Kazakhstan Government and Authorities"
    assert petition.closing == "In all sincerity,"
    assert petition.body.startswith("The Kazakhstan trade union and opposition leader")
    assert petition.is_open


def test_load_demo_twice_changes_nothing(db):
    load_demo()
    before = list(Signature.objects.values_list("pk", "name", "status").order_by("pk"))

    load_demo()

    assert Petition.objects.count() == 1
    assert list(Signature.objects.values_list("pk", "name", "status").order_by("pk")) == before


# As the seed letter lists them under "In all sincerity," (one entry names two people).
SEED_NOTABLES = [
    "Andrey Hunko",
    "Inge Hoeger",
    "Jeremy Corbyn",
    "Joe Higgins",
    "Bob Crow",
    "Themis Kotsifakis",
    "Johan Rivas",
    "Paul Murphy",
    "Antongiulio Mannoni",
    "Stephen Jolly",
    "Jonas Brännberg",
    "Alfia Nakipbekova",
    "Sonja Grusch",
    "Julien Daigneault",
    "Peter Taaffe",
]
# Each comment published on the seed page, as the start of its text, under its signer.
SEED_COMMENTS = {
    "Youth Fight for Jobs and Education": "Campaign against austerity supported by 6 national",
    "Iain Dalton": "Vice-Chair USDAW F148 branch (personal capacity)",
    "Kristofer Lundberg": "We stand with the Socialist Movement Kazakstan",
    "Paul Gerrard": "I met Esenbek in Belgium in March, he is a fine man.",
    "Dave Ireland": "No one should be punished for voicing political opposition.",
    "Nick Chaffey": "Full support to the democratic rights of workers and trade unions",
    "Matt Whale": "Solidarity to all fighting the Nazarbayev regime",
    "Jon Dale": "We are raising the issue of human and workers' rights",
    "Helga Schröder": "SLP, CWI Austria",
    "mtodd, mmurphy": "What a scandal that former ‘Labour’ Prime Minister Tony Blair",
    "Yann Venier": "La CGT Pôle emploi en Lorraine sera particulièrement attentive",
    "ray darlington": "solidarity with esenbeks bringing democracy to the union",
}


def test_demo_names_the_initial_signatories_in_the_letters_order(client, db):
    load_demo()

    text = page_text(client.get("/petitions/ukteshbayev-open-letter/"))

    closing = text.index("In all sincerity,")
    positions = [text.index(name, closing) for name in SEED_NOTABLES]
    assert positions == sorted(positions)
    assert [name for name, _org, _country in demo.NOTABLES] == SEED_NOTABLES


def test_demo_publishes_every_comment_of_the_seed_under_its_signer(client, db):
    load_demo()

    text = page_text(client.get("/petitions/ukteshbayev-open-letter/"))  # all on one page

    for signer, comment in SEED_COMMENTS.items():
        signed = text.index(signer)
        assert comment in text[signed : signed + 250], signer


def test_demo_signatures_are_published_with_comments_and_counted(client, db):
    load_demo()

    response = client.get("/petitions/ukteshbayev-open-letter/")
    text = page_text(response)
    total = len(demo.NOTABLES) + len(demo.SIGNATURES)

    assert f"{total} signatures of a goal of 1,000" in text
    assert "Ben Robinson, Youth Fight for Jobs" in text
    assert (
        "Dave Ireland, unemployed No one should be punished for voicing political opposition."
        in text
    )


def test_demo_fixes_the_old_sites_bugs(client, db):
    load_demo()

    response = client.get("/petitions/ukteshbayev-open-letter/")  # one page holds them all
    pages, text = response.content.decode(), page_text(response)
    assert "Older signatures" not in text

    assert "Greek secondary school teachers' union" in text
    assert "youth wing of education workers' union" in text
    assert "\\'" not in pages
    assert "&amp;#x27;" not in pages
    assert "xxxxxxxx" not in pages
    assert "Unite the Union" not in text  # the hidden signatory's organisation
    for accented in ["Jonas Brännberg", "Helga Schröder", "Gauche Révolutionnaire", "Luleå"]:
        assert accented in text


def test_demo_keeps_the_hidden_signatory_hidden_but_counted(db):
    load_demo()

    hidden = Signature.objects.get(hide_name=True)
    assert hidden.organisation == "Unite the Union"
    assert hidden.status == Signature.Status.APPROVED
    assert Signature.objects.approved().count() == len(demo.NOTABLES) + len(demo.SIGNATURES)
