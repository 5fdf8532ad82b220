"""Reading uploaded files: real bytes of messy CSV and XLSX files, and files to refuse.

Bad files must never raise: each comes back as a FileProblem saying what to fix."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import xlsxwriter

from forms import messages
from portal.uploads import (
    display_filename,
    open_upload,
    reading,
    reading_xlsx,
    upload_table,
    validate_training_file,
)

TODAY = date(2026, 11, 23)
BRANCHES = {"000123": 1, "000456": 2}
WORKERS = frozenset({"W001", "W002", "000777"})
TRAINING_HEADINGS = [
    "LOCALESTID", "UNIQUEWORKERID", "CATEGORY", "TRAININGNAME", "ACCREDITED", "WHODELIVERED",
    "PROVIDERNAME", "HOWDELIVERED", "VALIDITY", "DATECOMPLETED", "EXPIRYDATE", "NOTES",
]  # fmt: skip


def training_row(**values: object) -> list:
    row = {
        "LOCALESTID": "000123",
        "UNIQUEWORKERID": "W001",
        "CATEGORY": "20",
        "TRAININGNAME": "Safeguarding adults",
        "ACCREDITED": "1",
        "WHODELIVERED": "2",
        "PROVIDERNAME": "88",  # Skills for Care, from ASC-WDS's list
        "HOWDELIVERED": "1",
        "VALIDITY": "12",
        "DATECOMPLETED": "01/02/2024",
        "EXPIRYDATE": "",
        "NOTES": "",
    }
    row.update(values)
    return [row[heading] for heading in TRAINING_HEADINGS]


def csv_bytes(
    rows: list[list],
    headings: list[str] = TRAINING_HEADINGS,
    *,
    sep: str = ",",
    newline: str = "\n",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator=newline)
    writer.writerow(headings)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def xlsx_bytes(rows: list[list], headings: list[str] = TRAINING_HEADINGS, at=None) -> bytes:
    """An XLSX built with openpyxl; ``at`` maps an Excel row number to a row put there."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    for number, row in (at or {}).items():
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def check(data: bytes, filename: str = "training.csv", **kwargs):
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("branches", BRANCHES)
    kwargs.setdefault("worker_ids", WORKERS)
    return validate_training_file(data, filename, **kwargs)


def refused(data: bytes, filename: str = "training.csv"):
    """The one FileProblem a bad file gives (and nothing else)."""
    result = check(data, filename)
    assert len(result.file_problems) == 1, result.file_problems
    assert result.errors == [] and result.rows.empty and not result.ok
    return result.file_problems[0]


def errors(result) -> list[tuple]:
    return [(p.row, p.column, p.value, p.message) for p in result.errors]


# --- encodings, separators, line ends -------------------------------------------------


@pytest.mark.parametrize("bom", [False, True])
def test_utf8_with_or_without_a_byte_order_mark(bom):
    rows = [training_row(NOTES="Café, £25 a head — booked")]
    result = check(csv_bytes(rows, bom=bom))
    assert result.ok, (result.file_problems, result.errors)
    assert result.records()[0]["notes"] == "Café, £25 a head — booked"
    assert result.fields >= {"branch_id", "worker_id", "category"}  # first heading not lost


def test_windows_1252_as_excel_saves_csv():
    rows = [training_row(TRAININGNAME="Première aide", NOTES="£12.50 — paid")]
    result = check(csv_bytes(rows, encoding="cp1252"))
    assert result.ok
    assert result.records()[0]["training_name"] == "Première aide"
    assert result.records()[0]["notes"] == "£12.50 — paid"


def test_utf16_tab_separated_as_excel_saves_unicode_text():
    data = csv_bytes([training_row(NOTES="Café")], sep="\t").decode().encode("utf-16")
    result = check(data, "training.txt")
    assert result.ok and result.records()[0]["notes"] == "Café"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_ends_lf_crlf_or_cr_give_the_same_rows(newline):
    rows = [training_row(), training_row(CATEGORY="999"), training_row(UNIQUEWORKERID="W002")]
    result = check(csv_bytes(rows, newline=newline))
    assert [p.row for p in result.errors] == [3]
    assert list(result.rows["row"]) == [2, 4]


