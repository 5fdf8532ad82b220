"""The contract register uploads in one go: upload -> check (row and column errors) ->
what will change -> confirm; a provider already on the service is linked, never
duplicated; the same file twice changes nothing."""

import csv
import io
from datetime import date
from urllib.parse import parse_qs, urlparse

from openpyxl import Workbook
from sqlalchemy import func, select

from forms import messages
from portal.extensions import db
from portal.models import Area, ChangeRecord, Contract, Framework, Provider
from portal.setup.contract_register import COLUMNS
from portal.vocabulary import AreaKind, ServiceType
from tests.conftest import csrf_token_from, shows
from tests.unit.conftest import get_page

HEADINGS = [heading for heading, _ in COLUMNS]


def register_rows(other_cqc_id: str) -> list[list[str]]:
    """Five providers: four new, and one already contracted with another council."""
    return [
        [
            "Alder Care",
            "1-100000001",
            "1-200000001",
            "Home Support",
            "North",
            "Framework",
            "24.50",
            "01/04/2026",
            "31/03/2028",
            "alder@care.example",
        ],
        [
            "Birch Care",
            "1-100000002",
            "1-200000002;1-200000003",
            "Home Support",
            "South",
            "framework",
            "25.10",
            "01/04/2026",
            "",
            "birch@care.example",
        ],
        [
            "Cedar Care",
            "1-100000003",
            "1-200000004",
            "",
            "",
            "Spot",
            "£27.00",
            "01/06/2026",
            "",
            "",
        ],
        [
            "Damson Care",
            "1-100000004",
            "",
            "Home Support",
            "North",
            "Block",
            "23.00",
            "01/04/2026",
            "31/03/2027",
            "damson@care.example",
        ],
        [
            "Already Here Ltd",
            other_cqc_id,
            "",
            "Home Support",
            "South",
            "DPS",
            "22.00",
            "01/04/2026",
            "",
            "",
        ],
    ]


