"""The signed-in user is read as plain values on every request (portal/auth/signed_in.py):
whatever changes on the server between two requests counts at the next one."""

from datetime import timedelta

from sqlalchemy import select, update

from portal.auth.sessions import end_all_sessions
from portal.clock import as_utc, utcnow
from portal.extensions import db
from portal.models import Membership, User, UserSession


def _provider_page(contracted) -> str:
    return f"/provider/{contracted.provider.id}/returns"


def test_a_user_suspended_while_signed_in_is_signed_out_at_the_next_page(
    contracted, provider_client
):
    page = _provider_page(contracted)
    assert provider_client.get(page).status_code == 200
    db.session.execute(update(User).where(User.id == contracted.submitter.id).values(active=False))
    db.session.commit()
    response = provider_client.get(page)
    assert response.status_code == 302 and response.location.startswith("/sign-in")


def test_sessions_ended_on_the_server_are_refused(contracted, provider_client):
    """A password reset ends every session of the user: the cookie no longer works."""
    page = _provider_page(contracted)
    assert provider_client.get(page).status_code == 200
    end_all_sessions(contracted.submitter.id)
    db.session.commit()
    response = provider_client.get(page)
    assert response.status_code == 302 and response.location.startswith("/sign-in")


def test_an_idle_session_is_ended_on_the_server_not_only_refused(contracted, provider_client):
    page = _provider_page(contracted)
    provider_client.get(page)
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()
    assert provider_client.get(page).status_code == 302
    ended = db.session.scalars(select(UserSession.ended_at)).all()
    assert ended and all(at is not None for at in ended)
    db.session.execute(update(UserSession).values(last_seen_at=utcnow()))  # fresh again
    db.session.commit()
    assert provider_client.get(page).status_code == 302  # ended stays ended


def test_a_membership_taken_away_counts_at_the_next_page(contracted, provider_client):
    page = _provider_page(contracted)
    assert provider_client.get(page).status_code == 200
    db.session.execute(
        update(Membership)
        .where(Membership.user_id == contracted.submitter.id)
        .values(provider_id=contracted.other_provider.id)
    )
    db.session.commit()
    assert provider_client.get(page).status_code == 404
    other = provider_client.get(f"/provider/{contracted.other_provider.id}/returns")
    assert other.status_code == 200
    assert contracted.other_provider.name in other.text  # the header's organisation name


def test_a_page_keeps_the_session_alive(contracted, provider_client):
    page = _provider_page(contracted)
    provider_client.get(page)
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=20)))
    db.session.commit()
    assert provider_client.get(page).status_code == 200
    seen = db.session.scalar(select(UserSession.last_seen_at))
    assert utcnow() - as_utc(seen) < timedelta(minutes=1)
