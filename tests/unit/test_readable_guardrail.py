"""A guardrail against internal keys on the page: every page, as each role that may see it
(walking ``app.url_map`` as the access guardrail does), and every e-mail the review sends,
read as a person reads them, with no ``name[3]``, ``snake_case_key:`` or raw validator
message in their words."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from portal.access import Access
from portal.api.auth import ApiAccess
from portal.extensions import db
from portal.returns import review, service
from portal.vocabulary import SectionState
from tests.conftest import mail_config
from tests.unit.conftest import sign_in
from tests.unit.council.test_return_review import KPIS
from tests.unit.feedback.world import subject  # noqa: F401
from tests.unit.packs.test_packs import quarter_of_returns  # noqa: F401
from tests.unit.test_access_guardrail import _endpoints, _url, tenancy  # noqa: F401

KEY_PATTERNS = [
    re.compile(r"\b\w+\[\d+\]"),  # staff[10], areas[2]
    re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+(?::|\b)"),  # on_time_visits, missed_visits:
    re.compile(r"\b[a-z]+\d*\.[a-z]+_[a-z_]+"),  # area0.spare_hours
    re.compile(r"\b(?:kpis|capacity|handbacks|training|workforce):[a-z_]+"),  # a target
    re.compile(r"Not a valid|This field is required|Invalid choice|Not a valid choice"),
]
# Text that is meant to look like a key: e-mail addresses and addresses on the page.
ALLOWED = re.compile(r"\S+@\S+|https?://\S+|/\S+")


class _Text(HTMLParser):
    """The words a person sees: text outside <script> and <style>."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def leaks(text: str) -> list[str]:
    text = ALLOWED.sub(" ", text)
    return [m.group(0) for pattern in KEY_PATTERNS for m in pattern.finditer(text)]


def _a_reviewed_return(contracted, commissioner):
    """The own return, submitted (by the tenancy fixture), queried about one KPI with a
    warning confirmed, corrected and submitted again: version 2 with changes."""
    ret = contracted.ret
    kpis = service.section(ret, "kpis")
    who, done = contracted.submitter, SectionState.COMPLETED
    service.save_section(
        ret, "kpis", KPIS, done, kpis.revision, who, confirmed_warnings=["on_time_visits:jump"]
    )
    handbacks = service.section(ret, "handbacks")
    rows = [{"reference": "PKG-7", "weekly_hours": "7", "service_type": "homecare",
             "area": "Whole council area", "reason": "staffing", "end_date": "2026-10-20",
             "notice_date": "2026-10-01", "reason_details": ""}]  # fmt: skip
    service.save_section(ret, "handbacks", {"none": False, "rows": rows}, done,
                         handbacks.revision, who)  # fmt: skip
    service.submit(ret.id, contracted.submitter, "readable-guardrail-key-2")
    query = review.query(ret, commissioner, "kpis:on_time_visits", "Is this right?")
    review.reply(ret, contracted.submitter, query, "Yes, it is right.")
    kpis = service.section(ret, "kpis")
    service.save_section(ret, "kpis", {**KPIS, "on_time_visits": "91"}, SectionState.COMPLETED,
                         kpis.revision, contracted.submitter)  # fmt: skip
    service.submit(ret.id, contracted.submitter, "readable-guardrail-key-3")
    return ret


def test_no_page_shows_an_internal_key_to_any_role(app, contracted, tenancy, mail_server):  # noqa: F811
    app.config.update(mail_config(mail_server))
    _a_reviewed_return(contracted, contracted.commissioner)
    found, read = [], 0
    for endpoint, rule in _endpoints(app):
        access: Access = app.view_functions[endpoint].access
        if access.public or isinstance(access, ApiAccess) or "GET" not in rule.methods:
            continue
        url = _url(app, rule, tenancy["own"])
        for role, user in tenancy["users"].items():
            if role not in access.roles:
                continue
            client = app.test_client()
            sign_in(client, user.email)
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            read += 1
            found += [(endpoint, role.value, leak) for leak in leaks(visible_text(response.text))]
    assert read >= 30, read
    assert not found, found


