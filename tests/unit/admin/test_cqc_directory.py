"""The CQC directory: an administrator uploads the file as the CQC publishes it (lines
before the headings), and adding a contract finds providers and locations in it by name
or ID and fills their details in."""

import io

from sqlalchemy import func, select

from forms import messages
from portal.extensions import db
from portal.models import CqcLocation, Role
from tests.conftest import csrf_token_from, shows
from tests.factories import make_user
from tests.unit.conftest import get_page, sign_in

DIRECTORY = (
    "Care Quality Commission,,,,,,\r\n"
    "Active locations for providers registered under the Health and Social Care Act,,,,,,\r\n"
    "Data as at 1 December 2026,,,,,,\r\n"
    ",,,,,,\r\n"
    "Location ID,Location Name,Location Postal Code,Provider ID,Provider Name,"
    "Location Type/Sector,Service types\r\n"
    "1-555000101,Bright Homecare Chatham,ME4 4QB,1-555000100,Bright Homecare Ltd,"
    "Social Care Org,Homecare agencies\r\n"
    "1-555000102,Bright Homecare Gillingham,ME7 1AA,1-555000100,Bright Homecare Ltd,"
    "Social Care Org,Homecare agencies\r\n"
    "1-666000101,Harbour View Extra Care,CT1 2AB,1-666000100,Harbour Care Group,"
    "Social Care Org,Extra Care housing services\r\n"
).encode("utf-8-sig")


def _upload(client, data: bytes, name="HSCA_Active_Locations.csv"):
    token = csrf_token_from(get_page(client, "/admin/cqc-directory"))
    return client.post(
        "/admin/cqc-directory",
        data={"csrf_token": token, "directory_file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_admin_uploads_the_directory_and_a_council_admin_finds_a_provider(
    app, client, commissioner_client, contracted
):
    sign_in(client, make_user(Role.ADMIN).email)
    done = _upload(client, DIRECTORY)
    assert done.status_code == 302
    assert "The CQC directory now has 3 locations" in get_page(client, done.location)
    assert db.session.scalar(select(func.count(CqcLocation.id))) == 3
    # Uploading again replaces the directory rather than adding to it.
    _upload(client, DIRECTORY)
    assert db.session.scalar(select(func.count(CqcLocation.id))) == 3

    url = f"/council/{contracted.council.id}/contracts/new"
    page = get_page(commissioner_client, f"{url}?find=bright")
    assert "Bright Homecare Chatham (1-555000101), ME4 4QB" in page
    assert "Homecare agencies" in page and "Harbour" not in page
    by_id = get_page(commissioner_client, f"{url}?find=1-666000101")
    assert "Harbour View Extra Care" in by_id and "Extra Care housing services" in by_id
    assert "Nothing in the CQC directory matches" in get_page(
        commissioner_client, f"{url}?find=zzzzzz"
    )
    filled = get_page(
        commissioner_client,
        f"{url}?provider_name=Bright+Homecare+Ltd&cqc_provider_id=1-555000100"
        "&location_ids=1-555000101",
    )
    assert 'value="Bright Homecare Ltd"' in filled and 'value="1-555000100"' in filled
    assert "1-555000101</textarea>" in filled


def test_a_file_without_the_directory_columns_changes_nothing(app, client):
    sign_in(client, make_user(Role.ADMIN).email)
    _upload(client, DIRECTORY)
    bad = _upload(client, b"Name,Town\r\nSomewhere,Kent\r\n")
    assert bad.status_code == 400
    assert shows(bad.get_data(as_text=True), messages.CQC_DIRECTORY_COLUMNS)
    assert db.session.scalar(select(func.count(CqcLocation.id))) == 3
    missing = client.post(
        "/admin/cqc-directory",
        data={"csrf_token": csrf_token_from(get_page(client, "/admin/cqc-directory"))},
    )
    assert shows(missing.get_data(as_text=True), messages.CQC_DIRECTORY_SELECT_FILE)
