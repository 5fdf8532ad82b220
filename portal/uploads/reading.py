"""Reading an uploaded CSV or XLSX file safely, as columns of trimmed text.

``open_upload(data, filename)`` checks the bytes (size, type, encoding, zip bomb, number
of columns) and reads the headings in the first row; ``source.read(positions)`` then reads
the columns asked for. Nothing here raises for a bad file: every problem comes back as a
``FileProblem`` whose message says what to fix.

Row numbers are the spreadsheet's own: the heading row is row 1 and the first data row is
row 2. A CSV record is one row however many line breaks its quoted values hold (a
spreadsheet shows them inside one cell), and a blank line is a row too (a spreadsheet shows
an empty row) but not a row of data. For XLSX the row numbers are Excel's.

Every value is text, trimmed: leading zeros survive and "NA", "None" or "null" stay as
typed. The quote the portal's exports put before text starting with = + - @ (``safe_cell``)
is taken off again (``unescaped_cell``), so its own templates come back unchanged. XLSX
cells become the text an ASC-WDS CSV would hold: dates as DD/MM/YYYY, whole numbers
without ".0". A column is held as its distinct values plus a code per row
(``Column``), which is what lets the validator check each distinct value once.

This module opens the file and says which kind it is; ``reading_csv`` and
``reading_xlsx`` read each kind, into the ``upload_table`` types.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable

from forms import messages
from portal.uploads.reading_csv import open_csv
from portal.uploads.reading_xlsx import open_xlsx
from portal.uploads.upload_table import FileProblem, Source

MAX_BYTES = 20 * 1024 * 1024
MAX_SIZE_TEXT = "20MB"
MAX_COLUMNS = 500
MAX_FILENAME = 100

_SIGNATURES = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"%PDF",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x1f\x8b",  # gzip
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"RIFF",
)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")  # an XLSX is a zip
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an encrypted .xlsx
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_UNSHOWABLE = ("Cc", "Cf", "Zl", "Zp")  # control, format (bidi overrides), line breaks


# --- the file name -------------------------------------------------------------------


def display_filename(name: object) -> str:
    """A file name safe to show: no folders, no control characters, at most 100 characters."""
    text = str(name or "")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _UNSHOWABLE)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > MAX_FILENAME:
        stem, ext = os.path.splitext(text)
        ext = ext if len(ext) <= 10 else ""
        text = stem[: MAX_FILENAME - len(ext) - 1].rstrip() + "…" + ext
    return text or "the file"


# --- opening -------------------------------------------------------------------------


def open_upload(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_columns: int = MAX_COLUMNS,
    wanted: Callable[[list[str]], bool] | None = None,
) -> Source | FileProblem:
    """Check an uploaded file and read its headings. The caller should read at most
    ``max_bytes + 1`` bytes of the upload, so a larger file is refused unread.

    An XLSX is read from its first worksheet whose headings ``wanted`` accepts (a workbook
    may start with a sheet of notes), else its first worksheet."""
    name = display_filename(filename)
    try:
        if len(data) > max_bytes:
            return FileProblem(messages.FILE_TOO_LARGE.format(size=MAX_SIZE_TEXT), "too_large")
        if not data.strip():
            return FileProblem(messages.UPLOAD_EMPTY, "empty")
        if data.startswith(_ZIP):
            return open_xlsx(data, name, max_columns, wanted)
        if data.startswith(_OLE2):
            if _ENCRYPTED in data:
                return FileProblem(messages.UPLOAD_PASSWORD_PROTECTED, "password_protected")
            return FileProblem(messages.UPLOAD_OLD_EXCEL, "old_excel")
        if data.startswith(_SIGNATURES):
            return FileProblem(messages.UPLOAD_WRONG_TYPE, "wrong_type")
        return open_csv(data, name, max_columns)
    except Exception:  # a file must never break the page: say it cannot be read
        return FileProblem(messages.UPLOAD_CANNOT_OPEN, "cannot_open")
