"""HTML mail bodies as plain text, with blockquotes kept as "> " quoting.

Keeping the quoting lets one quote stripper serve plain-text and HTML-only replies alike.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIPPED = frozenset({"script", "style", "head", "title", "template"})
_BLOCKS = frozenset(
    {"p", "div", "tr", "li", "ul", "ol", "table", "hr", "pre", "blockquote", "section"}
    | {"article", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt"}
)
# Gmail marks the signature with this class but does not always write the "-- " line in HTML.
_SIGNATURE_CLASSES = ("gmail_signature", "moz-signature")


def html_to_text(html: str) -> str:
    """The readable text of an HTML body: one line per block, blockquotes prefixed "> "."""
    collector = _TextCollector()
    try:
        collector.feed(html)
        collector.close()
    except Exception:  # html.parser is lenient, but a broken document must not lose the text
        pass
    return collector.text()


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[str] = []
        self._words: list[str] = []
        self._skipping = 0
        self._quote_depth = 0
        self._line_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag == "br":
            self._end_line(keep_empty=True)
        elif tag in _BLOCKS:
            self._end_line()
            if tag == "blockquote":
                self._quote_depth += 1
            classes = " ".join(value or "" for name, value in attrs if name == "class")
            if any(marker in classes for marker in _SIGNATURE_CLASSES):
                self._lines.append("-- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self._end_line()
            if tag == "blockquote":
                self._quote_depth = max(0, self._quote_depth - 1)
            if tag == "p":
                self._lines.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        words = re.sub(r"\s+", " ", data.replace("\xa0", " "))
        if not self._words:
            if not words.strip():
                return
            self._line_depth = self._quote_depth
        self._words.append(words)

    def text(self) -> str:
        self._end_line()
        text = "\n".join(self._lines)
        return re.sub(r"\n(?:[ \t]*\n)+", "\n\n", text).strip()

    def _end_line(self, *, keep_empty: bool = False) -> None:
        line = re.sub(r" {2,}", " ", "".join(self._words)).strip()
        self._words = []
        if line:
            self._lines.append("> " * self._line_depth + line)
        elif keep_empty:
            self._lines.append("")
