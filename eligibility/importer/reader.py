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
MAX_COLUMNS = 200  # an inventory has eight; a sheet's claim to 16 384 is not taken at its word
NUL_MARK = "\ufffe"  # stands in for a NUL byte so the row can be reported instead of crashing the parser


class NotATable(Exception):
    """The file cannot be read as a table at all; the message says why, for the person who uploaded it."""


class BrokenRow(list):
    """The cells of a row the reader could not take apart reliably; the pipeline reports it instead of storing it.
    ``column`` is the index of the cell where things went wrong, ``problem`` the message."""

    column: int = 0
    problem: str = ""


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
    raw: list[str] = []  # the lines of the record being read, to read them again when a quotation mark misleads
    end = {"reached": False}  # whether the csv reader asked for a line after the last one, in the middle of a record

    def physical_lines():
        for line in text:
            if "\x00" in line:
                line = line.replace("\x00", NUL_MARK)
            raw.append(line)
            yield line
        end["reached"] = True

    lines = physical_lines()
    first = next(lines, "")
    while first is not None and not first.strip():
        first = next(lines, None)
    if not first:
        raise NotATable(_("The file has no header row."))
    delimiter = _sniff_delimiter(first)
    csv.field_size_limit(64 * 1024 * 1024)  # the upload limit bounds it; long cells are reported per row
    header = next(csv.reader([first], delimiter=delimiter))
    reader = csv.reader(lines, delimiter=delimiter)
    raw.clear()

    def rows():
        previous = 0
        try:
            for cells in reader:
                last = reader.line_num
                if last - previous > 1 or end["reached"]:  # rare: a cell spans lines, or the file ends in one
                    yield from _reread(cells, list(raw), last + 1, delimiter, at_end=end["reached"])
                else:
                    yield last + 1, cells
                raw.clear()
                previous = last
        except csv.Error as exc:
            raise NotATable(
                _("The CSV structure breaks at line %(line)s: %(error)s") % {"line": reader.line_num + 1, "error": exc}
            ) from exc

    return Table(header=header, rows=rows(), estimated_rows=max(line_count - 1, 1), delimiter=delimiter)


def _quote_left_open(lines: list[str], delimiter: str) -> bool:
    """Whether a quotation mark opened in ``lines`` is still open after the last of them."""
    try:
        for _cells in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _swallowing_cell(cells: list, delimiter: str) -> int | None:
    """The index of a cell that holds a line break and a separator: what follows a quotation mark that opened
    by mistake (no inventory value needs both)."""
    for index, cell in enumerate(cells):
        if delimiter in cell and ("\n" in cell or "\r" in cell):
            return index
    return None


def _broken(cells: list, first_line: str, delimiter: str, column: int | None = None) -> BrokenRow:
    """The row whose quotation mark opened a cell that did not close on its line."""
    if column is None:  # the quote swallowed the rest of the line: its cell is the line's last
        column = max(len(next(csv.reader([first_line], delimiter=delimiter), [])) - 1, 0)
    row = BrokenRow(cells)
    row.column = column
    row.problem = _(
        "A quotation mark opens a cell here that does not close on this line, so the lines after it would have "
        "been read into this one cell. The row was not imported; the lines after it were read as rows of their "
        "own. Remove the quotation mark or close it, then upload the file again."
    )
    return row


def _reread(cells: list, lines: list[str], last_number: int, delimiter: str, *, at_end: bool):
    """A record spanning several lines is a quoted cell with line breaks (Excel writes those), unless that cell
    swallowed separators too, or the file ended inside it: a quotation mark that never closed. Then the row where
    it opened is reported, and each swallowed line is read again as the row it is."""
    first_number = last_number - len(lines) + 1
    column = _swallowing_cell(cells, delimiter)
    if column is None and not (at_end and _quote_left_open(lines, delimiter)):
        yield last_number, cells
        return
    yield first_number, _broken(cells, lines[0], delimiter, column)
    for number, line in enumerate(lines[1:], start=first_number + 1):
        line_cells = next(csv.reader([line], delimiter=delimiter), [])
        if _quote_left_open([line], delimiter):
            yield number, _broken(line_cells, line, delimiter)
        else:
            yield number, line_cells


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
    claimed_rows = sheet.max_row or 0
    # The sheet's <dimension> is the file's claim, not a fact: believing "A1:XFD1048576", openpyxl pads every row
    # to 16 384 cells and makes up every row up to 1 048 576. Without it, rows are as long as their cells, capped.
    sheet.reset_dimensions()
    header = None
    number = 0
    for cells in sheet.iter_rows(max_row=1001, max_col=MAX_COLUMNS, values_only=True):
        number += 1
        if any(c not in (None, "") for c in cells):
            header = ["" if c is None else str(c) for c in cells]
            break
    while header and not header[-1].strip():
        header.pop()
    if not header:
        workbook.close()
        raise NotATable(_("The first worksheet has no header row."))
    width = len(header)
    estimated = max(min(claimed_rows, MAX_DATA_ROWS) - number, 1)

    def rows():
        n = number
        try:
            for cells in sheet.iter_rows(min_row=number + 1, max_col=width, values_only=True):
                n += 1
                # A row missing from the sheet comes as ``width`` Nones; counted in C, it becomes an empty row.
                yield n, [] if cells.count(None) == width else list(cells)
        finally:
            workbook.close()

    return Table(header=header, rows=rows(), estimated_rows=estimated, delimiter=";")
