"""Inventory files and documents as people's tools write them, made in memory for the tests."""

import io
import zipfile

HEADER_DE = [
    "Seriennummer",
    "Produktlinie",
    "Modell",
    "Kaufdatum",
    "Bezugsquelle",
    "Eigentum",
    "Fremdgarantie",
    "Rechnungsnummer",
]
HEADER_EN = [
    "serial_number",
    "product_line",
    "model",
    "purchase_date",
    "purchase_source",
    "ownership",
    "third_party_warranty",
    "invoice_number",
]

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def serial(n: int, prefix: str = "C02") -> str:
    """A valid 12-character Apple-style serial number."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    chars = []
    for _ in range(9):
        n, r = divmod(n, len(alphabet))
        chars.append(alphabet[r])
    return prefix + "".join(reversed(chars))


def imei(n: int) -> str:
    body = f"35{n:012d}"
    return body + luhn_digit(body)


def german_row(
    i: int,
    *,
    invoice: str = "RE-2024-001",
    line: str = "Mac",
    source: str = "Apple",
    ownership: str = "Eigentum",
    warranty: str = "nein",
) -> list[str]:
    return [serial(i), line, "MacBook Pro 14″ Büro", "31.03.2024", source, ownership, warranty, invoice]


def german_excel_csv(rows: list[list[str]], *, bom: bool = True, encoding: str = "cp1252") -> bytes:
    """What German Excel writes as “CSV (Trennzeichen-getrennt)”: ``;``, Windows-1252, CRLF."""
    lines = [";".join(HEADER_DE)] + [";".join(r) for r in rows]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding, errors="replace")
    return (b"\xef\xbb\xbf" + data) if bom and encoding.startswith("utf") else data


def english_csv(rows: list[list[str]]) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER_EN)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx(rows: list[list], header=HEADER_DE) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_archive(sheet_xml: str) -> bytes:
    """A minimal workbook, written by hand, whose one worksheet is ``sheet_xml``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.worksheet+xml"/></Types>'
            ),
        )
        archive.writestr(
            "_rels/.rels",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
                '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ),
        )
        archive.writestr(
            "xl/workbook.xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
                'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                '<sheets><sheet name="Geräte" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ),
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
                '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
            ),
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return out.getvalue()


def _cells(r: int, values: list) -> str:
    return "".join(f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))


SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main">'
)


def xlsx_with_empty_rows(data_rows: list[list[str]], empty_rows: int) -> bytes:
    """A workbook whose sheet lists ``empty_rows`` rows with nothing in them after the data."""
    parts = [SHEET_START, "<sheetData>", f'<row r="1">{_cells(1, HEADER_DE)}</row>']
    for i, row in enumerate(data_rows, start=2):
        parts.append(f'<row r="{i}">{_cells(i, row)}</row>')
    start = len(data_rows) + 2
    parts.extend(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t></t></is></c></row>' for r in range(start, start + empty_rows)
    )
    parts.append("</sheetData></worksheet>")
    return _xlsx_archive("".join(parts))


def xlsx_dimension_bomb(data_row: list[str]) -> bytes:
    """A 1.6 KB workbook that claims the whole sheet (``A1:XFD1048576``: 16 384 columns, 1 048 576 rows) and
    holds a header, one device in row 2 and one in the very last row. A reader that believes the claim makes up
    17 billion empty cells."""
    last = 1_048_576
    return _xlsx_archive(
        SHEET_START
        + '<dimension ref="A1:XFD1048576"/><sheetData>'
        + f'<row r="1">{_cells(1, HEADER_DE)}</row>'
        + f'<row r="2">{_cells(2, data_row)}</row>'
        + f'<row r="{last}">{_cells(last, data_row)}</row>'
        + "</sheetData></worksheet>"
    )


def zip_bomb() -> bytes:
    """An .xlsx-looking archive whose one member unpacks to 1 GiB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(1024):
                member.write(block)
    return out.getvalue()
