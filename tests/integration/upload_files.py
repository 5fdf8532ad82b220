"""Real upload files and the upload journey over HTTP, for the PostgreSQL tests of
``test_upload_files_postgres.py``: ASC-WDS CSV files in any encoding, line end and separator,
XLSX workbooks with typed cells, a signed-in provider user who uploads, checks, confirms and
reads what the pages say, and snapshots of what the database holds."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlparse

from openpyxl import Workbook
from sqlalchemy import Row, select

from portal.extensions import db
from portal.models import StaffMember, StoredFile, TrainingRecord, UploadBatch
from tests.conftest import check_page, csrf_token_from
from tests.factories import PASSWORD

STAFF_HEADINGS = [
    "LOCALESTID", "UNIQUEWORKERID", "STATUS", "MAINJOBROLE", "STARTDATE", "EMPLSTATUS",
    "ZEROHRCONT", "CARECERT", "HOURLYRATE", "HANDCVISA", "CONTHOURS",
]  # fmt: skip
TRAINING_HEADINGS = [
    "LOCALESTID", "UNIQUEWORKERID", "CATEGORY", "TRAININGNAME", "ACCREDITED", "WHODELIVERED",
    "PROVIDERNAME", "HOWDELIVERED", "VALIDITY", "DATECOMPLETED", "EXPIRYDATE", "NOTES",
]  # fmt: skip
BRANCH = "000123"  # the provider's branch the files name: its leading zeros must survive


def staff_row(**values: Any) -> list[Any]:
    """A valid staff row; keyword arguments (by heading) change it."""
    row = {
        "LOCALESTID": BRANCH, "UNIQUEWORKERID": "W1", "STATUS": "UNCHECKED",
        "MAINJOBROLE": "8", "STARTDATE": "01/09/2021", "EMPLSTATUS": "1", "ZEROHRCONT": "2",
        "CARECERT": "1", "HOURLYRATE": "12.60", "HANDCVISA": "2", "CONTHOURS": "37.5",
    }  # fmt: skip
    row.update(values)
    return [row[heading] for heading in STAFF_HEADINGS]


def training_row(**values: Any) -> list[Any]:
    """A valid training row (safeguarding, 12 months, expiry left to VALIDITY)."""
    row = {
        "LOCALESTID": BRANCH, "UNIQUEWORKERID": "W1", "CATEGORY": "20",
        "TRAININGNAME": "Safeguarding adults", "ACCREDITED": "1", "WHODELIVERED": "1",
        "PROVIDERNAME": "", "HOWDELIVERED": "1", "VALIDITY": "12",
        "DATECOMPLETED": "01/03/2026", "EXPIRYDATE": "", "NOTES": "",
    }  # fmt: skip
    row.update(values)
    return [row[heading] for heading in TRAINING_HEADINGS]


def staff_csv(*rows: list[Any], **options: Any) -> bytes:
    return csv_file(STAFF_HEADINGS, list(rows), **options)


def training_csv(*rows: list[Any], **options: Any) -> bytes:
    return csv_file(TRAINING_HEADINGS, list(rows), **options)


def csv_file(
    headings: list[str],
    rows: list[list[Any]],
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\r\n",
    separator: str = ",",
) -> bytes:
    """A CSV as a spreadsheet or another system saves it (values with the separator, a
    quotation mark or a line break are quoted)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=separator, lineterminator=newline)
    writer.writerow(headings)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding)


