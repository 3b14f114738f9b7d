"""Migrations that touch stored signatures keep every one of them, and what they stand for."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from signatories.addresses import signer_key
from signatories.models import Signature

BEFORE_EMAIL_KEYS = [("signatories", "0004_country_lookup_and_long_domains")]


@pytest.mark.django_db(transaction=True)
def test_signatures_made_before_email_keys_get_theirs_and_stay_one_per_mailbox():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE_EMAIL_KEYS)
    old = executor.loader.project_state(BEFORE_EMAIL_KEYS).apps
    letter = old.get_model("petitions", "Petition").objects.create(
        slug="letter", title="Letter", body="Text", status="open"
    )
    old.get_model("signatories", "Signature").objects.create(
        petition_id=letter.pk,
        name="Aigerim",
        email="Aigerim@Example.org",
        email_canonical="aigerim@example.org",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    signature = Signature.objects.get()
    assert signature.name == "Aigerim"
    assert signature.email_key == signer_key("aigerim@example.org")
    Signature.objects.update(confirmed_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature(
            petition_id=letter.pk,
            name="Again",
            email="aigerim@EXAMPLE.org",
            confirmed_at=timezone.now(),
        ).save(force_insert=True)
