"""HTML mail bodies as readable plain text.

A small scanner walks the tags (a full HTML parser is several times slower and mail HTML needs no
tree): block elements become line breaks, ``<hr>`` a line of underscores (what Outlook's plain-text
alternative shows for the rule above a forwarded message), list items "- ", table cells spaces; ``<script>``,
``<style>``, ``<head>`` and comments (Outlook's conditional comments too) disappear; entities are decoded.
Whitespace is collapsed as a browser would, except inside ``<pre>``.
"""

from __future__ import annotations

import re
from html import unescape

_TAG_START = re.compile(r"<(?:(?P<close>/?)(?P<name>[a-zA-Z][a-zA-Z0-9:-]*)|!--|!|\?)")
_SKIP = frozenset({"script", "style", "head", "title", "xml", "template", "noscript"})
_BLOCK = frozenset(
    "p div tr table tbody thead tfoot h1 h2 h3 h4 h5 h6 blockquote ul ol dl dt dd pre section article header "
    "footer address center form fieldset nav aside figure figcaption main".split()
)
_CELL = frozenset({"td", "th"})
_WHITESPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")
_RULE = "_" * 32
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(html: str) -> str:
    out: list[str] = []
    pos = 0
    pre = 0
    size = len(html)
    while pos < size:
        match = _TAG_START.search(html, pos)
        if match is None:
            _text(out, html[pos:], pre)
            break
        if match.start() > pos:
            _text(out, html[pos : match.start()], pre)
        # A tag ends at the next ">" (quotes are not tracked: ">" inside attribute values is rare in mail, and
        # this keeps hostile input linear). An unterminated comment or tag swallows the rest, as in a browser.
        if match.group(0) == "<!--":
            end = html.find("-->", match.end())
            pos = size if end < 0 else end + 3
            continue
        end = html.find(">", match.end())
        if end < 0:
            break
        pos = end + 1
        name = match.group("name")
        if name is None:
            continue
        name = name.lower()
        closing = bool(match.group("close"))
        if name in _SKIP and not closing and not html[end - 1] == "/":
            close = _find_close(html, name, pos)
            pos = size if close < 0 else close
        elif name == "br":
            out.append("\n")
        elif name == "hr":
            out.append(f"\n{_RULE}\n")
        elif name == "li" and not closing:
            out.append("\n- ")
        elif name in _BLOCK:
            out.append("\n")
            if name == "pre":
                pre = max(0, pre - 1) if closing else pre + 1
        elif name in _CELL and closing:
            out.append(" ")
    lines = [line.strip() for line in "".join(out).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _text(out: list[str], chunk: str, pre: int) -> None:
    if "&" in chunk:
        chunk = unescape(chunk)
    if pre:
        out.append(chunk.replace("\u00a0", " "))
    else:
        out.append(_WHITESPACE.sub(" ", chunk))


def _find_close(html: str, name: str, pos: int) -> int:
    """The position after ``</name>`` (case-insensitive), or -1."""
    match = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(html, pos)
    return -1 if match is None else match.end()