def csv_file(rows, headings=HEADINGS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def framework_for(council) -> Framework:
    framework = Framework(
        council_id=council.id,
        name="Home Support",
        service_type=ServiceType.HOMECARE,
        start_date=date(2024, 4, 1),
        end_date=date(2028, 3, 31),
    )
    db.session.add(framework)
    db.session.flush()
    for name in ("North", "South"):
        db.session.add(Area(framework_id=framework.id, name=name, kind=AreaKind.LOT))
    db.session.commit()
    return framework


def upload(client, council_id, data: bytes, name="register.csv"):
    url = f"/council/{council_id}/contracts/upload"
    token = csrf_token_from(get_page(client, url))
    return client.post(
        url,
        data={"csrf_token": token, "register_file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def confirm(client, council_id, changes_url):
    html = get_page(client, changes_url)
    token = parse_qs(urlparse(changes_url).query)["file"][0]
    return client.post(
        f"/council/{council_id}/contracts/upload/confirm",
        data={"csrf_token": csrf_token_from(html), "file": token},
    )


def test_register_of_five_links_the_provider_already_on_the_service(
    app, commissioner_client, contracted
):
    council_id = contracted.council.id
    framework_for(contracted.council)
    contracted.other_provider.cqc_provider_id = "1-100000099"
    db.session.commit()
    providers_before = db.session.scalar(select(func.count(Provider.id)))
    data = csv_file(register_rows("1-100000099"))
    checked = upload(commissioner_client, council_id, data)
    assert checked.status_code == 302
    page = get_page(commissioner_client, checked.location)
    assert "5 of 5 rows change something" in page
    assert f"Linked to {contracted.other_provider.name}, already on the service" in page
    assert "New provider Alder Care" in page and "New branches: 1-200000002, 1-200000003" in page
    done = confirm(commissioner_client, council_id, checked.location)
    assert done.status_code == 302
    assert "5 rows changed, 0 unchanged" in get_page(commissioner_client, done.location)
    assert db.session.scalar(select(func.count(Provider.id))) == providers_before + 4
    ours = db.session.scalars(
        select(Contract).where(Contract.council_id == council_id).order_by(Contract.id)
    ).all()
    assert len(ours) == 6  # the fixture's contract and the five
    linked = next(c for c in ours if c.provider_id == contracted.other_provider.id)
    assert linked.area.name == "South" and linked.contract_type.label == "DPS"
    birch = next(c for c in ours if c.provider.name == "Birch Care")
    assert [b.cqc_location_id for b in birch.branches] == ["1-200000002", "1-200000003"]

    # The same file again changes nothing.
    records = db.session.scalar(select(func.count(ChangeRecord.id)))
    again = upload(commissioner_client, council_id, data)
    assert "Nothing will change" in get_page(commissioner_client, again.location)
    confirm(commissioner_client, council_id, again.location)
    assert db.session.scalar(select(func.count(ChangeRecord.id))) == records
    assert db.session.scalar(select(func.count(Provider.id))) == providers_before + 4

    # A changed rate is the one change.
    rows = register_rows("1-100000099")
    rows[0][6] = "25.00"
    changed = upload(commissioner_client, council_id, csv_file(rows))
    page = get_page(commissioner_client, changed.location)
    assert "1 of 5 rows change something" in page
    assert "Hourly rate: £24.50 to £25.00" in page


def test_row_and_column_errors_and_nothing_saved(app, commissioner_client, contracted):
    council_id = contracted.council.id
    framework_for(contracted.council)
    rows = register_rows("1-100000099")
    rows[0][5] = "Sometimes"  # contract type
    rows[1][3] = "Unknown framework"
    rows[2][1] = "100000003"  # CQC provider ID without 1-
    rows[3][7] = "2026-13-01"  # start date
    rows[4][0] = ""  # provider name
    response = upload(commissioner_client, council_id, csv_file(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert shows(html, messages.REGISTER_HAS_ERRORS)
    for row, column, message in (
        (2, "Contract type", messages.REGISTER_TYPE_INVALID),
        (3, "Framework", messages.REGISTER_FRAMEWORK_UNKNOWN),
        (4, "CQC provider ID", messages.CQC_PROVIDER_ID_INVALID),
        (5, "Start date", messages.REGISTER_DATE_INVALID),
        (6, "Provider name", messages.PROVIDER_NAME_REQUIRED),
    ):
        assert f'<td class="govuk-table__cell">{row}</td>' in html
        assert column in html and shows(html, message), (row, message)
    assert db.session.scalar(select(func.count(Contract.id))) == 2
    missing = upload(commissioner_client, council_id, csv_file(rows, ["Name", "Rate"]))
    assert shows(
        missing.get_data(as_text=True),
        messages.REGISTER_MISSING_COLUMNS.format(columns="Provider name, Contract type"),
    )
    not_a_file = upload(commissioner_client, council_id, b"\x89PNG\r\n", "register.png")
    assert not_a_file.status_code == 400


def test_an_xlsx_register_and_the_template(app, commissioner_client, contracted):
    council_id = contracted.council.id
    framework_for(contracted.council)
    template = commissioner_client.get(f"/council/{council_id}/contracts/upload/template")
    assert template.get_data(as_text=True).lstrip("\ufeff").startswith(",".join(HEADINGS))
    book = Workbook()
    sheet = book.active
    sheet.append(HEADINGS)
    sheet.append(register_rows("1-100000099")[2])
    buffer = io.BytesIO()
    book.save(buffer)
    checked = upload(commissioner_client, council_id, buffer.getvalue(), "register.xlsx")
    assert checked.status_code == 302
    assert "New provider Cedar Care" in get_page(commissioner_client, checked.location)


def test_another_councils_kept_file_is_not_found(
    app, commissioner_client, other_council_client, contracted
):
    from portal.models import Membership

    db.session.execute(
        db.update(Membership)
        .where(Membership.user_id == contracted.other_commissioner.id)
        .values(council_admin=True)
    )
    db.session.commit()
    framework_for(contracted.council)
    checked = upload(
        commissioner_client, contracted.council.id, csv_file(register_rows("1-100000099")[:1])
    )
    token = parse_qs(urlparse(checked.location).query)["file"][0]
    other = contracted.other_council.id
    url = f"/council/{other}/contracts/upload/changes?file={token}"
    refused = other_council_client.get(url)
    assert refused.status_code == 302 and refused.location.endswith(
        f"/council/{other}/contracts/upload"
    )
    assert shows(get_page(other_council_client, refused.location), messages.REGISTER_EXPIRED)
