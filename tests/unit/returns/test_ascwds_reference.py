"""The ASC-WDS reference lists (portal/reference/*.csv): as the national service has them,
with their source, and the one list every door uses."""

from __future__ import annotations

from pathlib import Path

from portal.returns import staff_reference

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