def test_semicolon_separated_file_is_sniffed():
    result = check(csv_bytes([training_row(), training_row(UNIQUEWORKERID="W002")], sep=";"))
    assert result.ok and len(result.rows) == 2


# --- row numbers ----------------------------------------------------------------------


def test_row_numbers_count_quoted_line_breaks_as_one_row_and_blank_lines_as_rows():
    lines = [
        ",".join(TRAINING_HEADINGS),  # row 1
        ",".join(training_row()),  # row 2
        ",".join(training_row(NOTES='"line one\nline two\r\nline three"')),  # row 3
        "",  # row 4: blank
        ",".join(training_row(DATECOMPLETED="31/02/2024")),  # row 5
        "",  # 6
        ",,,,,,,,,,,",  # 7: empty cells only
        ",".join(training_row(CATEGORY="0", NOTES='"a\nb"')),  # 8
        ",".join(training_row(ACCREDITED="7")),  # 9
        "",
        "",
    ]
    result = check("\n".join(lines).encode())
    assert errors(result) == [
        (5, "DATECOMPLETED", "31/02/2024", "Date completed must be a real date, like 27/03/2024"),
        (8, "CATEGORY", "0", messages.upload_code_from_list("CATEGORY", "training category",
                                                           20, "Safeguarding adults")),
        (9, "ACCREDITED", "7", "ACCREDITED must be 1 (yes), 0 (no) or 999 (not known)"),
    ]  # fmt: skip
    assert result.row_count == 5
    assert list(result.rows["row"]) == [2, 3]
    assert result.records()[1]["notes"] == "line one\nline two\r\nline three"


def test_xlsx_row_numbers_are_excels_own_with_empty_rows_between():
    data = xlsx_bytes([training_row()], at={5: training_row(CATEGORY="999"), 9: training_row()})
    result = check(data, "training.xlsx")
    assert [(p.row, p.column) for p in result.errors] == [(5, "CATEGORY")]
    assert list(result.rows["row"]) == [2]  # row 9 repeats row 2: imported once
    assert [(w.row, w.message) for w in result.warnings] == [
        (9, "This row is the same as row 2: we will import it once")
    ]


def test_trailing_empty_rows_and_columns_are_ignored():
    text = (
        ",".join(TRAINING_HEADINGS) + ",,,\n"
        + ",".join(training_row()) + ",,,\n"
        + ",,,,,,,,,,,,,,\n" * 3 + "\n\n"
    )  # fmt: skip
    result = check(text.encode())
    assert result.ok and result.row_count == 1


def test_a_row_with_more_values_than_headings_is_an_error_on_that_row():
    text = "\n".join(
        [
            ",".join(TRAINING_HEADINGS),
            ",".join(training_row()),
            ",".join(training_row(UNIQUEWORKERID="W002")) + ",Refresher, not passed",
            ",".join(training_row(UNIQUEWORKERID="W002")) + ",a,b,c,d,e",
        ]
    )
    result = check(text.encode())
    assert [(p.row, p.column, p.message) for p in result.errors] == [
        (3, None, messages.UPLOAD_ROW_TOO_LONG),
        (4, None, messages.UPLOAD_ROW_TOO_LONG),
    ]
    assert list(result.rows["row"]) == [2]


# --- values ---------------------------------------------------------------------------


def test_uk_dates_as_text_excel_date_cells_and_excel_serial_numbers():
    rows = [
        training_row(DATECOMPLETED="01/02/2024"),
        training_row(DATECOMPLETED=datetime(2024, 2, 1), UNIQUEWORKERID="W002"),
        training_row(DATECOMPLETED=45323, CATEGORY="10"),  # Excel's day 45323: 1 Feb 2024
        training_row(DATECOMPLETED="45323", CATEGORY="13"),  # the same, typed as text
        training_row(DATECOMPLETED="01/02/2024 00:00", CATEGORY="15"),
        training_row(DATECOMPLETED="1/2/2024", CATEGORY="16"),
    ]
    result = check(xlsx_bytes(rows), "training.xlsx")
    assert result.ok, result.errors
    assert {record["date_completed"] for record in result.records()} == {date(2024, 2, 1)}
    assert result.records()[0]["expiry_date"] == date(2025, 1, 31)  # + 12 months - 1 day


