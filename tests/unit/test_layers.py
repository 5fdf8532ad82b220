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
