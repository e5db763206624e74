"""The CSV half of the import reader: refuse binaries, decode, find the delimiter, split records."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator

from charset_normalizer import from_bytes

from leads.errors import ImportFailed

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_CHARS = 32_768
_BINARY_CHECK_BYTES = 8_192
# Files people pick by mistake, by their first bytes.
_MAGIC = {
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old-style Office file (.xls?); save it as .xlsx or CSV",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_text(data: bytes, *, name: str) -> tuple[str, str]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, CP949, else detected.

    Returns the text and the encoding used; raises ImportFailed for binary or undecodable files.
    """
    if not data.strip():
        raise ImportFailed(f"{name}: the file is empty (no header row)")
    if data.startswith(_UTF16_BOMS):  # Excel's "Unicode text" export
        return _decode_as(data, "utf-16", name), "utf-16"
    _refuse_binary(data, name)
    if data.startswith(codecs.BOM_UTF8):
        return _decode_as(data, "utf-8-sig", name), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        pass
    else:
        if _mostly_hangul(text):
            return text, "cp949"
    best = from_bytes(data).best()
    if best is None:
        raise ImportFailed(f"{name}: cannot tell how the text is encoded; save it as UTF-8")
    return str(best), best.encoding


def sniff_delimiter(text: str) -> str:
    """Find the delimiter among `,` `;` tab `|` from a sample of the text.

    csv.Sniffer guesses; the guess stands unless another candidate splits more of the sampled
    records into the header's field count (a header like `Revenue, EUR` fools the Sniffer, and
    a malformed row must not turn a `;` file into a one-column `,` file).
    """
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > _SNIFF_CHARS
    try:
        sniffed: str | None = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    scores = {d: _split_score(sample, d, truncated=truncated) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: scores[d])
    if sniffed in scores and scores[sniffed] >= scores[best]:
        return sniffed
    return best if scores[best][1] > 1 else ","


def _split_score(sample: str, delimiter: str, *, truncated: bool) -> tuple[float, int]:
    """(share of records with the header's field count, that count) when split by delimiter.

    A split that leaves the header one field long scores nothing: it finds no columns.
    """
    records = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if r]
    if truncated and len(records) > 1:
        records.pop()  # the sample may end inside a record
    if not records or len(records[0]) < 2:
        return (0.0, 0)
    width = len(records[0])
    share = sum(len(r) == width for r in records) / len(records)
    return (round(share, 2), width)


def csv_records(text: str, delimiter: str, *, name: str) -> Iterator[tuple[int, list[str]]]:
    """Yield each record with the physical line it starts on (quoted fields may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for values in reader:
            yield start, values
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFailed(f"{name}: line {start}: {exc} (is a quote left open?)") from None


def _mostly_hangul(text: str) -> bool:
    """Tell whether text decoded as CP949 reads as Korean rather than as mis-decoded bytes.

    CP949 accepts most byte pairs, so a Cyrillic or Latin-1 file often "decodes" into rare
    syllables and Hanja; real Korean spreadsheets are mostly Hangul beyond ASCII.
    """
    foreign = sum(1 for char in text if not char.isascii())
    return foreign == 0 or len(_HANGUL.findall(text)) >= 0.8 * foreign


def _decode_as(data: bytes, encoding: str, name: str) -> str:
    """Decode with a known encoding, or fail the import saying which."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{name}: not valid {encoding} text ({exc.reason})") from None


def _refuse_binary(data: bytes, name: str) -> None:
    """Raise ImportFailed when the bytes are a known binary format or not text at all."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise ImportFailed(f"{name}: this is {what}, not a CSV or XLSX file")
    head = data[:_BINARY_CHECK_BYTES]
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f")
    if b"\x00" in head or controls > len(head) // 20:
        raise ImportFailed(f"{name}: this is a binary file, not a CSV or XLSX file")