def test_no_email_of_the_review_shows_an_internal_key(app, contracted, tenancy, mail_server):  # noqa: F811
    app.config.update(mail_config(mail_server))
    _a_reviewed_return(contracted, contracted.commissioner)
    review.accept(contracted.ret, contracted.commissioner, "Thank you")
    subjects = {str(m["Subject"]).strip().split(":")[0] for m in mail_server}
    assert {"Return received"} <= subjects and len(mail_server) >= 4
    found = []
    for message in mail_server:
        body = message.get_body(preferencelist=("plain",)).get_content()
        found += [(message["Subject"], leak) for leak in leaks(f"{message['Subject']}\n{body}")]
    assert not found, found


def test_the_guardrail_sees_the_keys_people_were_shown():
    for shown in ("sections.training.staff[17].training[3].category 13 -> 10",
                  "About: KPIs, on_time_visits", "KPIs: packages_started_on_time:jump",
                  "Capacity: area0.spare_hours:unchanged", "Not a valid integer value.",
                  "Capacity: areas[2].specialist[1] (dementia)"):  # fmt: skip
        assert leaks(visible_text(f"<p>{shown}</p>")), shown
    assert not leaks(visible_text("<p>Visits started on time: 1,050 -> 1,110</p>"))
    assert not leaks(visible_text('<script>var on_time_visits = 1</script><a href="/x_y">A</a>'))


def test_a_feedback_report_pdf_shows_no_internal_key(app, subject):  # noqa: F811
    import io

    from pypdf import PdfReader

    from portal.feedback import FEEDBACK
    from portal.models import Document, Role
    from tests.factories import make_user
    from tests.unit.feedback.world import OCT, _build, _query

    commissioner = make_user(Role.COMMISSIONER, council=subject.council)
    _query(subject.ret(subject.provider, OCT), commissioner, "Why so late?", "on_time_visits")
    assert _build(subject).status == "done"
    document = db.session.scalar(db.select(Document).where(Document.kind == FEEDBACK))
    pages = PdfReader(io.BytesIO(document.content)).pages
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pages)
    assert "KPIs: Visits started on time" in text  # what was asked, in words
    assert not leaks(text), leaks(text)


def test_a_pack_workbook_shows_no_internal_key(quarter_of_returns):  # noqa: F811
    import io

    from openpyxl import load_workbook

    from portal.packs.build import build_pack

    council, alpha = quarter_of_returns["council"].id, quarter_of_returns["alpha"].id
    _, xlsx, _ = build_pack(council, alpha, "2026-Q3")
    book = load_workbook(io.BytesIO(xlsx))
    cells = [
        (sheet.title, str(value))
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    ]
    assert len(cells) > 50
    found = [(title, leak) for title, value in cells for leak in leaks(value)]
    assert not found, found


def test_no_account_email_shows_an_internal_key(app, client, mail_server):
    """The other e-mail kinds: an invitation and both password-reset e-mails."""
    from portal.models import Role
    from tests.conftest import csrf_token_from
    from tests.factories import make_provider, make_user

    app.config.update(mail_config(mail_server))
    provider = make_provider()
    manager = make_user(Role.PROVIDER_MANAGER, provider=provider)
    for email in (manager.email, "nobody@example.org"):
        page = client.get("/password-reset")
        client.post(
            "/password-reset", data={"email": email, "csrf_token": csrf_token_from(page.text)}
        )
    sign_in(client, manager.email)
    url = f"/provider/{provider.id}/users/invite"
    token = csrf_token_from(client.get(url).text)
    invite = {"name": "Pat New", "email": "pat.new@example.org", "role": "provider-submitter"}
    client.post(url, data={"csrf_token": token, **invite})
    assert len(mail_server) == 3
    found = []
    for message in mail_server:
        body = message.get_body(preferencelist=("plain",)).get_content()
        found += [(message["Subject"], leak) for leak in leaks(f"{message['Subject']}\n{body}")]
    assert not found, found
