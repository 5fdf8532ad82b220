"""Uploaded files kept between their check and their import (or save), where every web
process and every worker, on any machine, can read them: the database (``StoredFile``).

A file is named by its upload's token and its kind ("staff", "training", "section",
"section-note"); the user's file name is never part of it. Nothing here commits: a file is
stored, read and deleted in the caller's transaction, so an upload and the row that names
it are kept together or not at all.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, select

from portal.extensions import db
from portal.models.uploads import StoredFile

KINDS = frozenset({"staff", "training", "section", "section-note", "register", "register-note"})
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _checked(token: str, kind: str) -> None:
    if kind not in KINDS or not _TOKEN.fullmatch(token or ""):
        raise ValueError("bad upload token or kind")


def put(token: str, kind: str, content: bytes) -> None:
    """Keep ``content`` as the ``kind`` file of upload ``token`` (replacing one kept)."""
    _checked(token, kind)
    delete_files(token, (kind,))
    db.session.add(StoredFile(token=token, kind=kind, content=content))
    db.session.flush()


def get(token: str, kind: str, newer_than: datetime | None = None) -> bytes | None:
    """The ``kind`` file of upload ``token``; None when there is none (or it was stored
    before ``newer_than``)."""
    if kind not in KINDS or not _TOKEN.fullmatch(token or ""):
        return None
    query = select(StoredFile.content).where(StoredFile.token == token, StoredFile.kind == kind)
    if newer_than is not None:
        query = query.where(StoredFile.created_at >= newer_than)
    return db.session.scalar(query)


def delete_files(token: str, kinds=KINDS) -> None:
    """Delete upload ``token``'s files of ``kinds`` (all by default)."""
    db.session.execute(
        delete(StoredFile).where(StoredFile.token == token, StoredFile.kind.in_(list(kinds))),
        execution_options={"synchronize_session": False},
    )


def delete_tokens(tokens, kinds=KINDS) -> None:
    """Delete every file of these uploads (of ``kinds``)."""
    tokens = list(tokens)
    if tokens:
        db.session.execute(
            delete(StoredFile).where(
                StoredFile.token.in_(tokens), StoredFile.kind.in_(list(kinds))
            ),
            execution_options={"synchronize_session": False},
        )


def delete_older_than(cutoff: datetime, kinds=KINDS) -> None:
    """Delete the files of ``kinds`` stored before ``cutoff``."""
    db.session.execute(
        delete(StoredFile).where(StoredFile.created_at < cutoff, StoredFile.kind.in_(list(kinds))),
        execution_options={"synchronize_session": False},
    )
