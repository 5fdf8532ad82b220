"""Files built by jobs (feedback reports, contract-meeting packs), kept in the database:
one copy per kind, council, provider, framework, period and format."""

from __future__ import annotations

from flask import Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models.work import Document

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _where(kind: str, council_id: int, provider_id: int, framework_id: int, period: str, fmt: str):
    return (
        Document.kind == kind,
        Document.council_id == council_id,
        Document.provider_id == provider_id,
        Document.framework_id == framework_id,
        Document.period == period,
        Document.format == fmt,
    )


def find_document(
    kind: str,
    council_id: int,
    period: str,
    fmt: str,
    provider_id: int = 0,
    framework_id: int = 0,
) -> Document | None:
    return db.session.scalar(
        select(Document).where(*_where(kind, council_id, provider_id, framework_id, period, fmt))
    )


def save_document(
    kind: str,
    council_id: int,
    period: str,
    fmt: str,
    filename: str,
    content: bytes,
    provider_id: int = 0,
    framework_id: int = 0,
    job_id: int | None = None,
) -> Document:
    """Insert or replace the one copy. Commits, so a retry finds it done."""
    from portal.clock import utcnow

    for _ in range(2):
        document = find_document(kind, council_id, period, fmt, provider_id, framework_id)
        if document is None:
            document = Document(
                kind=kind,
                council_id=council_id,
                provider_id=provider_id,
                framework_id=framework_id,
                period=period,
                format=fmt,
            )
            db.session.add(document)
        document.filename = filename
        document.content = content
        document.job_id = job_id
        document.built_at = utcnow()
        try:
            db.session.commit()
            return document
        except IntegrityError:  # another run inserted it first: replace theirs
            db.session.rollback()
    raise RuntimeError("could not save the document")


def document_response(document: Document) -> Response:
    response = Response(document.content, mimetype=MEDIA_TYPES.get(document.format))
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