def xlsx_file(headings: list[str], rows: list[list[Any]]) -> bytes:
    """A workbook as Excel saves it: each value keeps its type (text, number, date)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading the pages ---------------------------------------------------------------------

_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


_CELLS = ("td", "th", "dt", "dd", "li")  # an item of a list is a row of one cell


class _Rows(HTMLParser):
    """The rows of the element with id ``wanted`` (a table, a summary list or a list), each
    as the text of its cells."""

    def __init__(self, wanted: str) -> None:
        super().__init__()
        self.wanted = wanted
        self.depth = 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if not self.depth:
            self.depth = int(dict(attrs).get("id") == self.wanted)
            return
        if tag in _VOID:
            return
        self.depth += 1
        if tag in ("tr", "li") or "govuk-summary-list__row" in (dict(attrs).get("class") or ""):
            self.rows.append([])
        if tag in _CELLS and self.rows:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self.depth or tag in _VOID:
            return
        self.depth -= 1
        if tag in _CELLS and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def rows_of(html: str, element_id: str) -> list[list[str]]:
    parser = _Rows(element_id)
    parser.feed(html)
    return [row for row in parser.rows if row]


def problems(html: str, table_id: str) -> list[tuple[str, ...]]:
    """The check page's problem table ("training-errors", "staff-warnings"...): (row,
    column, value, what to do) for each problem listed."""
    return [tuple(row) for row in rows_of(html, table_id)[1:]]  # the heading row dropped


def counts(html: str, list_id: str = "import-counts") -> dict[str, int]:
    """A summary list of counts ("changes" on the check page, "import-counts" when done)."""
    return {key: int(value.replace(",", "")) for key, value in rows_of(html, list_id)}


def file_problems(html: str, kind: str) -> list[str]:
    """The messages of the "This file cannot be imported" box of the staff or training file."""
    return [item for [item] in rows_of(html, f"{kind}-file-problems")]


# --- the journey -----------------------------------------------------------------------


@dataclass
class Journey:
    """A provider user's browser on the upload pages (CSRF tokens sent as a browser does)."""

    client: Any
    provider_id: int
    csrf: str = ""

    @property
    def base(self) -> str:
        return f"/provider/{self.provider_id}/uploads/staff-and-training"

    @classmethod
    def signed_in(cls, client, email: str, provider_id: int) -> Journey:
        page = client.get("/sign-in").get_data(as_text=True)
        response = client.post(
            "/sign-in",
            data={"email": email, "password": PASSWORD, "csrf_token": csrf_token_from(page)},
        )
        assert response.status_code == 302, "sign-in failed"
        journey = cls(client, provider_id)
        page = journey.page(journey.base)
        journey.csrf = csrf_token_from(page)
        return journey

    def page(self, url: str, status: int = 200) -> str:
        response = self.client.get(url)
        assert response.status_code == status, (url, response.status_code, response.location)
        html = response.get_data(as_text=True)
        check_page(html)
        return html

    def post_files(
        self, staff: tuple[bytes, str] | None = None, training: tuple[bytes, str] | None = None
    ):
        """POST the upload form with each file as (bytes, file name)."""
        data: dict[str, Any] = {"csrf_token": self.csrf}
        if staff is not None:
            data["staff_file"] = (io.BytesIO(staff[0]), staff[1])
        if training is not None:
            data["training_file"] = (io.BytesIO(training[0]), training[1])
        return self.client.post(self.base, data=data, content_type="multipart/form-data")

    def upload(self, staff: bytes | None = None, training: bytes | None = None, **names) -> str:
        """Upload and return the batch token (file names default to staff.csv/training.csv)."""
        response = self.post_files(
            (staff, names.get("staff_name", "staff.csv")) if staff is not None else None,
            (training, names.get("training_name", "training.csv"))
            if training is not None
            else None,
        )
        assert response.status_code == 302, response.status_code
        assert "/check?batch=" in response.location
        return parse_qs(urlparse(response.location).query)["batch"][0]

    def check(self, token: str) -> str:
        return self.page(f"{self.base}/check?batch={token}")

    def confirm(self, token: str):
        return self.client.post(
            f"{self.base}/confirm", data={"batch": token, "csrf_token": self.csrf}
        )

    def confirm_and_finish(self, token: str) -> str:
        """Confirm; the job runs in-process (no Redis), so progress leads on to done."""
        response = self.confirm(token)
        assert response.status_code == 302, response.status_code
        progress = self.client.get(response.location)
        assert progress.status_code == 302 and "/done?batch=" in progress.location
        return self.page(progress.location)

    def import_files(self, staff: bytes | None = None, training: bytes | None = None) -> str:
        """Upload, check there is nothing to fix, confirm: the done page."""
        token = self.upload(staff, training)
        html = self.check(token)
        assert 'id="confirm-import"' in html, problems(html, "staff-errors") + problems(
            html, "training-errors"
        )
        done = self.confirm_and_finish(token)
        assert "Your files have been imported" in done
        return done


# --- what is stored ----------------------------------------------------------------------


def stored_staff(provider_id: int) -> list[Row]:
    """Every column of the provider's staff records, by worker ID."""
    db.session.expire_all()
    columns = StaffMember.__table__.columns
    return list(
        db.session.execute(
            select(*columns)
            .where(StaffMember.provider_id == provider_id)
            .order_by(StaffMember.worker_id)
        )
    )


def stored_training(provider_id: int) -> list[Row]:
    """Every column of the provider's training records (ids too), with the worker ID first."""
    db.session.expire_all()
    return list(
        db.session.execute(
            select(StaffMember.worker_id, *TrainingRecord.__table__.columns)
            .join(StaffMember, TrainingRecord.staff_id == StaffMember.id)
            .where(StaffMember.provider_id == provider_id)
            .order_by(StaffMember.worker_id, TrainingRecord.id)
        )
    )


def training_of(provider_id: int, worker_id: str) -> list[TrainingRecord]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(TrainingRecord)
            .join(StaffMember, TrainingRecord.staff_id == StaffMember.id)
            .where(StaffMember.provider_id == provider_id, StaffMember.worker_id == worker_id)
            .order_by(TrainingRecord.id)
        )
    )


def batch_status(token: str) -> str:
    db.session.expire_all()
    return db.session.scalar(select(UploadBatch.status).where(UploadBatch.token == token))


def stored_files() -> list[str]:
    """The uploaded files kept in the database, as "<token>.<kind>"."""
    db.session.expire_all()
    rows = db.session.execute(select(StoredFile.token, StoredFile.kind)).all()
    return sorted(f"{token}.{kind}" for token, kind in rows)
