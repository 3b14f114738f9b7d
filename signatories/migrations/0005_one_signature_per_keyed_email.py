from django.db import migrations, models

from signatories.addresses import signer_key


def derive_email_keys(apps, schema_editor):
    Signature = apps.get_model("signatories", "Signature")
    signatures = Signature.objects.exclude(email_canonical="").only("email_canonical")
    for signature in signatures.iterator(chunk_size=2000):
        signature.email_key = signer_key(signature.email_canonical)
        signature.save(update_fields=["email_key"])


class Migration(migrations.Migration):
    """One signature per mailbox and letter, compared on a keyed hash of the canonical address,
    so that the key a refused duplicate puts in PostgreSQL's log tells nothing."""

    dependencies = [
        ("signatories", "0004_country_lookup_and_long_domains"),
    ]

    operations = [
        migrations.AddField(
            model_name="signature",
            name="email_key",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="email key"
            ),
        ),
        migrations.RunPython(derive_email_keys, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name="signature",
            name="signatories_signature_one_per_email",
        ),
        migrations.AddConstraint(
            model_name="signature",
            constraint=models.UniqueConstraint(
                condition=models.Q(("email_key", ""), _negated=True),
                fields=("petition", "email_key"),
                name="signatories_signature_one_per_email",
                violation_error_message="This email address has already signed this letter.",
            ),
        ),
    ]
