"""Reads never write: every GET route, opened by every role allowed to open it, leaves
every table exactly as it was (row counts and a checksum of every row), except the
signed-in session's own last-seen time, which the idle timeout needs (and, for the API,
the key's last-used time and the log of the call itself).

Reuses the access guardrail's world and URL building, so a new route is walked here too.
"""

from __future__ import annotations

import hashlib

from portal.access import Access
from portal.api.auth import ApiAccess
from portal.extensions import db
from tests.unit.conftest import sign_in
from tests.unit.test_access_guardrail import _endpoints, _url, tenancy  # noqa: F401

# (table, column) pairs a GET may change: the signed-in session's last-seen time, and its
# API twin, the key's last-used time (written at most every few minutes).
MAY_CHANGE = {("user_session", "last_seen_at"), ("api_key", "last_used_at")}
# The API's record of the call itself (issue 18: every call is audited with its key's name,
# and the rate limit counts these rows): a log of the request, not a change to the data.
CALL_LOG = "api_call"
NOT_WALKED = {"static", "assets"}  # files on disk, no database


def snapshot() -> dict[str, tuple[int, str]]:
    """Each table's row count and a checksum of its rows (in primary-key order)."""
    db.session.expire_all()
    found = {}
    for table in db.metadata.sorted_tables:
        if table.name == CALL_LOG:
            continue
        columns = [c for c in table.columns if (table.name, c.name) not in MAY_CHANGE]
        rows = db.session.execute(db.select(*columns).order_by(*table.primary_key.columns)).all()
        digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
        found[table.name] = (len(rows), digest)
    db.session.rollback()
    return found


def changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def test_every_get_route_leaves_the_database_unchanged(app, tenancy):  # noqa: F811
    # Weeks after the world was made: November's and December's returns are due to exist
    # and the stored ratings are from an earlier day, so a read that opened returns or
    # re-rated a provider would show here.
    app.config["TODAY"] = "2027-01-20"
    clients = {}
    for role, user in tenancy["users"].items():
        clients[role] = app.test_client()
        assert sign_in(clients[role], user.email).status_code == 302
    anonymous = app.test_client()
    key = {"Authorization": f"Bearer {tenancy['keys']['own']}"}
    walked = 0
    for endpoint, rule in _endpoints(app):
        if "GET" not in rule.methods or endpoint in NOT_WALKED:
            continue
        access: Access = app.view_functions[endpoint].access
        url = _url(app, rule, tenancy["own"])
        if isinstance(access, ApiAccess):
            visits = [(anonymous, key)]
        elif access.public:
            visits = [(anonymous, {})]
        else:
            visits = [(clients[role], {}) for role in tenancy["users"] if role in access.roles]
        for client, headers in visits:
            before = snapshot()
            response = client.get(url, headers=headers)
            assert response.status_code < 500, (endpoint, response.status_code)
            assert not changed(before, snapshot()), (endpoint, url, changed(before, snapshot()))
            walked += 1
    assert walked >= 60
