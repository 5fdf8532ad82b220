"""The busiest pages read what they show in a fixed number of queries: a provider's
*Your returns* and the council's returns grid take no more queries with more months of
returns, sent or not (each return's versions and sections lazily loaded was one round trip
per return), and the header's unread count comes with the session, not on its own."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event

from portal.extensions import db
from portal.models import ReturnStatus
from portal.queries.returns import returns_of_contracts
from portal.returns import service
from tests.factories import add_version


def _statements(client, path: str) -> list[str]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def test_more_returns_take_no_more_queries(app, contracted, provider_client, commissioner_client):
    app.config["TODAY"] = "2027-03-23"
    pages = [
        (provider_client, f"/provider/{contracted.provider.id}/returns"),
        (commissioner_client, f"/council/{contracted.council.id}/returns"),
    ]
    for client, path in pages:
        client.get(path)  # anything a first request does once
    before = [len(_statements(client, path)) for client, path in pages]

    service.ensure_returns([contracted.contract], on=date(2027, 3, 23))
    opened = returns_of_contracts([contracted.contract.id])
    assert len(opened) >= 5  # more months open than before
    for ret in opened[:3]:
        add_version(ret, contracted.submitter)
        add_version(ret, contracted.submitter, status=ReturnStatus.QUERIED)
    db.session.remove()

    provider_page = provider_client.get(pages[0][1]).text
    assert provider_page.count("return to ") >= 3  # the past returns are listed
    after = [len(_statements(client, path)) for client, path in pages]
    assert after == before


def test_the_unread_count_comes_with_the_session(app, contracted, provider_client):
    statements = _statements(provider_client, f"/provider/{contracted.provider.id}/returns")
    assert not [s for s in statements if "notification" in s and "user_session" not in s]


def test_the_task_list_says_missing_or_overdue_by_whether_a_version_was_sent(
    app, contracted, provider_client
):
    """The return's page reads "sent" with the return (no query for its versions); a
    locked return never sent is Missing, one sent before and back in progress is not."""
    ret = contracted.ret
    path = f"/provider/{contracted.provider.id}/returns/{ret.id}"
    app.config["TODAY"] = "2027-02-22"  # the October return locked long ago
    statements = _statements(provider_client, path)
    assert "Missing" in provider_client.get(path).text
    assert not [s for s in statements if s.startswith("SELECT return_version.")]

    add_version(ret, contracted.submitter, status=ReturnStatus.IN_PROGRESS)
    db.session.remove()
    page = provider_client.get(path).text
    assert "Missing" not in page
    assert "Overdue" in page


def test_a_sent_return_s_task_list_shows_it_submitted_with_its_caption(contracted, provider_client):
    ret = contracted.ret
    path = f"/provider/{contracted.provider.id}/returns/{ret.id}"
    caption = f"{contracted.council.name}, {contracted.framework.name}"
    add_version(ret, contracted.submitter)
    db.session.remove()
    page = provider_client.get(path).text
    assert '<strong class="govuk-tag govuk-tag--blue">Submitted</strong>' in page
    assert caption in page


def test_the_task_list_reads_the_thread_only_when_there_is_one(app, contracted, provider_client):
    from portal.returns import review

    ret = contracted.ret
    path = f"/provider/{contracted.provider.id}/returns/{ret.id}"
    statements = _statements(provider_client, path)
    assert not [s for s in statements if s.startswith("SELECT return_comment.")]

    add_version(ret, contracted.submitter)
    review.query(ret, contracted.commissioner, "kpis:missed_visits", "Why so many missed?")
    db.session.remove()
    assert "Why so many missed?" in provider_client.get(path).text
