"""CSRF on every POST, security headers, error pages that leak nothing."""

import re

from portal.models import Role
from tests.conftest import csrf_token_from
from tests.factories import make_user
from tests.unit.conftest import get_page, sign_in


def test_post_without_csrf_token_is_refused_with_a_clear_page(app, client):
    user = make_user(Role.ADMIN)
    response = client.post("/sign-in", data={"email": user.email, "password": "x" * 12})
    assert response.status_code == 400
    assert "This page has expired" in response.get_data(as_text=True)


def test_htmx_requests_send_the_csrf_token_in_a_header(app, client):
    user = make_user(Role.ADMIN)
    sign_in(client, user.email)
    html = get_page(client, "/admin")
    assert 'hx-headers="{&#34;X-CSRFToken&#34;' in html  # every htmx request carries it
    token = csrf_token_from(html)
    assert client.post("/sign-out").status_code == 400
    response = client.post("/sign-out", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 302


def test_security_headers_and_csp_nonce(app, client):
    response = client.get("/sign-in")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.get_data(as_text=True)
    assert f'<script nonce="{nonce}">' in html  # the template's one inline script
    assert "<script>" not in html  # no inline script without the nonce
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert client.get("/sign-in").headers["Content-Security-Policy"] != csp  # fresh nonce


def test_authenticated_pages_are_not_stored(app, client):
    user = make_user(Role.ADMIN)
    sign_in(client, user.email)
    assert client.get("/admin").headers["Cache-Control"] == "no-store"
    assert client.get("/assets/portal.css").headers.get("Cache-Control") != "no-store"


def test_404_page(app, client):
    html = get_page(client, "/no-such-page", status=404)
    assert "Page not found" in html


def test_500_page_shows_a_reference_and_no_trace(app, client):
    @app.route("/boom")
    def boom():  # pragma: no cover - the handler is what is tested
        raise RuntimeError("secret internals")

    boom.access = None
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in html and "Traceback" not in html
    assert response.headers["X-Request-Id"] in html


def test_too_large_request_gets_413_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/sign-in", data={"email": "x" * 5000})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "The file is too large" in html
    assert "must be smaller than 1 KB" in html  # the limit in words a person can act on


def test_healthz_reports_database_without_sign_in(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "not configured"},
    }


def test_healthz_reports_unreachable_redis(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"] == "unreachable"
