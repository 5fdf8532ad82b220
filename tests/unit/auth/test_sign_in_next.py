"""After signing in, ``next=`` only ever leads to a page on this service (issue 12).

The raw query strings are the ones a probe of the running portal used: tab and newline
tricks that browsers read as another site, and CR/LF that made Werkzeug answer 500.
"""

import pytest

from portal.auth.safe_next import safe_next
from portal.models import Role
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_user

HOME = "/"


def _sign_in_with_raw_query(client, email: str, raw_query: str):
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    return client.post(
        "/sign-in",
        query_string=raw_query,
        data={"email": email, "password": PASSWORD, "csrf_token": token},
    )


@pytest.mark.parametrize(
    ("raw_query", "location"),
    [
        ("next=/%09/evil.example/phish", HOME),  # the probe's tab trick: //evil.example
        ("next=//evil.example", HOME),
        ("next=//evil.example/x", HOME),
        ("next=/%5Cevil.example", HOME),  # /\evil.example
        ("next=%5C%5Cevil.example", HOME),  # \\evil.example
        ("next=/%2F/evil.example", HOME),  # ///evil.example
        ("next=/%252F%252Fevil.example", HOME),  # //evil.example once decoded again
        ("next=/%2509/evil.example", HOME),  # a tab once decoded again
        ("next=https://evil.example", HOME),
        ("next=https:/evil.example", HOME),
        ("next=/%0d%0aSet-Cookie:x=1", HOME),  # was a 500
        ("next=/returns%0aX-Injected:1", HOME),
        ("next=%20//evil.example", HOME),
        ("next=/%E2%80%A8//evil.example", HOME),  # a Unicode line separator
        ("next=javascript:alert(1)", HOME),
        ("next=evil.example", HOME),
        ("next=/sign-out", HOME),
        ("next=", HOME),
        ("", HOME),
        ("next=/accessibility", "/accessibility"),
        ("next=/returns%3Fx%3D1", "/returns?x=1"),
        ("next=/provider/1/returns?month=2026-11", "/provider/1/returns?month=2026-11"),
    ],
)
def test_next_goes_only_to_a_path_on_this_service(app, client, raw_query, location):
    user = make_user(Role.ADMIN)
    response = _sign_in_with_raw_query(client, user.email, raw_query)
    assert response.status_code == 302
    assert response.location == location
    assert "Set-Cookie:x" not in str(response.headers)
    assert "X-Injected" not in response.headers


@pytest.mark.parametrize(
    "value",
    ["/\t/evil.example", "/\r\nSet-Cookie:x=1", "/\\evil.example", "\\\\evil.example", "/x\x00"],
)
def test_control_characters_and_backslashes_are_never_a_next_page(value):
    assert safe_next(value) is None


def test_signed_out_visitor_returns_to_the_page_they_asked_for(app, client):
    user = make_user(Role.ADMIN)
    asked = client.get("/admin")
    assert asked.status_code == 302 and asked.location == "/sign-in?next=/admin"
    token = csrf_token_from(client.get(asked.location).get_data(as_text=True))
    response = client.post(
        asked.location, data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.location == "/admin"
