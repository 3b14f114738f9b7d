"""The core journey in a real browser, as a new user would try it: JavaScript off on the public
site, a phone-sized screen, the admin to approve, a CSV to open."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect, sync_playwright

import signatories.demo
from helpers import csv_rows, link_in, totp_code
from signatories.models import Signature

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls next to
    # one unless told the calls stay synchronous, which they do here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(autouse=True)
def _unhashed_static_files(settings):
    # The live server serves static files straight from the source folders, by their own names.
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }


@pytest.fixture
def phone(browser):
    """A phone-sized page with JavaScript off: the site must work without it."""
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 375, "height": 740}, accept_downloads=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=io.StringIO())
    return live_server.url


def sign(page, base: str, *, name: str, email: str, hide: bool = False) -> None:
    page.goto(f"{base}/petitions/ukteshbayev-open-letter/")
    page.get_by_label("Name:", exact=True).fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Organisation / union").fill("Жанарту workers' union")
    page.get_by_label("Country").select_option("KZ")
    page.get_by_label("Comment").fill("Solidarity from Almaty.")
    if hide:
        page.get_by_label("Do not display my name on the website").check()
    page.get_by_role("button", name="Sign the letter").click()
    expect(page.get_by_role("heading", name="Thank you for signing")).to_be_visible()


def confirm_from_email(page, base: str, email) -> None:
    """Open the confirmation link from the email and press the button, as a signer would."""
    page.goto(base + link_in(email, "confirm"))
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", name="Signature confirmed")).to_be_visible()


def log_into_admin(page, base: str, user) -> None:
    """Password, then the six-digit code from the staff member's authenticator app."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(f"{base}/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("password")
    page.get_by_label("Code from your authenticator app").fill(totp_code(device))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Site administration")).to_be_visible()


def test_sign_confirm_approve_publish_and_export_in_a_browser(
    phone, demo, admin_user, mailoutbox, tmp_path, counted
):
    sign(phone, demo, name="Aigerim Seitkali", email="aigerim@example.org")
    sign(phone, demo, name="Secret Supporter", email="secret@example.org", hide=True)
    assert [message.to for message in mailoutbox] == [
        ["aigerim@example.org"],
        ["secret@example.org"],
    ]
    for message in mailoutbox:
        confirm_from_email(phone, demo, message)

    log_into_admin(phone, demo, admin_user)
    phone.goto(f"{demo}/admin/signatories/signature/")  # the queue of confirmed signatures
    expect(phone.get_by_text("Aigerim Seitkali")).to_be_visible()
    phone.locator("input[name=_selected_action]").nth(0).check()
    phone.locator("input[name=_selected_action]").nth(1).check()
    phone.locator("select[name=action]").select_option("approve")
    phone.get_by_role("button", name="Run").click()
    expect(phone.get_by_text("Approved 2 signatures.")).to_be_visible()
    counted()  # the counting job, which runs every few seconds beside the site

    phone.goto(f"{demo}/petitions/ukteshbayev-open-letter/")
    phone.reload()  # the browser may keep the page a few seconds, as any cache may
    total = len(signatories.demo.NOTABLES) + len(signatories.demo.SIGNATURES) + 2
    expect(phone.get_by_text(f"{total} signatures", exact=False)).to_be_visible()
    expect(phone.get_by_text("Aigerim Seitkali")).to_be_visible()
    expect(phone.get_by_text("Жанарту workers' union").first).to_be_visible()
    expect(phone.get_by_text("Secret Supporter")).to_have_count(0)
    assert "aigerim@example.org" not in phone.content()

    phone.goto(f"{demo}/admin/petitions/petition/")
    phone.get_by_role("link", name="Defend trade unionist Esenbek Ukteshbayev").click()
    phone.get_by_label("Signatures to export").select_option("approved")
    phone.get_by_role("button", name="Export as CSV").click()
    expect(phone.get_by_text("signatures, written in full")).to_be_visible()
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download CSV").click()
    path = tmp_path / "export.csv"
    download.value.save_as(path)
    rows = {row["name"]: row for row in csv_rows(path.read_bytes())}
    assert rows["Aigerim Seitkali"]["organisation"] == "Жанарту workers' union"
    assert rows["Aigerim Seitkali"]["email"] == "aigerim@example.org"
    assert rows["Secret Supporter"]["hide_name"] == "yes"
    assert len(rows) == total


