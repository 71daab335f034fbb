"""Untrusted HTML to plain text, with hidden content removed and table rows kept on one line.

Hidden elements (``display:none``, ``visibility:hidden``, ``hidden``, zero font size, white
on white is not attempted) are a classic carrier for instructions aimed at an LLM; every
converter keeps them, so they are removed here before any text is used. Table cells are
joined with `` | `` so a line item stays one line.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, Tag

_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d]*[1-9])|opacity\s*:\s*0(?![.\d]*[1-9])|max-height\s*:\s*0",
    re.IGNORECASE,
)
_NEVER_TEXT = ("script", "style", "head", "template", "noscript", "iframe", "object", "svg")
_BLOCKS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "blockquote")


def html_to_text(html: str) -> str:
    """Visible text of ``html``: one line per block or table row, cells separated by `` | ``."""
    soup = BeautifulSoup(html, "html.parser")
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in soup.find_all(_NEVER_TEXT):
        tag.decompose()
    for tag in soup.find_all(_is_hidden):
        tag.decompose()
    for row in soup.find_all("tr"):
        cells = [" ".join(cell.get_text(" ", strip=True).split()) for cell in row.find_all(["td", "th"])]
        row.replace_with(soup.new_string("\n" + " | ".join(c for c in cells if c) + "\n"))
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = (" ".join(line.split()) for line in soup.get_text().splitlines())
    return "\n".join(line for line in lines if line)


def _is_hidden(tag: Tag) -> bool:
    if not isinstance(tag, Tag) or tag.attrs is None:
        return False
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    return bool(_HIDDEN_STYLE.search(str(tag.get("style", ""))))
