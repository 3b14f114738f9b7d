"""Text from the public is escaped exactly once and every script survives the round trip."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from helpers import csv_rows, page_text
from signatories.models import Signature

ROUND_TRIP = [
    ("Anna Shadrova", "Junge GEW Berlin (youth wing of education workers' union)"),
    ("Есенбек Өктешбаев", "Жанарту кәсіподағы"),  # Kazakh
    ("Алексей Иванов", "Профсоюз «Защита труда»"),  # Russian
    ("Jonas Brännberg", "Rättvisepartiet Socialisterna, Luleå"),
    ("Helga Schröder", "SLP, CWI Österreich"),
    ("ROSA David", "Gauche Révolutionnaire"),
    ("محمد عبد الله", "اتحاد العمال"),
    ("王小明", "工会"),
    ('Tom "Red" O\'Neil', "<b>Not bold</b> & co"),
]


@pytest.mark.parametrize(("name", "organisation"), ROUND_TRIP)
def test_signed_text_reads_back_exactly_on_the_page_and_in_the_csv(
    client, letter, signing_data, tmp_path, name, organisation
):
    client.post(
        "/petitions/ukteshbayev-open-letter/sign/",
        {**signing_data, "name": name, "organisation": organisation},
    )
    Signature.objects.update(status=Signature.Status.APPROVED, confirmed_at=timezone.now())

    response = client.get("/petitions/ukteshbayev-open-letter/")
    call_command("export_signatures", "ukteshbayev-open-letter", output=tmp_path / "out.csv")
    [row] = csv_rows((tmp_path / "out.csv").read_bytes())

    assert f"{name}, {organisation}" in page_text(response)
    assert (row["name"], row["organisation"]) == (name, organisation)


def test_apostrophe_is_escaped_once_in_the_html(client, letter, make_signature):
    make_signature(letter, organisation="education workers' union")

    html = client.get("/petitions/ukteshbayev-open-letter/").content.decode()

    assert "education workers&#x27; union" in html
    assert "workers\\' union" not in html
    assert "workers\\\\' union" not in html
    assert "&amp;#x27;" not in html
    assert "&amp;#39;" not in html


def test_markup_in_a_comment_is_shown_as_text_not_run(client, letter, make_signature):
    make_signature(letter, comment="<script>alert(1)</script>\n{{ secret }} {% csrf_token %}")

    response = client.get("/petitions/ukteshbayev-open-letter/")

    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>{{ secret }} {% csrf_token %}" in html
