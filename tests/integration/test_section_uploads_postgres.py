"""Section uploads on PostgreSQL through the HTTP routes: for each section a good file is
checked, confirmed and saved exactly as the form saves it (JSON data, revision, audit),
and a bad file is refused with its rows and columns and saves nothing."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import AuditEntry, SectionState
from portal.returns import service
from tests.integration.upload_files import stored_files
from tests.unit.uploads.test_section_uploads import (
    BAD_FILES,
    FORM_POSTS,
    GOOD_FILES,
    SECTIONS,
    base,
    hidden,
    table_rows,
    token_of,
    upload,
)


@pytest.fixture
def section_upload(app, tmp_path, contracted):
    """The contracted provider's October return; the other provider's, for the form."""
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return {"ret": contracted.ret, "twin": contracted.other_ret, "folder": tmp_path / "uploads"}


def fresh(ret, code: str):
    sec = service.section(ret, code)
    db.session.refresh(sec)
    return sec


@pytest.mark.parametrize("code", SECTIONS)
def test_a_good_file_is_saved_as_the_form_saves_it(
    section_upload, provider_client, other_provider_client, code
):
    ret, twin = section_upload["ret"], section_upload["twin"]
    client = provider_client
    token = token_of(upload(client, ret, code, GOOD_FILES[code]))
    page = client.get(f"{base(ret)}/upload/changes?section={code}&upload={token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    response = client.post(
        f"{base(ret)}/upload/confirm",
        data={"section": code, "upload": token, "revision": hidden(html, "revision")},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    posted = other_provider_client.post(
        f"{base(twin)}/section/{code}", data={"revision": "0", **FORM_POSTS[code]}
    )
    assert posted.status_code == 302
    by_file, by_form = fresh(ret, code), fresh(twin, code)
    assert by_file.data == by_form.data and by_file.data  # read back from jsonb
    assert by_file.state is SectionState.COMPLETED and by_file.revision == 1
    audit = db.session.scalars(db.select(AuditEntry).where(AuditEntry.return_id == ret.id)).all()
    assert [(a.action, a.section) for a in audit] == [("save", code)]
    # The same file again: nothing changes.
    token = token_of(upload(client, ret, code, GOOD_FILES[code]))
    html = client.get(f"{base(ret)}/upload/changes?section={code}&upload={token}").get_data(
        as_text=True
    )
    assert "No changes" in html
    assert fresh(ret, code).revision == 1


@pytest.mark.parametrize("code", SECTIONS)
def test_a_bad_file_is_refused_with_its_rows_and_columns(section_upload, provider_client, code):
    ret, client = section_upload["ret"], provider_client
    data, summary, expected = BAD_FILES[code]
    response = upload(client, ret, code, data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert summary in html
    rows = table_rows(html, "problem-table")
    for row, column, message in expected:
        assert any(r[0] == row and r[1] == column and message in r[3] for r in rows), rows
    sec = fresh(ret, code)
    assert sec.revision == 0 and sec.data == {}
    assert stored_files() == []
