import os

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from helpers import form_shown_seconds_ago, login_with_second_factor
from petitions.models import Petition
from signatories.models import Signature

# Few generated examples on a developer's machine, more in CI (.ci/run sets HYPOTHESIS_PROFILE).
hypothesis_settings.register_profile("default", max_examples=20)
hypothesis_settings.register_profile("ci", max_examples=80)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session", autouse=True)
def _production_like_settings(tmp_path_factory):
    """Run with production settings, with two exceptions made before any server starts.

    Static files are collected and served hashed, as in production, so a missing file fails a
    test. Plain HTTP is allowed: tests that care about HTTPS ask for it with secure=True. Emails
    are sent as soon as their task is enqueued, into the test outbox.
    """
    with override_settings(
        STATIC_ROOT=tmp_path_factory.mktemp("static"),
        SECURE_SSL_REDIRECT=False,
        TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield


@pytest.fixture(autouse=True)
def _exports_of_its_own(settings, tmp_path):
    """Each test's exports in a folder of its own, never the checkout's."""
    settings.EXPORT_ROOT = tmp_path / "exports"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # Counts and letters are cached, and memory outlives a test's rolled-back rows.
    for each in caches.all():
        each.clear()
    # Strong password hashing is slow by design; tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    for each in caches.all():
        each.clear()


@pytest.fixture
def counted():
    """Let the counting job run and the public pages' few seconds pass, as they do in a
    minute on the site: what a page shows of the counts and the list is then up to date.

    What each process keeps for seconds (pages, letters) expires; the parts of a letter's page
    kept until the counts show that its signatures changed (the list, the notable signatories)
    stay, as they would: the page must see the change by itself.
    """

    def count() -> None:
        call_command("count_signatures", "--once")
        local = caches["local"]
        for key in list(local._cache):
            if ":template.cache." not in key:
                local.delete(key.split(":", 2)[2])

    return count


@pytest.fixture
def make_petition(db):
    def make(**overrides) -> Petition:
        fields = {
            "slug": "ukteshbayev-open-letter",
            "title": "Defend Esenbek Ukteshbayev",
            "addressee": "To the Kazakhstan Government and Authorities",
            "body": "We call on the government to let him return.\n\nWe are watching.",
            "closing": "In all sincerity,",
            "goal": 1000,
            "status": Petition.Status.OPEN,
        } | overrides
        petition = Petition(**fields)
        petition.full_clean()
        petition.save()
        return petition

    return make


@pytest.fixture
def letter(make_petition) -> Petition:
    """The open letter at /petitions/ukteshbayev-open-letter/."""
    return make_petition()


@pytest.fixture
def make_signature(db):
    counter = iter(range(1, 1_000_000))

    def make(petition: Petition, **overrides) -> Signature:
        number = next(counter)
        fields = {
            "petition": petition,
            "name": f"Signatory {number}",
            "email": f"signatory{number}@example.org",
            "organisation": "Zhanartu",
            "country": "KZ",
            "status": Signature.Status.APPROVED,
            "confirmed_at": timezone.now(),
        } | overrides
        signature = Signature(**fields)
        signature.full_clean()
        signature.save()
        return signature

    return make


@pytest.fixture
def signing_data():
    """A valid POST to the signing form, filled in by a person in a minute."""
    return {
        "name": "Aigerim Seitkali",
        "email": "aigerim@example.org",
        "organisation": "Zhanartu",
        "country": "KZ",
        "comment": "Solidarity from Almaty.",
        "started": form_shown_seconds_ago(60),
    }


@pytest.fixture
def sign(client, letter, signing_data, django_capture_on_commit_callbacks):
    """Sign the letter as a browser would, running what waits for the commit (the email)."""

    def post(*, remote_addr: str = "127.0.0.1", headers: dict | None = None, **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/petitions/ukteshbayev-open-letter/sign/",
                signing_data | overrides,
                headers=headers,
                REMOTE_ADDR=remote_addr,
            )

    return post


@pytest.fixture
def raw_client() -> Client:
    """A client that reports server errors as responses instead of raising them."""
    return Client(raise_request_exception=False)


@pytest.fixture
def staff_user(django_user_model):
    """A staff account in one of the groups the data migration creates."""

    def make(group: str | None = None):
        user = django_user_model.objects.create_user(
            username=(group or "nogroup").lower(), password="correct horse battery", is_staff=True
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return make


def staff_client(user) -> Client:
    """A browser of its own, so the anonymous `client` of the same test stays anonymous."""
    client = Client()
    login_with_second_factor(client, user)
    return client


@pytest.fixture
def admin_client(admin_user) -> Client:
    return staff_client(admin_user)


@pytest.fixture
def moderator_client(staff_user) -> Client:
    return staff_client(staff_user("Moderators"))


@pytest.fixture
def organiser_client(staff_user) -> Client:
    return staff_client(staff_user("Organisers"))
