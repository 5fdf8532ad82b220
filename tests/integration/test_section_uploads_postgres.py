"""Section uploads on PostgreSQL through the HTTP routes: for each section a good file is
checked, confirmed and saved exactly as the form saves it (JSON data, revision, audit),
and a bad file is refused with its rows and columns and saves nothing."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import AuditEntry, Role, SectionState
from portal.returns import service
from tests.factories import make_user, open_return
from tests.integration.upload_files import stored_files
from tests.unit.conftest import sign_in
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
def world(app, tmp_path):
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["TODAY"] = "2026-11-23"
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    ret, twin = open_return(), open_return()
    user = make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider)
    twin_user = make_user(Role.PROVIDER_SUBMITTER, provider=twin.contract.provider)
    return {"ret": ret, "twin": twin, "user": user, "twin_user": twin_user,
            "folder": tmp_path / "uploads"}  # fmt: skip


def signed_in(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def fresh(ret, code: str):
    sec = service.section(ret, code)
    db.session.refresh(sec)
    return sec


@pytest.mark.parametrize("code", SECTIONS)
def test_a_good_file_is_saved_as_the_form_saves_it(app, world, code):
    ret, twin = world["ret"], world["twin"]
    client = signed_in(app, world["user"])
    token = token_of(upload(client, ret, code, GOOD_FILES[code]))
    page = client.get(f"{base(ret)}/upload/changes?section={code}&upload={token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    response = client.post(
        f"{base(ret)}/upload/confirm",
        data={"section": code, "upload": token, "revision": hidden(html, "revision")},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    posted = signed_in(app, world["twin_user"]).post(
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
def test_a_bad_file_is_refused_with_its_rows_and_columns(app, world, code):
    ret, client = world["ret"], signed_in(app, world["user"])
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
