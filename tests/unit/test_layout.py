"""The layering rules of ``.importlinter`` hold (pages reach data through query modules;
only entry points make the app; the application never imports the workers; domain code
never imports pages) and modules stay readable (issue 11). ``make test`` runs this, so a
page that builds its own query, or a function that grows past complexity 15, fails the
build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=300)


def test_import_contracts_are_kept():
    assert LINT_IMPORTS.exists(), "import-linter is not installed: run make install"
    result = _run(str(LINT_IMPORTS), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Blueprints reach data through query modules KEPT" in result.stdout
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_no_module_too_long_and_no_function_too_complex():
    """At most 400 lines a module and complexity 15 a function (radon), as ``make lint``
    checks; here too so CI fails when one grows past it."""
    result = _run(sys.executable, ".ci/size_and_complexity.py")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "first_import",
    ["portal.vocabulary", "portal.models", "portal.models.accounts", "portal.models.work"],
)
def test_the_vocabulary_and_the_models_import_in_any_order(first_import):
    """The models import the vocabulary, which re-exports job and upload statuses from
    the models: whichever a process imports first, every name is there."""
    code = (
        f"import {first_import}\n"
        "from portal.vocabulary import JOB_STATUSES, UPLOAD_DONE, PROVIDER_ROLES, Role\n"
        "from portal.models import Role as ModelsRole\n"
        "from portal.models.accounts import PROVIDER_ROLES as ACCOUNT_ROLES\n"
        "assert ModelsRole is Role and ACCOUNT_ROLES is PROVIDER_ROLES\n"
        "assert JOB_STATUSES == ('queued', 'running', 'done', 'failed'), JOB_STATUSES\n"
        "assert UPLOAD_DONE == 'done'\n"
    )
    result = _run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr


def test_every_page_module_is_in_the_blueprint_contract():
    """A new page cannot slip past the contract: every module that makes a Blueprint is
    listed in it."""
    config = (REPO / ".importlinter").read_text()
    section = config.split("[importlinter:contract:blueprints-use-query-modules]")[1]
    listed = set(section.split("source_modules =")[1].split("forbidden_modules")[0].split())
    pages = {
        ".".join(path.relative_to(REPO).with_suffix("").parts)
        for path in (REPO / "portal").rglob("*.py")
        if "Blueprint(" in path.read_text()
    }
    assert pages - listed == set()
