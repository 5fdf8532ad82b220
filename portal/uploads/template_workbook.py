"""The workbook of an upload template (the ASC-WDS files', a return section's): a "Data"
sheet to fill in under bold headings, a "Guidance" sheet, and any code lists."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from portal.exports import safe_cell

Cell = str | int | float


def template_xlsx(
    columns: Sequence[tuple[str, bool]],
    rows: Iterable[Sequence[Cell]],
    guidance: Sequence[tuple[Sequence[str], bool]],
    guidance_widths: Sequence[int],
    code_lists: Iterable[tuple[str, Iterable[tuple[int, str]]]] = (),
) -> bytes:
    """``columns``: (heading, formatted as text) of the Data sheet; ``rows``: its cells,
    numbers written as numbers, text as text and blanks left empty; ``guidance``: (cells,
    is a heading) lines of the Guidance sheet; ``code_lists``: (sheet title, (code, name)
    pairs) for a sheet each."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
         "strings_to_numbers": False},
    )  # fmt: skip
    bold = book.add_format({"bold": True})
    as_text = book.add_format({"num_format": "@"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    data = book.add_worksheet("Data")
    for col, (heading, text) in enumerate(columns):
        data.write_string(0, col, heading, bold)
        data.set_column(col, col, max(len(heading) + 2, 14), as_text if text else None)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, int | float):
                data.write_number(r, col, value)
            elif value:
                data.write_string(r, col, str(safe_cell(value)))
    data.freeze_panes(1, 0)

    guide = book.add_worksheet("Guidance")
    for col, width in enumerate(guidance_widths):
        guide.set_column(col, col, width, wrap)
    for r, (line, is_heading) in enumerate(guidance):
        for col, value in enumerate(line):
            guide.write_string(r, col, str(safe_cell(value)), bold if is_heading else wrap)

    for title, codes in code_lists:
        sheet = book.add_worksheet(title)
        sheet.set_column(0, 0, 10)
        sheet.set_column(1, 1, 60)
        sheet.write_string(0, 0, "Code", bold)
        sheet.write_string(0, 1, "Name", bold)
        for r, (code, name) in enumerate(codes, start=1):
            sheet.write_number(r, 0, code)
            sheet.write_string(r, 1, str(safe_cell(name)))
    book.close()
    return buffer.getvalue()