def test_leading_zeros_are_kept_in_ids():
    rows = [training_row(UNIQUEWORKERID="000777")]
    for data, name in ((csv_bytes(rows), "t.csv"), (xlsx_bytes(rows), "t.xlsx")):
        result = check(data, name)
        assert result.ok, result.errors
        assert result.records()[0]["worker_id"] == "000777"
        assert result.records()[0]["branch_id"] == 1  # LOCALESTID 000123


def test_ids_that_lost_their_leading_zeros_say_so():
    result = check(csv_bytes([training_row(UNIQUEWORKERID="777", LOCALESTID="123")]))
    assert errors(result) == [
        (2, "LOCALESTID", "123", messages.UPLOAD_LEADING_ZEROS),
        (2, "UNIQUEWORKERID", "777", messages.UPLOAD_LEADING_ZEROS),
    ]


def test_ids_in_scientific_notation_are_errors():
    rows = [training_row(UNIQUEWORKERID="1.2E+11"), training_row(UNIQUEWORKERID="1,23E+11")]
    result = check(csv_bytes(rows))
    assert [(p.row, p.message) for p in result.errors] == [
        (2, messages.UPLOAD_SCIENTIFIC_NOTATION),
        (3, messages.UPLOAD_SCIENTIFIC_NOTATION),
    ]
    assert messages.UPLOAD_SCIENTIFIC_NOTATION == (
        "This looks like a spreadsheet turned it into a number in scientific notation: "
        "format the column as text and export again"
    )
    # An XLSX number cell: whole numbers stay whole; too long to be exact, flagged.
    cells = [training_row(UNIQUEWORKERID=120000000000), training_row(UNIQUEWORKERID=1.2e20)]
    result = check(xlsx_bytes(cells), "training.xlsx")
    assert [(p.value, p.message) for p in result.errors] == [
        ("120000000000", messages.UPLOAD_UNKNOWN_WORKER),
        ("1.2e+20", messages.UPLOAD_SCIENTIFIC_NOTATION),
    ]


def test_na_none_and_null_stay_text_where_text_is_expected():
    row = training_row(TRAININGNAME="NA", NOTES="null", VALIDITY="None")
    result = check(csv_bytes([row]))
    assert result.ok
    record = result.records()[0]
    assert (record["training_name"], record["notes"]) == ("NA", "null")
    assert record["validity"] == "none" and record["expiry_date"] is None  # does not expire


def test_whitespace_around_values_is_trimmed():
    row = training_row(UNIQUEWORKERID="  W001 ", CATEGORY=" 20", DATECOMPLETED=" 01/02/2024 ")
    result = check(csv_bytes([row, training_row()]))
    assert result.ok
    assert result.records()[0]["worker_id"] == "W001"
    assert len(result.rows) == 1  # the same row once trimmed: imported once
    assert result.warning_summary == "You should check 1 duplicate row"


def test_headings_match_whatever_their_case_spaces_underscores_or_hyphens():
    headings = [
        "Local Est ID", "unique_worker_id", "Category", "Training-Name", "accredited",
        "Who Delivered", "Provided By", "HOW_DELIVERED", "validity", "date-completed",
        " Expiry Date ", "Notes",
    ]  # fmt: skip
    result = check(csv_bytes([training_row(PROVIDERNAME="040")], headings))
    assert result.ok
    assert result.records()[0]["provider_name"] == "40"
    assert result.errors == [] and result.fields >= {"provider_name", "expiry_date"}


