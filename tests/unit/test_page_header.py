"""The header is rendered once per organisation, role and page and kept
(portal/page_header.py): what a person sees in it must still be theirs and current."""

from __future__ import annotations

import re

from portal.notifications import notify
from tests.conftest import check_page
from tests.unit.conftest import get_page


def _current_item(html: str) -> str:
    """The menu item marked as the current page."""
    match = re.search(r'aria-current="page">\s*<strong[^>]*>([^<]+)</strong>', html)
    assert match, "no menu item is marked as the current page"
    return match.group(1)


def _menu(html: str) -> list[str]:
    nav = html[html.index("govuk-service-navigation__list") : html.index("</nav>")]
    return [" ".join(t.split()) for t in re.findall(r"<a[^>]*>(.*?)</a>", nav, re.S)]


def _notifications_link(html: str) -> str:
    return re.search(r'href="/notifications">([^<]+)</a>', html).group(1)


def test_a_new_notification_shows_in_a_kept_header(app, contracted, provider_client):
    page = f"/provider/{contracted.provider.id}/returns"
    assert _notifications_link(get_page(provider_client, page)) == "Notifications"
    get_page(provider_client, page)  # the header is now kept
    notify(contracted.submitter, "return_queried", "Your October return was queried")
    assert _notifications_link(get_page(provider_client, page)) == "Notifications (1 unread)"


def test_each_person_sees_their_own_organisation_and_menu(
    app, contracted, provider_client, other_provider_client, commissioner_client
):
    mine = get_page(provider_client, f"/provider/{contracted.provider.id}/returns")
    theirs = get_page(other_provider_client, f"/provider/{contracted.other_provider.id}/returns")
    council = get_page(commissioner_client, f"/council/{contracted.council.id}/returns")
    for html, name in (
        (mine, contracted.provider.name),
        (theirs, contracted.other_provider.name),
        (council, contracted.council.name),
    ):
        header = html[html.index("<header") : html.index("</header>")]
        assert name in header
        check_page(html)
    assert contracted.provider.name not in theirs[: theirs.index("</header>")]
    assert f'href="/provider/{contracted.other_provider.id}/returns"' in theirs
    assert f'href="/provider/{contracted.provider.id}/returns"' not in theirs
    # A council admin's menu has the set-up pages; a provider's never does.
    assert "Council users" in _menu(council) and "Council users" not in _menu(mine)


def test_the_current_page_is_marked_in_the_menu(app, contracted, provider_client):
    returns = get_page(provider_client, f"/provider/{contracted.provider.id}/returns")
    branches = get_page(provider_client, f"/provider/{contracted.provider.id}/branches")
    assert _current_item(returns) == "Your returns"
    assert _current_item(branches) == "Branches"


def test_signing_out_from_a_kept_header_works(app, contracted, provider_client):
    page = f"/provider/{contracted.provider.id}/returns"
    get_page(provider_client, page)
    html = get_page(provider_client, page)
    form = re.search(
        r'<form method="post" action="([^"]+)" class="app-sign-out">(.*?)</form>', html, re.S
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(2)).group(1)
    assert "@@" not in token
    answer = provider_client.post(form.group(1), data={"csrf_token": token})
    assert answer.status_code == 302
    assert provider_client.get(page).status_code == 302  # signed out: back to sign in
