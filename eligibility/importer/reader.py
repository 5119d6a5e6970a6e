"""Reading an uploaded inventory as a stream of rows, whatever Excel or another tool wrote.

CSV: UTF-8 (with or without BOM), UTF-16 with BOM, or cp1252; ``,``, ``;`` or tab. XLSX: the first worksheet,
read-only. Hostile files (zip bombs, binary data, endless sheets) fail as a whole with a clear message, in bounded
memory.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_DATA_ROWS = 500_000
MAX_XLSX_UNPACKED = 250 * 1024 * 1024
MAX_XLSX_RATIO = 100
CHUNK = 1024 * 1024
NUL_MARK = "\ufffe"  # stands in for a NUL byte so the row can be reported instead of crashing the parser


class NotATable(Exception):
    """The file cannot be read as a table at all; the message says why, for the person who uploaded it."""


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list]]  # (row number as the person sees it, cell values)
    estimated_rows: int
    delimiter: str = ";"


MAGIC = {
    b"%PDF": "PDF",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"\x1f\x8b": "gzip",
    b"\xd0\xcf\x11\xe0": "Excel 97-2003 (.xls)",
}


def open_table(fileobj) -> Table:
    """``fileobj`` is a binary file opened for reading, seekable."""
    head = fileobj.read(8192)
    fileobj.seek(0)
    if not head.strip():
        raise NotATable(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(fileobj)
    for magic, kind in MAGIC.items():
        if head.startswith(magic):
            if kind.startswith("Excel 97"):
                raise NotATable(_("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV."))
            raise NotATable(_("This is a %(kind)s file, not a table: upload CSV or XLSX.") % {"kind": kind})
    return _open_csv(fileobj, head)


# --- CSV ------------------------------------------------------------------------------------------------------


def _detect_encoding(fileobj, head: bytes) -> tuple[str, int]:
    """The encoding and the number of lines, in one streaming pass over the bytes."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    valid = True
    while chunk := fileobj.read(CHUNK):
        lines += chunk.count(b"\n")
        if valid:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                valid = False
    if valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    fileobj.seek(0)
    if not valid:
        if encoding == "utf-16":
            raise NotATable(_("The file says it is UTF-16 but is not readable as such."))
        encoding = "cp1252"
    return encoding, lines


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ";"


def _without_nul(lines):
    for line in lines:
        yield line.replace("\x00", NUL_MARK) if "\x00" in line else line


CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))


def _looks_binary(head: bytes) -> bool:
    """Text has next to no control characters; a few NUL bytes are reported per row, a flood is not a table."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    return controls > max(len(head) // 20, 8)


def _open_csv(fileobj, head: bytes) -> Table:
    if _looks_binary(head):
        raise NotATable(_("This looks like binary data, not a CSV table."))
    encoding, line_count = _detect_encoding(fileobj, head)
    errors = "replace" if encoding == "cp1252" else "strict"
    text = io.TextIOWrapper(fileobj, encoding=encoding, errors=errors, newline="")
    lines = _without_nul(text)
    first = next(lines, "")
    while first is not None and not first.strip():
        first = next(lines, None)
    if not first:
        raise NotATable(_("The file has no header row."))
    delimiter = _sniff_delimiter(first)
    csv.field_size_limit(64 * 1024 * 1024)  # the upload limit bounds it; long cells are reported per row
    header = next(csv.reader([first], delimiter=delimiter))
    reader = csv.reader(lines, delimiter=delimiter)

    def rows():
        try:
            for cells in reader:
                yield reader.line_num + 1, cells
        except csv.Error as exc:
            raise NotATable(
                _("The CSV structure breaks at line %(line)s: %(error)s") % {"line": reader.line_num + 1, "error": exc}
            ) from exc

    return Table(header=header, rows=rows(), estimated_rows=max(line_count - 1, 1), delimiter=delimiter)


# --- XLSX -----------------------------------------------------------------------------------------------------


def _check_zip(fileobj) -> None:
    try:
        archive = zipfile.ZipFile(fileobj)
    except zipfile.BadZipFile as exc:
        raise NotATable(_("The file looks like an Excel workbook but is damaged.")) from exc
    names = set()
    unpacked = 0
    members = archive.infolist()
    if len(members) > 2000:
        raise NotATable(_("The workbook has far too many parts to be a device list."))
    for info in members:
        names.add(info.filename)
        unpacked += info.file_size
        if info.file_size > 100 * 1024 * 1024 and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1):
            raise NotATable(
                _("The workbook unpacks to %(ratio)s times its size, which only hostile files do. It was not read.")
                % {"ratio": info.file_size // max(info.compress_size, 1)}
            )
    if unpacked > MAX_XLSX_UNPACKED:
        raise NotATable(_("The workbook unpacks to more than 250 MB. Split it or save it as CSV."))
    if "xl/workbook.xml" not in names:
        raise NotATable(_("This ZIP file is not an Excel workbook (.xlsx)."))
    fileobj.seek(0)


def _open_xlsx(fileobj) -> Table:
    import openpyxl

    _check_zip(fileobj)
    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise NotATable(_("The Excel workbook cannot be read: %(error)s") % {"error": str(exc)[:200]}) from exc
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    header = None
    number = 0
    for cells in iterator:
        number += 1
        if any(c not in (None, "") for c in cells):
            header = ["" if c is None else str(c) for c in cells]
            break
        if number > 1000:
            break
    if header is None:
        raise NotATable(_("The first worksheet has no header row."))
    estimated = max((sheet.max_row or 0) - number, 1)

    def rows():
        n = number
        try:
            for cells in iterator:
                n += 1
                yield n, list(cells)
        finally:
            workbook.close()

    return Table(header=header, rows=rows(), estimated_rows=estimated, delimiter=";")
