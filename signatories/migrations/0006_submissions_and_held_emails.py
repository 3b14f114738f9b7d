import uuid

from django.conf import settings
from django.db import migrations, models


def give_references(apps, schema_editor):
    Signature = apps.get_model("signatories", "Signature")
    for signature in Signature.objects.filter(reference=None).only("pk").iterator(chunk_size=2000):
        signature.reference = uuid.uuid4()
        signature.save(update_fields=["reference"])


class Migration(migrations.Migration):
    """Each submission of an address is kept until its mailbox confirms one, and only one
    confirmed signature per mailbox and letter; links name a signature by a random reference,
    not its number; confirmation emails can be held for a moderator."""

    dependencies = [
        ('petitions', '0002_confirmation'),
        ('signatories', '0005_one_signature_per_keyed_email'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='signature',
            name='signatories_signature_one_per_email',
        ),
        migrations.AddField(
            model_name='signature',
            name='email_held',
            field=models.BooleanField(default=False, editable=False, help_text="Its confirmation email waits for a moderator to release it: it came from a network address over its rate limit, or over the site's hourly email budget.", verbose_name='email held'),
        ),
        migrations.AddField(
            model_name='signature',
            name='reference',
            field=models.UUIDField(editable=False, null=True, verbose_name='reference'),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name='signature',
            name='reference',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='reference'),
        ),
        migrations.AddIndex(
            model_name='signature',
            index=models.Index(fields=['email_key', 'petition'], name='signatories_mailbox_idx'),
        ),
        migrations.AddIndex(
            model_name='signature',
            index=models.Index(condition=models.Q(('email_held', True)), fields=['-created_at'], name='signatories_held_idx'),
        ),
        migrations.AddConstraint(
            model_name='signature',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('email_key', ''), _negated=True), ('confirmed_at__isnull', False)), fields=('petition', 'email_key'), name='signatories_signature_one_per_email', violation_error_message='This email address has already signed this letter.'),
        ),
    ]
