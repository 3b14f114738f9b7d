from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from petitions.models import Petition
from signatories import counts, demo
from signatories.models import Signature

WITHHELD_NAME = "(withheld)"


class Command(BaseCommand):
    help = "Load the demo open letter and its signatories. Running it again changes nothing."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        petition, created = Petition.objects.get_or_create(
            slug=demo.SLUG, defaults={**demo.LETTER, "status": Petition.Status.OPEN}
        )
        url = petition.get_absolute_url()
        if not created:
            self.stdout.write(f"The demo letter is already loaded: {url}")
            return
        now = timezone.now()
        signed = {
            "petition": petition,
            "status": Signature.Status.APPROVED,
            "source": Signature.Source.STAFF,
            "confirmed_at": now,
        }
        signatures = [
            Signature(
                name=name,
                organisation=organisation,
                country=country,
                notable=True,
                sort_order=position,
                created_at=now - timedelta(days=60),
                **signed,
            )
            for position, (name, organisation, country) in enumerate(demo.NOTABLES, start=1)
        ]
        signatures += [
            Signature(
                name=WITHHELD_NAME if name == demo.HIDDEN else name,
                hide_name=name == demo.HIDDEN,
                organisation=organisation,
                country=country,
                comment=comment,
                # The old page listed the newest first.
                created_at=now - timedelta(hours=position),
                **signed,
            )
            for position, (name, organisation, country, comment) in enumerate(
                demo.SIGNATURES, start=1
            )
        ]
        for signature in signatures:
            signature.full_clean()
            signature.save()
        counts.count_letter(petition)  # the page shows its count at once, job or no job
        self.stdout.write(f"Loaded the demo letter with {len(signatures)} signatures: {url}")
