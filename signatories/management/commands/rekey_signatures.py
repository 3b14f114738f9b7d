from django.core.management.base import BaseCommand, CommandError

from signatories.models import Signature


class Command(BaseCommand):
    help = (
        "After SECRET_KEY changes: give every signature the key of its address under the new "
        "SECRET_KEY, so a mailbox that signed a letter still cannot sign it again. Run it once "
        "the new key is in place, with the old one in SECRET_KEY_FALLBACKS."
    )

    def handle(self, *args, **options) -> None:
        clashes = Signature.objects.rekey()
        for signature, holder in clashes:
            self.stdout.write(
                f"Signatures #{signature} and #{holder} are one mailbox on one letter: it signed "
                "again before this command ran."
            )
        if clashes:
            raise CommandError(
                "Delete one signature of each pair above in the admin, then run this again."
            )
        self.stdout.write("Every signature has the key of its address under SECRET_KEY.")
