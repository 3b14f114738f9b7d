from base64 import b32encode

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Give a staff account an authenticator app for its second login factor, and print the "
        "key to add to the app (scan the otpauth:// link as a QR code, or type the key)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Remove the account's existing authenticators first (a lost phone).",
        )

    @transaction.atomic
    def handle(self, *args, username: str, replace: bool, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not user.is_staff:
            raise CommandError(f"No staff account is called {username!r}.")
        devices = TOTPDevice.objects.filter(user=user)
        if devices.exists() and not replace:
            raise CommandError(
                f"{username!r} already has an authenticator. Use --replace for a new one."
            )
        devices.delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        self.stdout.write(f"Authenticator added for {username!r}. Add it to the app with:")
        self.stdout.write(f"  key: {b32encode(device.bin_key).decode()}")
        self.stdout.write(f"  or:  {device.config_url}")
        self.stdout.write("Then log in at /admin/ with the password and the app's 6-digit code.")
