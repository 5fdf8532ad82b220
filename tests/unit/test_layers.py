"""Low layers never import high ones: the application records jobs and never imports
``workers`` (the worker imports handlers by dotted name), and nothing below the blueprints'
app factory imports ``create_app``."""

from __future__ import annotations

import ast
from pathlib import Path

from portal.background.kinds import HANDLERS, find

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return found


def test_the_application_never_imports_workers_or_the_app_factory():
    offenders = []
    for path in sorted(PORTAL.rglob("*.py")):
        names = _imports(path)
        if any(n == "workers" or n.startswith("workers.") for n in names):
            offenders.append(f"{path.relative_to(PORTAL)} imports workers")
        if path != PORTAL / "__init__.py" and "portal.create_app" in names:
            offenders.append(f"{path.relative_to(PORTAL)} imports create_app")
    assert offenders == []


def test_every_job_kind_names_a_handler_that_can_be_imported():
    for kind, handler in HANDLERS.items():
        assert callable(handler.function()), kind
    assert find("no-such-kind") is None  # a kind that names nothing is refused


DOMAIN = [
    "background", "disclosure", "feedback", "market", "models", "packs", "queries", "returns",
    "uploads",
    "display.py", "mandatory.py", "matrix.py", "quality_records.py", "risk.py", "risk_triggers.py",
    "training_compliance.py", "training_matrix_suppression.py", "vocabulary.py",
]  # fmt: skip
PAGE_NAMES = {"request", "render_template", "flash", "redirect", "Blueprint", "abort", "session"}


def test_domain_code_never_reads_the_request_or_renders_pages():
    """The shared rules work the same from a page, the API, the CLI or a job: no domain
    module takes ``request``, ``session`` or the page helpers from Flask (the client's
    address comes through ``portal.client``)."""
    offenders = []
    for name in DOMAIN:
        root = PORTAL / name
        for path in [root] if root.suffix == ".py" else sorted(root.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module == "flask":
                    used = {alias.name for alias in node.names} & PAGE_NAMES
                    if used:
                        offenders.append(f"{path.relative_to(PORTAL)}: {sorted(used)}")
    assert offenders == []