def test_extra_columns_are_ignored_so_a_full_export_uploads_as_it_is():
    headings = ["TRAININGUID", *TRAINING_HEADINGS[:5], "DESCRIPTION2", *TRAINING_HEADINGS[5:]]
    rows = [["abc-1", *training_row()[:5], "anything", *training_row()[5:]]]
    result = check(csv_bytes(rows, headings))
    assert result.ok and result.records()[0]["category"] == 20


# --- whole-file problems --------------------------------------------------------------


def test_missing_headings_are_named():
    headings = [h for h in TRAINING_HEADINGS if h not in ("CATEGORY", "DATECOMPLETED")]
    problem = refused(csv_bytes([["x"] * len(headings)], headings))
    assert problem.message == (
        "The first row of the file must have the column headings CATEGORY and DATECOMPLETED"
    )
    problem = refused(b"just some text\nmore text\n")
    assert problem.kind == "columns_missing"


def test_the_same_heading_twice_is_refused():
    problem = refused(
        csv_bytes([[*training_row(), "W001"]], [*TRAINING_HEADINGS, "Unique Worker ID"])
    )
    assert (
        problem.message == "The file has more than one Unique Worker ID column: remove one of them"
    )


def test_a_staff_file_uploaded_as_the_training_file_is_refused():
    problem = refused(b"LOCALESTID,UNIQUEWORKERID,STATUS,MAINJOBROLE\n000123,W001,NEW,8\n")
    assert problem.message == ("This looks like an ASC-WDS staff file: upload it as the staff file")


def test_empty_and_header_only_files():
    assert refused(b"").message == "The selected file is empty"
    assert refused(b" \r\n\n\t\n").message == "The selected file is empty"
    assert refused(b"\xef\xbb\xbf").message == "The selected file is empty"
    header_only = (",".join(TRAINING_HEADINGS) + "\r\n").encode()
    assert refused(header_only).message == "The file has no rows of data"
    assert refused(header_only + b"\r\n,,,,\r\n\r\n").message == "The file has no rows of data"
    assert refused(xlsx_bytes([]), "t.xlsx").message == "The file has no rows of data"


def test_random_bytes_and_pictures_renamed_csv_or_xlsx_are_refused():
    noise = random.Random(7).randbytes(5000)
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
        b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
        b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    for data, name in [(noise, "t.csv"), (noise, "t.xlsx"), (png, "t.csv"), (png, "t.xlsx"),
                       (b"%PDF-1.7\n...", "t.csv"), (b"abc\x00def\n", "t.csv")]:  # fmt: skip
        problem = refused(data, name)
        assert (problem.kind, problem.message) == (
            "wrong_type",
            "The selected file must be a CSV or XLSX",
        ), name


def test_old_excel_and_password_protected_files_are_refused():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert refused(ole, "t.xls").kind == "old_excel"
    encrypted = ole + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100
    assert refused(encrypted, "t.xlsx").message == messages.UPLOAD_PASSWORD_PROTECTED


