"""On PostgreSQL: the returns grid and *Your returns* read each return as a glance (one
grouped query, the training section's JSON read in SQL); what they show must be what the
return itself says (ADR 0021)."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.extensions import db
from portal.models import ReturnStatus, Role, SectionState
from portal.queries import returns as return_queries
from portal.returns import service
from tests.factories import add_version, make_user, open_return
from tests.unit.conftest import sign_in


def _glance(ret):
    (glance,) = [g for g in return_queries.return_glances([ret.contract]) if g.id == ret.id]
    return glance


def test_a_glance_says_what_the_return_says(app):
    app.config["TODAY"] = "2026-11-23"
    ret = open_return()
    user = make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider)
    glance = _glance(ret)
    assert (glance.sent, glance.version_count, glance.first_sent_at) == (False, 0, None)
    assert service.display_status(glance) == service.display_status(ret)

    first = add_version(ret, user, at=datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    add_version(ret, user, at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    ret.status = ReturnStatus.QUERIED
    db.session.commit()
    glance = _glance(ret)
    assert glance.version_count == 2 and glance.first_sent_at == first.submitted_at
    assert service.display_status(glance).text == "Queried"

    # Training records changed after it was sent: the JSON flag is read in SQL.
    training = service.section(ret, "training")
    training.state, training.data = SectionState.IN_PROGRESS, {"confirmed": False}
    db.session.commit()
    glance = _glance(ret)
    assert glance.training_unconfirmed and ret.training_unconfirmed
    assert service.display_status(glance).text == "Changed since sent"
    # Confirmed again (true, not false) or never confirmed (no flag): not "changed".
    for data in ({"confirmed": True}, {}):
        training.data = data
        db.session.commit()
        assert not _glance(ret).training_unconfirmed
        assert service.display_status(ret).text == "Queried"


def test_your_returns_lists_a_changed_return_to_do_on_postgres(app, client):
    app.config["TODAY"] = "2026-11-23"
    ret = open_return()
    user = make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider)
    add_version(ret, user)
    training = service.section(ret, "training")
    training.state, training.data = SectionState.IN_PROGRESS, {"confirmed": False}
    db.session.commit()
    sign_in(client, user.email)
    html = client.get(f"/provider/{ret.contract.provider_id}/returns").get_data(as_text=True)
    to_do = html.split("Past returns", 1)[0]
    assert "Returns to do" in to_do and "Changed since sent" in to_do
