"""The ASC-WDS reference lists (portal/reference/*.csv): as the national service has them,
with their source, and the one list every door uses."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook

from portal.returns import staff_reference, staff_rules
from portal.uploads.asc_wds_results import STAFF_FILE, TRAINING_FILE
from portal.uploads.asc_wds_templates import template_xlsx
from tests.factories import make_staff
from tests.unit.conftest import get_page

REFERENCE = Path(staff_reference.REFERENCE_DIR)

# The MAINJOBROLE codes of ASC-WDS's backend/reference/jobRoles.js.
ASCWDS_JOB_ROLE_CODES = [
    *range(1, 12), 15, 16, 17, *range(23, 28), *range(34, 41), *range(42, 53)
]  # fmt: skip


def test_all_37_ascwds_job_roles_with_their_names():
    roles = staff_reference.job_roles()
    assert len(roles) == 37
    assert sorted(roles) == ASCWDS_JOB_ROLE_CODES
    named = {role.name: code for code, role in roles.items()}
    for name, code in {
        "Deputy manager": 43,
        "Team leader": 45,
        "Support worker": 52,
        "Administrative": 25,
        "Registered manager": 4,
        "Care worker": 8,
    }.items():
        assert named[name] == code


def test_care_providing_roles_are_those_ascwds_marks():
    care = {role.name for role in staff_reference.job_roles().values() if role.provides_care}
    assert care == {
        "Care worker",
        "Community support and outreach work",
        "Other (directly involved in providing care)",
        "Registered manager",
        "Senior care worker",
        "Supervisor",
        "Team leader",
        "Support worker",
    }


def test_each_list_names_its_source_and_date():
    readme = (REFERENCE / "README.md").read_text()
    assert "NMDSdevopsServiceAdm/SopraSteria-SFC" in readme and "7 December 2026" in readme
    for path in REFERENCE.glob("*.csv"):
        assert f"`{path.name}`" in readme


def test_training_providers_and_categories_are_asc_wds_lists():
    providers = staff_reference.training_providers()
    assert sorted(providers) == [*range(1, 89), 999]
    assert providers[88].name == "Skills for Care" and providers[999].name == "Other"
    assert providers[31].name == "Tend Training (was Impact Futures Training Limited)"
    assert staff_reference.training_provider_name("88") == "Skills for Care"
    assert staff_reference.training_provider_name("Old free text") == "Old free text"
    # CATEGORY: the 48 codes of ASC-WDS's backend/reference/trainingCategory.js.
    assert sorted(staff_reference.training_categories()) == [1, 2, *range(5, 24), *range(25, 52)]


def _options(html: str, select_id: str) -> set[int]:
    start = html.index(f'id="{select_id}"')
    block = html[start : html.index("</select>", start)]
    return {int(value) for value in re.findall(r'<option value="([0-9]+)"', block)}


def _sheet(data: bytes, title: str) -> dict[int, str]:
    sheet = load_workbook(io.BytesIO(data))[title]
    return {int(row[0]): row[1] for row in sheet.iter_rows(values_only=True) if row[0] != "Code"}


def test_the_upload_the_web_form_the_api_and_the_templates_use_the_same_lists(
    contracted, provider_client
):
    roles = staff_reference.job_roles()
    providers = staff_reference.training_providers()
    categories = staff_reference.training_categories()
    # The upload (and the API, which checks rows with it): every code on each list passes.
    for code in roles:
        assert staff_rules.main_job_role(str(code)) == (code, None)
    for code in providers:
        assert staff_rules.training_provider(str(code)) == (str(code), None)
    for code in categories:
        assert staff_rules.category(str(code)) == (code, None)
    # The web form offers exactly those codes.
    base = f"/provider/{contracted.provider.id}/returns/{contracted.ret.id}/section/training"
    assert _options(get_page(provider_client, base + "/add-staff"), "main_job_role") == set(roles)
    member = make_staff(contracted.provider, "W1")
    form = get_page(provider_client, f"{base}/add-training?staff={member.id}")
    assert _options(form, "provider_name") == set(providers)
    assert _options(form, "category") == set(categories)
    # The templates' code sheets list them all, staff and training alike.
    for kind in (STAFF_FILE, TRAINING_FILE):
        data = template_xlsx(kind, contracted.provider.id)
        assert _sheet(data, "Job roles") == {code: role.name for code, role in roles.items()}
        assert _sheet(data, "Training providers") == {c: p.name for c, p in providers.items()}
        assert _sheet(data, "Training categories") == {c: x.name for c, x in categories.items()}


def test_files_using_every_job_role_and_every_training_provider_upload():
    from tests.unit.uploads.test_upload_asc_wds import STAFF_HEADINGS, check_staff, staff_row
    from tests.unit.uploads.test_upload_reading import check, csv_bytes, training_row

    roles = sorted(staff_reference.job_roles())
    staff = [staff_row(UNIQUEWORKERID=f"N{code}", MAINJOBROLE=str(code)) for code in roles]
    result = check_staff(csv_bytes(staff, STAFF_HEADINGS))
    assert result.ok and result.warnings == []
    assert sorted(record["main_job_role"] for record in result.records()) == roles

    providers = sorted(staff_reference.training_providers())
    training = [training_row(PROVIDERNAME=str(code), NOTES=f"course {code}") for code in providers]
    result = check(csv_bytes(training))
    assert result.ok and result.warnings == []
    assert sorted(int(record["provider_name"]) for record in result.records()) == providers
