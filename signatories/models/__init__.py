from .export import Export, ExportState
from .signature import Signature

__all__ = ["Export", "ExportState", "Signature"]
