"""A checked section file kept between the check and the confirm: in the database
(``file_store``, kinds "section" and "section-note") under a random token, with a note of
the return and section it was checked for. Keeping and discarding commit."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from portal.clock import utcnow
from portal.extensions import db
from portal.uploads import file_store, importing

if TYPE_CHECKING:
    from portal.models import MonthlyReturn

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
DATA, NOTE = "section", "section-note"  # file_store kinds


def _note(ret: MonthlyReturn, code: str) -> dict:
    return {"provider_id": ret.contract.provider_id, "return_id": ret.id, "section": code}


def keep(ret: MonthlyReturn, code: str, data: bytes, filename: str) -> str:
    """Keep a checked file (and delete those never confirmed within a day): committed.
    Returns its token."""
    file_store.delete_older_than(utcnow() - importing.STORED_FOR, (DATA, NOTE))
    token = importing.new_token()
    file_store.put(token, DATA, data)
    note = json.dumps({**_note(ret, code), "filename": filename})
    file_store.put(token, NOTE, note.encode())
    db.session.commit()
    return token


def kept(ret: MonthlyReturn, code: str, token: str) -> tuple[bytes, str] | None:
    """(bytes, file name) kept for this return's section under ``token``, or None."""
    newer_than = utcnow() - importing.STORED_FOR
    data, note_bytes = (file_store.get(token, kind, newer_than) for kind in (DATA, NOTE))
    if data is None or note_bytes is None:
        return None
    try:
        note = json.loads(note_bytes)
    except ValueError:
        return None
    if not isinstance(note, dict) or {k: note.get(k) for k in _note(ret, code)} != _note(ret, code):
        return None
    return data, str(note.get("filename") or "")


def discard(token: str) -> None:
    """Delete a kept file (committed)."""
    if _TOKEN.fullmatch(token or ""):
        file_store.delete_files(token, (DATA, NOTE))
    db.session.commit()
