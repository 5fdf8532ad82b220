"""End-to-end tier: the real app served over HTTP to the system Chromium (Playwright).

One live server per session, on a SQLite file migrated with Alembic and loaded with the
demo data, sending mail to a real local SMTP server. Every page a test visits is checked
with axe-core (WCAG 2.2 AA) and for console errors (a CSP violation is one).
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import CI, Inbox, base_config, free_port, smtp_inbox

REPO = Path(__file__).resolve().parents[2]
AXE_JS = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "demo sign-in for care returns"
SUBMITTER = "submitter@provider.example"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class LiveServer:
    url: str
    app: object
    inbox: Inbox


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from portal.app import create_app
    from portal.demo.seed import load_demo

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    db_file = tmp_path_factory.mktemp("e2e") / "e2e.db"
    with smtp_inbox() as inbox:
        app = create_app(
            base_config(
                f"sqlite:///{db_file}",
                TESTING=False,
                MAIL_HOST="127.0.0.1",
                MAIL_PORT=inbox.port,
                BASE_URL=url,
                # Pinned so the demo's October 2026 returns are open (due 13 November,
                # locked from 3 December) whatever day the suite runs.
                TODAY="2026-11-23",
            )
        )
        with app.app_context():
            upgrade()
            load_demo()
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield LiveServer(url=url, app=app, inbox=inbox)
        finally:
            server.shutdown()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        message = "Chromium is not installed (make browser installs it)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def run_axe(page) -> list[str]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate("() => {" + AXE_JS.read_text() + "\n}")
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results["violations"]
    ]


class Tab:
    """A browser tab that checks every page it lands on."""

    def __init__(self, page, base_url: str, javascript: bool) -> None:
        self.page = page
        self.base_url = base_url
        self.javascript = javascript
        self.errors: list[str] = []
        self.checked: list[str] = []
        self.checker = None
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        # Chromium logs a 4xx/5xx status of the page itself (an error page, a form answered
        # with 400) as a failed load; tests assert those statuses. A failed asset is an error.
        if msg.text.startswith("Failed to load resource") and msg.location.get("url") in (
            self.page.url,
            self.page.url.split("#")[0],
        ):
            return
        self.errors.append(f"console {msg.type}: {msg.text} ({msg.location.get('url')})")

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        return response

    def check_accessibility(self) -> None:
        """axe-core finds no WCAG 2.2 AA violations on the current page.

        axe needs timers, which do not run with JavaScript off; there the page's DOM (as
        the server sent it, scripts removed) is checked in a JavaScript-on checker tab."""
        page = self.page
        page.wait_for_load_state()
        target = page if self.javascript else self._checker_with(page.content())
        violations = run_axe(target)
        assert not violations, f"axe on {page.url} ({page.title()}):\n" + "\n".join(violations)
        self.checked.append(page.url)

    def _checker_with(self, html: str):
        if self.checker is None:
            context = self.page.context.browser.new_context(bypass_csp=True, locale="en-GB")
            self.checker = context.new_page()
            self.checker.goto(self.base_url + "/accessibility")
        html = re.sub(r"<script\b.*?</script>", "", html, flags=re.S | re.I)
        self.checker.set_content(html)
        return self.checker

    def check(self) -> None:
        """The page has its own title, passes axe and logged no errors."""
        self.page.wait_for_load_state()
        title = self.page.title()
        assert title.endswith(" - Care provider returns"), title
        self.check_accessibility()
        assert not self.errors, self.errors

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.goto("/sign-in")
        self.check()
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_role("button", name="Sign in").click()

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        expect(self.page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()


def _tab(browser, live_server: LiveServer, javascript: bool) -> Iterator[Tab]:
    context = browser.new_context(java_script_enabled=javascript, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = Tab(page, live_server.url, javascript)
    try:
        yield tab
        assert not tab.errors, tab.errors
    finally:
        if tab.checker is not None:
            tab.checker.context.close()
        context.close()


@pytest.fixture
def tab(chromium, live_server) -> Iterator[Tab]:
    """A fresh browser context (no cookies) with JavaScript on."""
    yield from _tab(chromium, live_server, javascript=True)


@pytest.fixture
def tab_without_js(chromium, live_server) -> Iterator[Tab]:
    """A fresh browser context with JavaScript switched off."""
    yield from _tab(chromium, live_server, javascript=False)


@dataclass
class Submitted:
    council_id: int
    provider_id: int
    return_id: int
    reference: str


def submit_demo_return(live_server: LiveServer, period, kpis: dict, key: str) -> Submitted:
    """Riverside Home Support's Medway return for ``period``, reopened if it has locked,
    filled in (these KPIs, every other section nil) and submitted by the demo submitter."""
    from datetime import date

    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Contract, Council, MonthlyReturn, Provider, SectionState, User
    from portal.returns import service

    with live_server.app.app_context():
        provider = db.session.scalar(
            select(Provider).where(Provider.slug == "riverside-home-support")
        )
        council = db.session.scalar(select(Council).where(Council.slug == "medway"))
        service.returns_for_provider(provider.id)  # opens the returns if nobody has yet
        ret = db.session.scalar(
            select(MonthlyReturn)
            .join(Contract)
            .where(
                Contract.provider_id == provider.id,
                Contract.council_id == council.id,
                MonthlyReturn.period == period,
            )
        )
        assert ret is not None and not ret.versions, f"no unsent {period} return"
        if service.is_locked(ret):
            ret.reopened_until = date(2026, 12, 31)
            db.session.commit()
        submitter = db.session.scalar(select(User).where(User.email == SUBMITTER))
        for code, _title in service.SECTIONS:
            data = dict(kpis) if code == "kpis" else {"none": True}
            section = service.section(ret, code)
            stale = service.save_section(
                ret, code, data, SectionState.COMPLETED, section.revision, submitter
            )
            assert stale is None
        assert service.incomplete_sections(ret) == []
        result = service.submit(ret.id, submitter, key)
        assert result.new
        return Submitted(council.id, provider.id, ret.id, result.version.reference)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
