"""The rules half of each section of the return (and the GOV.UK date parser) has no page
code: the API, uploads, packs and workers can use it without a request."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RULES = sorted((ROOT / "portal" / "returns" / "sections").glob("*_rules.py"))
PAGE_PACKAGES = {"flask", "flask_login", "flask_wtf", "werkzeug", "wtforms", "govuk_frontend_wtf"}


def _imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_every_section_has_a_rules_module():
    names = {path.name.removesuffix("_rules.py") for path in RULES}
    assert names >= {"common", "kpis", "capacity", "handbacks", "training", "workforce"}


@pytest.mark.parametrize(
    "path", [*RULES, ROOT / "forms" / "govuk_dates.py"], ids=lambda path: path.name
)
def test_rules_modules_import_no_page_code(path):
    assert not _imported(path) & PAGE_PACKAGES
