"""The OpenAPI operations of the staff and training record endpoints (``v1``), which
take ASC-WDS rows (keyed by column names, checked by the bulk upload's rules) rather
than a marshmallow schema of their own."""

from __future__ import annotations

ROW = {
    "type": "object",
    "description": "One row, keyed by ASC-WDS column names (UNIQUEWORKERID, LOCALESTID...)",
    "additionalProperties": {"type": ["string", "number", "integer", "null"]},
}
ROWS = {"type": "array", "items": ROW, "minItems": 1}
JSON = "application/json"
PROBLEMS = {
    "type": "object",
    "properties": {
        "errors": {"type": "array", "items": {"type": "object"}},
        "warnings": {"type": "array", "items": {"type": "object"}},
        "error_count": {"type": "integer"},
        "warning_count": {"type": "integer"},
        "summary": {"type": "string"},
        "changes": {"type": ["object", "null"]},
    },
}
PAGE = [{"in": "query", "name": "page", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000}}]  # fmt: skip


def _check(what: str) -> dict:
    return {
        "post": {
            "tags": ["Staff and training records"],
            "summary": f"Check {what} rows; store nothing",
            "description": f"As the bulk upload checks a {what} file: every error and warning "
            "by row and column, and what importing would change.",
            "requestBody": {
                "required": True,
                "content": {
                    JSON: {
                        "schema": {
                            "type": "object",
                            "properties": {"rows": ROWS},
                            "required": ["rows"],
                        }
                    },
                    "text/csv": {"schema": {"type": "string"}},
                },
            },  # fmt: skip
            "responses": {
                "200": {"description": "The check", "content": {JSON: {"schema": PROBLEMS}}}
            },
        }
    }


def _listing(name: str, extra: list | None = None) -> dict:
    listing = {
        "type": "object",
        "properties": {
            name: {"type": "array", "items": {"type": "object"}},
            "page": {"type": "integer"},
            "next": {"type": ["string", "null"]},
        },
    }
    return {
        "get": {
            "tags": ["Staff and training records"],
            "summary": f"List the provider's {name} records, 500 a page",
            "parameters": PAGE + (extra or []),
            "responses": {"200": {"description": "A page", "content": {JSON: {"schema": listing}}}},
        }
    }


RECORD_OPERATIONS: dict[str, dict] = {
    "api_v1.check_staff": _check("staff"),
    "api_v1.check_training": _check("training"),
    "api_v1.import_rows": {
        "post": {
            "tags": ["Staff and training records"],
            "summary": "Check and import staff and/or training rows in one transaction",
            "requestBody": {
                "required": True,
                "content": {
                    JSON: {
                        "schema": {
                            "type": "object",
                            "properties": {"staff": ROWS, "training": ROWS},
                            "anyOf": [{"required": ["staff"]}, {"required": ["training"]}],
                        }
                    }
                },
            },  # fmt: skip
            "responses": {
                "200": {
                    "description": "Imported: what changed, and any warnings",
                    "content": {JSON: {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "api_v1.list_staff": _listing("staff"),
    "api_v1.list_training": _listing(
        "training",
        [{"in": "query", "name": "worker", "required": False, "schema": {"type": "string"}}],
    ),
}
