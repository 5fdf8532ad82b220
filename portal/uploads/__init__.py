"""Bulk uploads of staff and training (CSV or XLSX, ASC-WDS columns): reading and checking.

``check_upload`` is the entry point; ``reading`` turns bytes into columns of text safely
and ``asc_wds`` applies the shared staff_rules to them. The web journey and the import job
build on ``UploadCheck`` and ``ImportBatch``.
"""

from portal.uploads.asc_wds import check_upload, validate_staff_file, validate_training_file
from portal.uploads.asc_wds_results import (
    ImportBatch,
    Problem,
    UploadCheck,
    UploadNotReady,
    ValidationResult,
)
from portal.uploads.reading import display_filename, open_upload
from portal.uploads.upload_table import FileProblem

__all__ = [
    "FileProblem",
    "ImportBatch",
    "Problem",
    "UploadCheck",
    "UploadNotReady",
    "ValidationResult",
    "check_upload",
    "display_filename",
    "open_upload",
    "validate_staff_file",
    "validate_training_file",
]
