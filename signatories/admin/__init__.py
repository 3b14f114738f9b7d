"""The moderation queue, paper entry and exports: every admin page that touches signatures."""

from .exports import ExportAdmin
from .signatures import SignatureAdmin

__all__ = ["ExportAdmin", "SignatureAdmin"]