def test_a_signer_checks_and_corrects_what_will_be_published_before_confirming(
    phone, demo, mailoutbox
):
    sign(phone, demo, name="A. Seitkaly", email="aigerim@example.org")

    phone.goto(demo + link_in(mailoutbox[0], "confirm"))
    preview = phone.locator(".preview")
    expect(preview).to_contain_text("A. Seitkaly, Жанарту workers' union (Kazakhstan)")
    phone.get_by_label("Name:", exact=True).fill("Aigerim Seitkali")
    phone.get_by_role("button", name="Show my changes first").click()
    expect(preview).to_contain_text("Aigerim Seitkali, Жанарту workers' union")
    phone.get_by_label("Do not display my name on the website").check()
    phone.get_by_role("button", name="Show my changes first").click()
    expect(preview).to_contain_text("Your name, organisation and comment will not be shown.")
    phone.get_by_role("button", name="Confirm my signature").click()

    expect(phone.get_by_role("heading", name="Signature confirmed")).to_be_visible()
    signature = Signature.objects.get(email="aigerim@example.org")
    assert (signature.name, signature.hide_name) == ("Aigerim Seitkali", True)


def test_a_mistake_is_explained_and_nothing_typed_is_lost(phone, demo):
    phone.goto(f"{demo}/petitions/ukteshbayev-open-letter/")
    phone.get_by_label("Name:", exact=True).fill("www.spam.ru")
    phone.get_by_label("Email address").fill("aigerim@example.org")
    phone.get_by_label("Comment").fill("Keep this comment.")
    phone.get_by_label("Country").select_option("KZ")
    phone.get_by_role("button", name="Sign the letter").click()

    expect(phone.get_by_text("Please enter your name, not a web address.")).to_be_visible()
    expect(phone.get_by_label("Email address")).to_have_value("aigerim@example.org")
    expect(phone.get_by_label("Comment")).to_have_value("Keep this comment.")
    assert phone.url.endswith("/petitions/ukteshbayev-open-letter/sign/")
    expect(phone.get_by_role("heading", name="Sign “Defend trade unionist")).to_be_visible()


def test_letter_fits_a_phone_screen(browser, demo):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(f"{demo}/petitions/ukteshbayev-open-letter/")

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    button = page.get_by_role("button", name="Sign the letter").bounding_box()
    context.close()

    assert overflow <= 0
    assert button["width"] >= 44
    assert button["height"] >= 44


def test_the_admin_works_with_javascript_under_the_content_security_policy(
    browser, demo, admin_user
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text))
    page.on("pageerror", lambda error: violations.append(str(error)))

    log_into_admin(page, demo, admin_user)
    page.goto(f"{demo}/admin/signatories/signature/?status=all")
    page.locator("#action-toggle").check()  # "select all" is the admin's own JavaScript
    expect(page.locator(".action-counter")).to_contain_text("selected")
    page.goto(f"{demo}/admin/signatories/signature/add/")
    page.get_by_role("button", name="Now").first.click()  # the date-time shortcuts
    expect(page.locator("#id_created_at_1")).not_to_have_value("")
    page.goto(f"{demo}/admin/petitions/petition/")
    page.get_by_role("link", name="Defend trade unionist Esenbek Ukteshbayev").click()
    page.goto(f"{demo}/admin/signatories/signature/reject/")
    context.close()

    assert [text for text in violations if "Content Security Policy" in text] == []
    assert [text for text in violations if "Error" in text and "404" not in text] == []
