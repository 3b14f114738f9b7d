from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .addresses import has_mail_domain, local_part_fits


def validate_mail_address(address: str) -> None:
    """An address that mail can reach: a domain that can be spelled in ASCII, and at most the
    64 bytes before the @ that mail servers accept."""
    if not has_mail_domain(address):
        raise ValidationError(
            _("This email address cannot receive mail: its domain is not valid."),
            code="invalid_domain",
        )
    if not local_part_fits(address):
        raise ValidationError(
            _("The part of the address before the @ is too long to receive mail."),
            code="local_part_too_long",
        )
