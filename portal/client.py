"""Who is asking, for audit rows: the client's address (after ``ProxyFix``), or None
outside a request (a job, the CLI). Domain code records it through here and never reads
the request itself."""

from __future__ import annotations

from flask import has_request_context, request


def client_ip() -> str | None:
    return request.remote_addr if has_request_context() else None
