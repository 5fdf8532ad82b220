"""Links in e-mails come from BASE_URL, and production answers only its own host names.

A probe sent ``POST /password-reset`` with ``Host: attacker.example`` and got a reset link
to attacker.example by e-mail, whose token worked on the real host (issue 12).
"""

import re
from pathlib import Path

import pytest

from portal.app import create_app
from portal.config import ConfigError, from_environment
from portal.extensions import db
from portal.models import Role
from tests.conftest import base_config, csrf_token_from, mail_config
from tests.factories import PASSWORD, make_provider, make_user

REPO = Path(__file__).resolve().parents[2]
BASE_URL = "https://returns.example.gov.uk"
FORGED = {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"}


def _links(message) -> list[str]:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.findall(r"https?://\S+", body)


def _ask_for_reset_on_forged_host(client, email):
    # The whole visit is on the forged host, so the session (and CSRF) cookie is too.
    page = client.get("/password-reset", base_url="http://attacker.example", headers=FORGED)
    return client.post(
        "/password-reset",
        base_url="http://attacker.example",
        headers=FORGED,
        data={"email": email, "csrf_token": csrf_token_from(page.text)},
    )


def test_reset_link_comes_from_base_url_whatever_the_host_header(app, client, mail_server):
    app.config.update(mail_config(mail_server), BASE_URL=BASE_URL)
    user = make_user(Role.ADMIN)
    response = _ask_for_reset_on_forged_host(client, user.email)
    assert response.status_code == 200
    (message,) = mail_server
    links = _links(message)
    assert links and all(link.startswith(BASE_URL + "/password-reset/") for link in links)
    assert "attacker.example" not in message.as_string()


def test_unknown_address_email_link_comes_from_base_url(app, client, mail_server):
    app.config.update(mail_config(mail_server), BASE_URL=BASE_URL)
    _ask_for_reset_on_forged_host(client, "nobody@example.org")
    (message,) = mail_server
    assert _links(message) == [BASE_URL + "/password-reset"]


def test_invitation_link_comes_from_base_url_whatever_the_host_header(app, mail_server):
    app.config.update(mail_config(mail_server), BASE_URL=BASE_URL)
    provider = make_provider()
    manager = make_user(Role.PROVIDER_MANAGER, provider=provider)
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_HOST"] = "attacker.example"
    url = f"/provider/{provider.id}/users/invite"
    assert _sign_in_on_forged_host(client, manager.email).status_code == 302
    token = csrf_token_from(client.get(url, base_url="http://attacker.example").text)
    response = client.post(
        url,
        base_url="http://attacker.example",
        data={
            "csrf_token": token,
            "name": "Pat New",
            "email": "pat.new@example.org",
            "role": "provider-submitter",
        },
    )
    assert response.status_code == 302
    (message,) = mail_server
    links = _links(message)
    assert links and all(link.startswith(BASE_URL + "/invitation/") for link in links)
    assert "attacker.example" not in message.as_string()


def _sign_in_on_forged_host(client, email):
    page = client.get("/sign-in", base_url="http://attacker.example").text
    return client.post(
        "/sign-in",
        base_url="http://attacker.example",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token_from(page)},
    )


def test_no_code_builds_links_from_the_request_host():
    """``_external=True`` and ``request.host_url``/``url_root`` take the Host header."""
    offenders = []
    for folder in ("portal", "workers"):
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in ("_external=True", "host_url", "url_root"):
                if pattern in text:
                    offenders.append(f"{path.relative_to(REPO)}: {pattern}")
    for path in (REPO / "templates").rglob("*.*"):
        if "_external" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def _production_env(monkeypatch, **extra):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-key-that-is-long-enough")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


def test_production_needs_base_url(monkeypatch, tmp_path):
    _production_env(monkeypatch)
    monkeypatch.delenv("BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="BASE_URL must be set"):
        from_environment(str(tmp_path))
    monkeypatch.setenv("BASE_URL", "returns.example.gov.uk")
    with pytest.raises(ConfigError, match="BASE_URL must be a full address"):
        from_environment(str(tmp_path))


def test_trusted_hosts_default_to_the_host_of_base_url_in_production(monkeypatch, tmp_path):
    _production_env(monkeypatch, BASE_URL=BASE_URL + "/")
    config = from_environment(str(tmp_path))
    assert config["BASE_URL"] == BASE_URL
    assert config["TRUSTED_HOSTS"] == ["returns.example.gov.uk"]
    monkeypatch.setenv("TRUSTED_HOSTS", "returns.example.gov.uk, portal.internal")
    config = from_environment(str(tmp_path))
    assert config["TRUSTED_HOSTS"] == ["returns.example.gov.uk", "portal.internal"]
    monkeypatch.setenv("PORTAL_ENV", "development")
    monkeypatch.delenv("TRUSTED_HOSTS")
    assert from_environment(str(tmp_path))["TRUSTED_HOSTS"] is None  # a laptop: any host


def test_production_refuses_an_untrusted_host(monkeypatch, tmp_path):
    _production_env(monkeypatch, BASE_URL=BASE_URL)
    app = create_app(base_config(f"sqlite:///{tmp_path / 'prod.db'}"))
    with app.app_context():
        db.create_all()
    client = app.test_client()
    forged = client.get("/sign-in", headers={"Host": "attacker.example"})
    assert forged.status_code == 400
    forged_reset = client.post(
        "/password-reset", data={"email": "x@example.org"}, headers={"Host": "attacker.example"}
    )
    assert forged_reset.status_code == 400
    own = client.get("/sign-in", base_url=BASE_URL)
    assert own.status_code == 200
    assert "Sign in" in own.text
    assert "does not answer to that address" in forged.text  # not a 500


def test_receipt_email_has_one_fact_a_line_and_a_link_from_base_url(app, mail_server):
    from portal.returns import service
    from portal.vocabulary import SectionState
    from tests.factories import open_return
    from tests.unit.council.test_return_review import KPIS

    app.config.update(mail_config(mail_server), BASE_URL=BASE_URL, TODAY="2026-11-23")
    ret = open_return()
    user = make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider)
    for s in ret.sections:
        data = KPIS if s.code == "kpis" else {"none": True}
        service.save_section(ret, s.code, data, SectionState.COMPLETED, s.revision, user)
    service.submit(ret.id, user, "receipt-layout-key")
    (message,) = mail_server
    body = message.get_body(preferencelist=("plain",)).get_content()
    lines = body.splitlines()
    contract_line = next(line for line in lines if line.startswith("Contract: "))
    assert "Month:" not in contract_line
    assert "Month: October 2026" in lines
    assert _links(message) == [
        f"{BASE_URL}/provider/{ret.contract.provider_id}/returns/{ret.id}/history"
    ]