def test_zips_that_are_not_workbooks_or_are_broken_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert refused(buffer.getvalue(), "t.xlsx").kind == "wrong_type"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "not xml at all <<<")
    assert refused(buffer.getvalue(), "t.xlsx").message == messages.UPLOAD_CANNOT_OPEN
    good = xlsx_bytes([training_row()])
    assert refused(good[: len(good) // 2], "t.xlsx").kind == "cannot_open"


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(monkeypatch):
    def must_not_open(*args, **kwargs):
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_open)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            zeros = b"\x00" * (1024 * 1024)
            for _ in range(40):  # 40MB that packs into about 40KB
                part.write(zeros)
    data = buffer.getvalue()
    assert len(data) < 200_000
    problem = refused(data, "training.xlsx")
    assert (problem.kind, problem.message) == ("zip_bomb", messages.UPLOAD_CANNOT_OPEN)


def test_an_xlsx_that_unpacks_too_big_is_refused(monkeypatch):
    monkeypatch.setattr(reading_xlsx, "XLSX_MAX_UNPACKED", 2_000)
    assert refused(xlsx_bytes([training_row()]), "t.xlsx").kind == "zip_bomb"


def test_too_large_a_file_is_refused_unread():
    data = b"x" * (reading.MAX_BYTES + 1)
    assert refused(data).message == "The selected file must be smaller than 20MB"


def test_ten_thousand_columns_are_refused():
    headings = [f"C{n}" for n in range(10_000)]
    problem = refused(csv_bytes([["1"] * 10_000], headings))
    assert problem.message == (
        "The file must have 500 columns or fewer: remove the columns you do not need"
    )
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    workbook.add_worksheet().write_row(0, 0, headings)
    workbook.close()
    assert refused(buffer.getvalue(), "t.xlsx").kind == "too_many_columns"


def test_too_many_rows_are_refused():
    line = ",".join(training_row()) + "\n"
    data = (",".join(TRAINING_HEADINGS) + "\n" + line * (upload_table.MAX_ROWS + 1)).encode()
    assert refused(data).message == "The file must have 200,000 rows of data or fewer"
    source = open_upload(csv_bytes([training_row()] * 4), "t.csv")
    assert source.read([0, 1], max_rows=3).kind == "too_many_rows"


def test_an_unclosed_quotation_mark_is_refused_with_its_row():
    text = ",".join(TRAINING_HEADINGS) + "\n" + ",".join(training_row()) + "\n"
    text += ",".join(training_row(NOTES='"never closed')) + "\n" + ",".join(training_row())
    problem = refused(text.encode())
    assert problem.message == (
        'The quotation mark (") in row 3 is not closed: check the file, save it and upload it again'
    )


def test_file_names_are_made_safe_to_show():
    assert display_filename("C:\\Users\\sam\\Desktop\\train\ning.csv") == "training.csv"
    assert display_filename("../../etc/passwd") == "passwd"
    assert display_filename("\u202egnp.csv\r\n") == "gnp.csv"
    long_name = display_filename("a" * 300 + ".xlsx")
    assert len(long_name) == 100 and long_name.endswith("….xlsx")
    assert display_filename("") == display_filename(None) == "the file"
    result = check(b"", "..\\secret/\nstaff\x00.csv")
    assert result.filename == "staff.csv"


def test_nothing_escapes_for_any_bad_file():
    rng = random.Random(11)
    good = csv_bytes([training_row()] * 3)
    xlsx = xlsx_bytes([training_row()])
    for _ in range(60):
        base = rng.choice([good, xlsx])
        data = bytearray(base)
        for _ in range(rng.randrange(1, 20)):  # flip some bytes
            data[rng.randrange(len(data))] = rng.randrange(256)
        cut = rng.choice([len(data), rng.randrange(len(data))])
        result = check(bytes(data[:cut]), rng.choice(["t.csv", "t.xlsx"]))
        assert result.file_problems or result.errors is not None


def test_a_workbook_is_read_from_the_sheet_with_the_headings():
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["How to fill in this workbook"])
    data_sheet = workbook.create_sheet("Training")
    data_sheet.append(TRAINING_HEADINGS)
    data_sheet.append(training_row(CATEGORY="999"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = check(buffer.getvalue(), "training.xlsx")
    assert [(p.row, p.column) for p in result.errors] == [(2, "CATEGORY")]


def test_a_csv_whose_first_heading_starts_with_pk_is_still_a_csv():
    headings = ["PKID", *TRAINING_HEADINGS]
    result = check(csv_bytes([["1", *training_row()]], headings))
    assert result.ok


def test_an_unexpected_failure_is_logged_and_reported_not_raised(monkeypatch, caplog):
    from portal.uploads import asc_wds_row_rules

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(asc_wds_row_rules, "expiry_dates", broken)
    problem = refused(csv_bytes([training_row()]), "my\ntraining.csv")
    assert (problem.kind, problem.message) == ("cannot_open", messages.UPLOAD_CANNOT_OPEN)
    assert "mytraining.csv" in caplog.text
