"""The OpenAPI operations of the staff and training record endpoints (``v1``), which
take ASC-WDS rows keyed by column names: ``StaffRow`` and ``TrainingRow``
(``portal.schemas.records``), checked by the bulk upload's rules."""

from __future__ import annotations


def _rows(kind: str) -> dict:
    """A list of rows of ``kind`` (``StaffRow``, ``TrainingRow``); other columns are
    ignored, as in a file."""
    return {"type": "array", "items": {"$ref": f"#/components/schemas/{kind}"}, "minItems": 1}


JSON = "application/json"


def _ref(name: str) -> dict:
    """A schema of ``portal.schemas.listings``, registered under ``name`` (``openapi``)."""
    return {"$ref": f"#/components/schemas/{name}"}


PROBLEMS = _ref("RowCheck")
PAGE = [{"in": "query", "name": "page", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000}}]  # fmt: skip


def _check(what: str, kind: str) -> dict:
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
                            "properties": {"rows": _rows(kind)},
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


def _listing(name: str, page_schema: str, extra: list | None = None) -> dict:
    return {
        "get": {
            "tags": ["Staff and training records"],
            "summary": f"List the provider's {name} records, 500 a page",
            "parameters": PAGE + (extra or []),
            "responses": {
                "200": {"description": "A page", "content": {JSON: {"schema": _ref(page_schema)}}}
            },
        }
    }


RECORD_OPERATIONS: dict[str, dict] = {
    "api_v1.check_staff": _check("staff", "StaffRow"),
    "api_v1.check_training": _check("training", "TrainingRow"),
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
                            "properties": {
                                "staff": _rows("StaffRow"),
                                "training": _rows("TrainingRow"),
                            },  # fmt: skip
                            "anyOf": [{"required": ["staff"]}, {"required": ["training"]}],
                        }
                    }
                },
            },  # fmt: skip
            "responses": {
                "200": {
                    "description": "Imported: what changed, and any warnings",
                    "content": {JSON: {"schema": _ref("Imported")}},
                }
            },
        }
    },
    "api_v1.list_staff": _listing("staff", "StaffPage"),
    "api_v1.list_training": _listing(
        "training",
        "TrainingPage",
        [{"in": "query", "name": "worker", "required": False, "schema": {"type": "string"}}],
    ),
}
