"""What every API call goes through: the audit row with the key's name, the per-key rate
limit (RateLimit headers, 429 with Retry-After), key expiry, and last used."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from sqlalchemy import select

from portal.api.auth import new_key
from portal.clock import as_utc, utcnow
from portal.extensions import db
from portal.models import ApiCall, ApiKey


def _key(contracted, **options):
    key, secret = new_key(contracted.provider.id, "Rota system", contracted.manager.id, **options)
    db.session.commit()
    return key, {"Authorization": f"Bearer {secret}"}


def test_every_call_is_audited_with_the_keys_name_and_the_key_shows_when_it_was_used(
    client, contracted
):
    key, headers = _key(contracted)
    base = f"/api/v1/providers/{contracted.provider.id}"
    assert client.get(base + "/returns", headers=headers).status_code == 200
    assert client.get(base + "/returns/999999", headers=headers).status_code == 404
    calls = db.session.scalars(select(ApiCall).order_by(ApiCall.id)).all()
    assert [(c.key_name, c.method, c.path, c.status) for c in calls] == [
        ("Rota system", "GET", base + "/returns", 200),
        ("Rota system", "GET", base + "/returns/999999", 404),
    ]
    db.session.refresh(key)
    assert key.last_used_at is not None


def test_calls_past_the_keys_limit_get_429_and_the_headers_say_what_is_left(
    app, client, contracted
):
    app.config["API_RATE_LIMIT_PER_MINUTE"] = 3
    _, headers = _key(contracted)
    _, other_headers = _key(contracted)
    url = f"/api/v1/providers/{contracted.provider.id}/returns"
    if utcnow().second >= 55:  # the window is the clock's minute: start in a fresh one
        time.sleep(61 - utcnow().second)
    answers = [client.get(url, headers=headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    refused = answers[3]
    assert refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "wait" in refused.get_json()["detail"]
    # The limit is per key: another key of the same provider still gets in.
    assert client.get(url, headers=other_headers).status_code == 200


def test_an_expired_key_is_refused_with_the_date_it_expired(client, contracted):
    _, headers = _key(contracted, expires_at=utcnow() - timedelta(minutes=1))
    response = client.get(f"/api/v1/providers/{contracted.provider.id}/returns", headers=headers)
    assert response.status_code == 401
    assert "expired on" in response.get_json()["detail"]
    assert db.session.scalar(select(ApiCall.id)) is None  # no call made: nothing to audit
    _, live = _key(contracted, expires_at=utcnow() + timedelta(days=30))
    ok = client.get(f"/api/v1/providers/{contracted.provider.id}/returns", headers=live)
    assert ok.status_code == 200


def test_a_provider_manager_chooses_when_a_key_expires(provider_manager_client, contracted):
    page_url = f"/provider/{contracted.provider.id}/api-keys"
    page = provider_manager_client.get(page_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    made = provider_manager_client.post(
        page_url, data={"csrf_token": token, "name": "Rota", "expires": "90"}
    )
    assert made.status_code == 200
    key = db.session.scalar(select(ApiKey).where(ApiKey.name == "Rota"))
    left = as_utc(key.expires_at) - utcnow()
    assert timedelta(days=89) < left <= timedelta(days=90)
    listed = provider_manager_client.get(page_url).get_data(as_text=True)
    assert as_utc(key.expires_at).strftime("%-d %B %Y") in listed


def test_a_key_in_flight_is_refused_and_one_its_process_left_behind_is_taken_over(
    client, contracted
):
    """A reservation with no answer is a request still running (409); one older than
    ``ABANDONED_AFTER`` was left by a process that died, and the retry runs."""
    from portal.api.calls import ABANDONED_AFTER
    from portal.models import ApiIdempotency
    from tests.examples import EXAMPLE_KPIS

    key, headers = _key(contracted)
    url = f"/api/v1/providers/{contracted.provider.id}/returns/{contracted.ret.id}/sections/kpis"
    for name, age in (("running-now-0001", timedelta(0)),
                      ("left-behind-0001", ABANDONED_AFTER + timedelta(seconds=5))):  # fmt: skip
        db.session.add(ApiIdempotency(key_id=key.id, idempotency_key=name, method="PUT",
                                      path=url, created_at=utcnow() - age))  # fmt: skip
    db.session.commit()
    body = {"answers": EXAMPLE_KPIS}

    running = client.put(url, json=body, headers={**headers, "Idempotency-Key": "running-now-0001"})
    assert running.status_code == 409 and running.mimetype == "application/problem+json"
    assert running.get_json()["detail"].startswith(
        "A request with this Idempotency-Key is still being processed"
    )
    assert running.headers["Retry-After"]
    retried = client.put(url, json=body, headers={**headers, "Idempotency-Key": "left-behind-0001"})
    assert retried.status_code == 200
    again = client.put(url, json=body, headers={**headers, "Idempotency-Key": "left-behind-0001"})
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == retried.get_json()
