"""The CQC directory: the CSV the CQC publishes of every regulated location (a few
preamble lines, then a heading row), uploaded by an administrator. Columns are matched by
heading as uploads match theirs (case, spaces and punctuation ignored); an upload replaces
the whole directory in one transaction."""

from __future__ import annotations

import re

from sqlalchemy import delete, func, insert, select

from forms import messages
from portal.extensions import db
from portal.models import CqcLocation, User
from portal.setup.audit import record_change
from portal.uploads.reading import open_upload
from portal.uploads.upload_table import FileProblem

# Our field -> the headings the CQC has used for it.
COLUMNS = {
    "location_id": ("Location ID",),
    "location_name": ("Location Name", "Name"),
    "provider_id": ("Provider ID",),
    "provider_name": ("Provider Name", "Brand Name"),
    "postcode": ("Location Postal Code", "Postcode", "Location Postcode"),
    "service_types": ("Service types", "Service Type", "Location Service Types"),
}
REQUIRED = ("location_id", "location_name", "provider_id", "provider_name")
MAX_ROWS = 200_000
PREAMBLE_LINES = 20


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _without_preamble(data: bytes) -> bytes:
    """The file from its heading row on (the first of its first lines naming both a
    location ID and a provider ID column)."""
    lines = data.split(b"\n")
    for index, line in enumerate(lines[:PREAMBLE_LINES]):
        keys = {_key(cell) for cell in line.decode("utf-8-sig", "replace").split(",")}
        if "locationid" in keys and "providerid" in keys:
            return b"\n".join(lines[index:])
    return data


def load_directory(data: bytes, filename: str, actor: User) -> tuple[int, str | None]:
    """Replace the directory with the file's locations: (how many, None) or (0, what is
    wrong with the file), changing nothing."""
    source = open_upload(_without_preamble(data), filename, max_columns=200)
    if isinstance(source, FileProblem):
        return 0, source.message
    try:
        positions = _positions(source.headers)
        if any(field not in positions for field in REQUIRED):
            return 0, messages.CQC_DIRECTORY_COLUMNS
        table = source.read(list(positions.values()), max_rows=MAX_ROWS)
    finally:
        source.close()
    if isinstance(table, FileProblem):
        return 0, table.message
    rows = _rows(table, positions)
    before = db.session.scalar(select(func.count(CqcLocation.id)))
    db.session.execute(delete(CqcLocation))
    if rows:
        db.session.execute(insert(CqcLocation), rows)
    record_change(
        actor, "cqc_directory", None, "uploaded",
        f"Uploaded the CQC directory ({len(rows):,} locations)",
        before={"locations": before}, after={"locations": len(rows)},
    )  # fmt: skip
    db.session.commit()
    return len(rows), None


def _positions(headers: list[str]) -> dict[str, int]:
    wanted = {_key(h): field for field, headings in COLUMNS.items() for h in headings}
    positions: dict[str, int] = {}
    for index, heading in enumerate(headers):
        field = wanted.get(_key(heading))
        if field is not None:
            positions.setdefault(field, index)
    return positions


def _rows(table, positions: dict[str, int]) -> list[dict]:
    """One row per location ID (the first), cut to the columns' sizes."""
    texts = {field: table.columns[p].text() for field, p in positions.items()}
    rows, seen = [], set()
    for i in range(len(table)):
        row = {field: str(texts[field][i]).strip()[:300] for field in texts}
        if not row["location_id"] or row["location_id"] in seen:
            continue
        seen.add(row["location_id"])
        row["location_id"] = row["location_id"][:20]
        row["provider_id"] = row["provider_id"][:20]
        row["postcode"] = (row.get("postcode") or "")[:10] or None
        row["service_types"] = (row.get("service_types") or "")[:500] or None
        rows.append(row)
    return rows
