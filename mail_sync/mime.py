"""A small, forgiving MIME reader over bytes.

The stdlib's ``email`` package is correct but slow for our volume (its default policy parses every header
into objects; even compat32 walks big attachments line by line). Capture only needs a handful of headers, the
text bodies and the attachments' names and sizes, so this module splits the raw bytes itself: headers up to the
first empty line, multipart bodies with ``bytes.find`` on the boundary, transfer encodings with ``binascii``.

Nothing here raises on bad input: a missing or wrong boundary makes the body one text part, an unknown charset
falls back to UTF-8 and then Windows-1252, broken base64 decodes as far as it goes.
"""

from __future__ import annotations

import binascii
import codecs
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote_to_bytes

MAX_DEPTH = 25  # nested multiparts deeper than this are kept as opaque leaves
MAX_PARTS = 500  # parts per multipart; the rest is ignored

_FALLBACK_CHARSET = "cp1252"
# Charset labels that mean "Windows-1252" in practice (what browsers do for ISO-8859-1 and ASCII labels).
_CP1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1", "cp819"})
_SINGLE_BYTE = frozenset({"cp1252", "iso8859-1", "iso8859-15", "cp1250", "iso8859-2"})
_ASCII_LABELS = frozenset({"us-ascii", "ascii", "ansi_x3.4-1968", "us", "646", "iso646-us", "x-unknown"})


@dataclass(slots=True)
class Entity:
    """One MIME entity: its headers (lower-case names, raw values) and either a body or child entities."""

    headers: list[tuple[str, bytes]]
    body: bytes
    content_type: str = "text/plain"
    params: dict[str, str] = field(default_factory=dict)
    children: list[Entity] = field(default_factory=list)
    first: dict[str, bytes] = field(default_factory=dict)  # the first value of each header

    def __post_init__(self) -> None:
        for key, value in self.headers:
            self.first.setdefault(key, value)

    def header(self, name: str) -> bytes | None:
        return self.first.get(name)

    def headers_named(self, name: str) -> list[bytes]:
        return [value for key, value in self.headers if key == name]

    def disposition(self) -> tuple[str, dict[str, str]]:
        raw = self.header("content-disposition")
        if raw is None:
            return "", {}
        value, params = parse_parameterised(header_text(raw))
        return value, params

    def filename(self) -> str:
        _, params = self.disposition()
        name = params.get("filename") or self.params.get("name") or ""
        return decode_words(name).strip() if "=?" in name else name.strip()

    def decoded_body(self) -> bytes:
        return decode_transfer(self.body, header_text(self.header("content-transfer-encoding") or b""))

    def text(self) -> str:
        """The body as text: transfer encoding undone, charset decoded, format=flowed joined."""
        data = self.decoded_body()
        text = decode_bytes(data, self.params.get("charset", ""))
        if self.params.get("format", "").lower() == "flowed":
            text = unflow(text, delsp=self.params.get("delsp", "").lower() == "yes")
        return text


# ---------------------------------------------------------------------------------------------------- parsing


def parse_entity(data: bytes, *, default_type: str = "text/plain", depth: int = 0) -> Entity:
    """Parse ``data`` (line endings already LF) into an entity tree."""
    headers, body = split_headers(data)
    entity = Entity(headers, body)
    raw_type = entity.header("content-type")
    content_type = default_type
    if raw_type is not None:
        value, params = parse_parameterised(header_text(raw_type))
        value = value.lower()
        if "/" in value and " " not in value:
            content_type = value
        elif value:
            content_type = "text/plain"  # RFC 2045 §5.2: an invalid Content-Type means text/plain
        entity.params = params
    entity.content_type = content_type
    if content_type.startswith("multipart/") and depth < MAX_DEPTH:
        boundary = entity.params.get("boundary", "")
        parts = split_multipart(body, boundary.encode("utf-8", "surrogateescape")) if boundary else None
        if parts is None:
            # No usable boundary: keep whatever is there readable as one plain text part.
            entity.content_type = "text/plain"
            entity.params = {k: v for k, v in entity.params.items() if k == "charset"}
        else:
            child_default = "message/rfc822" if content_type == "multipart/digest" else "text/plain"
            entity.children = [
                parse_entity(part, default_type=child_default, depth=depth + 1) for part in parts[:MAX_PARTS]
            ]
            entity.body = b""
    return entity


def split_headers(data: bytes) -> tuple[list[tuple[str, bytes]], bytes]:
    """Headers up to the first empty line (unfolded, names lower-cased) and the rest as the body.

    A line that is neither a header nor a continuation ends the header block, as in the stdlib; an mbox
    "From " line at the very top is skipped.
    """
    headers: list[tuple[str, bytes]] = []
    pos = data.find(b"\n") + 1 if data.startswith(b"From ") else 0
    size = len(data)
    while pos < size:
        match = _HEADER_FIELD.match(data, pos)
        if match is None:
            break
        value = match.group(2)
        if b"\n" in value:
            value = _FOLD.sub(b" ", value)
        headers.append((match.group(1).decode("ascii").lower(), value.strip(b" \t\r")))
        pos = match.end()
    end = data.find(b"\n", pos)
    line = data[pos:] if end < 0 else data[pos:end]
    if line.strip(b" \t\r"):
        return headers, data[pos:]  # not a header: the body starts here
    return headers, b"" if end < 0 else data[end + 1 :]


def split_multipart(body: bytes, boundary: bytes) -> list[bytes] | None:
    """The parts between ``--boundary`` delimiter lines, or None when there is no delimiter at all.

    A missing close delimiter (a truncated message) ends the last part at the end of the data.
    """
    delimiter = b"--" + boundary
    positions: list[tuple[int, int, bool]] = []  # (line start, line end, is close delimiter)
    if body.startswith(delimiter):
        start = 0
    else:
        start = body.find(b"\n" + delimiter)
        start = start + 1 if start >= 0 else -1
    while start >= 0:
        after = start + len(delimiter)
        line_end = body.find(b"\n", after)
        if line_end < 0:
            line_end = len(body)
        rest = body[after:line_end]
        closing = rest.startswith(b"--")
        if closing:
            rest = rest[2:]
        if not rest.strip(b" \t\r"):
            positions.append((start, line_end, closing))
            if closing or len(positions) > MAX_PARTS:
                break
        nxt = body.find(b"\n" + delimiter, line_end)
        start = nxt + 1 if nxt >= 0 else -1
    if not positions:
        return None
    parts = []
    for (_, line_end, closing), following in zip(positions, [*positions[1:], None], strict=True):
        if closing:
            break
        begin = line_end + 1
        stop = len(body) if following is None else following[0] - 1  # the LF before a delimiter belongs to it
        parts.append(body[begin:stop] if stop > begin else b"")
    return parts


# ------------------------------------------------------------------------------------------- header values

# One header with its continuation lines (a whitespace-only line is not a continuation: it ends the block).
_HEADER_FIELD = re.compile(rb"([!-9;-~]+)[ \t]*:([^\n]*(?:\n[ \t]+[^ \t\r\n][^\n]*)*)(?:\n|\Z)")
_FOLD = re.compile(rb"[ \t\r]*\n[ \t]+")
_PARAMETER = re.compile(r'([^\s=;"]+)\s*=\s*("(?:[^"\\]|\\.)*"?|[^;]*)')
_ENCODED_WORD = re.compile(r"=\?([\x21-\x3e\x40-\x7e]+?)\?([bBqQ])\?([\x21-\x3e\x40-\x7e]*)\?=")
_SPACES = re.compile(r"\s+")


def header_text(raw: bytes) -> str:
    """Header bytes as text: ASCII as is, otherwise UTF-8, otherwise Windows-1252 (raw 8-bit headers)."""
    if raw.isascii():
        return raw.decode("ascii")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode(_FALLBACK_CHARSET, "replace")


def decode_header(raw: bytes | None) -> str:
    """An unstructured header (Subject): 8-bit bytes and RFC 2047 encoded words decoded, whitespace collapsed."""
    if raw is None:
        return ""
    text = header_text(raw)
    if "=?" in text:
        text = decode_words(text)
    return _SPACES.sub(" ", text).strip()


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words. Adjacent words in one charset are joined before decoding, so a
    multi-byte character split across two words (common with B encoding) survives."""
    out: list[str] = []
    pending = bytearray()
    pending_charset = ""
    last_end = 0
    for match in _ENCODED_WORD.finditer(text):
        between = text[last_end : match.start()]
        charset = match.group(1).split("*", 1)[0].lower()
        adjacent = last_end > 0 and not between.strip()
        if not adjacent or charset != pending_charset:
            if pending:
                out.append(decode_bytes(bytes(pending), pending_charset))
                pending.clear()
            if not adjacent:
                out.append(between)
        pending_charset = charset
        pending += _decode_word_payload(match.group(2), match.group(3))
        last_end = match.end()
    if pending:
        out.append(decode_bytes(bytes(pending), pending_charset))
    out.append(text[last_end:])
    return "".join(out)


def _decode_word_payload(encoding: str, payload: str) -> bytes:
    data = payload.encode("ascii", "replace")
    if encoding in "bB":
        return decode_base64(data)
    try:
        return binascii.a2b_qp(data, header=True)
    except (binascii.Error, ValueError):
        return data


def parse_parameterised(text: str) -> tuple[str, dict[str, str]]:
    """``value; name=param; name*=utf-8''%C3%A6`` → ("value", {"name": "param", ...}), RFC 2231 included."""
    value, _, rest = text.partition(";")
    value = value.strip().strip('"').strip()
    params: dict[str, str] = {}
    continued: dict[str, list[tuple[int, bool, str]]] = {}
    for match in _PARAMETER.finditer(rest):
        name = match.group(1).lower()
        raw = match.group(2).strip()
        if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
            raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        elif raw.startswith('"'):
            raw = raw[1:]
        if "*" in name:  # RFC 2231: name*=charset'lang'value, name*0=..., name*1*=...
            base, _, sections = name.partition("*")
            extended = sections.endswith("*") or sections == ""
            index_text = sections.rstrip("*")
            index = int(index_text) if index_text.isdigit() and len(index_text) < 4 else 0
            continued.setdefault(base, []).append((index, extended, raw))
        elif name not in params:
            params[name] = raw
    for base, parts in continued.items():
        params[base] = _join_rfc2231(sorted(parts, key=lambda part: part[0]))
    return value, params


def _join_rfc2231(sections: list[tuple[int, bool, str]]) -> str:
    charset = "utf-8"
    data = bytearray()
    for position, (_, extended, raw) in enumerate(sections):
        if extended and position == 0 and raw.count("'") >= 2:
            charset, _, raw = raw.partition("'")
            _, _, raw = raw.partition("'")
        if extended:
            data += unquote_to_bytes(raw)
        else:
            data += raw.encode("utf-8", "replace")
    return decode_bytes(bytes(data), charset or "utf-8")


# -------------------------------------------------------------------------------- transfer and charsets

_NOT_BASE64 = bytes(
    ch for ch in range(256) if ch not in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)


def decode_transfer(body: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding == "base64":
        return decode_base64(body)
    if encoding == "quoted-printable":
        try:
            return binascii.a2b_qp(body)
        except (binascii.Error, ValueError):
            return body
    return body


def decode_base64(data: bytes) -> bytes:
    """Base64 decoded as far as it makes sense: stray characters dropped, padding repaired."""
    try:
        return binascii.a2b_base64(data)
    except (binascii.Error, ValueError):
        pass
    clean = data.translate(None, _NOT_BASE64)
    clean = clean[: len(clean) - len(clean) % 4] if len(clean) % 4 == 1 else clean + b"=" * (-len(clean) % 4)
    try:
        return binascii.a2b_base64(clean)
    except (binascii.Error, ValueError):
        return b""


def decode_bytes(data: bytes, charset: str) -> str:
    """Text in the declared charset; when that is unknown or wrong, UTF-8, then Windows-1252."""
    codec = text_codec(charset)
    if data.isascii():
        return data.decode("ascii")
    if codec in _SINGLE_BYTE:
        # Mislabelled UTF-8 is common, and valid UTF-8 is all but impossible in real Latin-1 text.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if codec is not None:
        try:
            return data.decode(codec)
        except (
            Exception
        ):  # a declared codec can fail in many ways on bad bytes (UnicodeError, ValueError, ...)
            pass
    if codec != "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return data.decode(_FALLBACK_CHARSET, "replace")


@lru_cache(maxsize=256)
def text_codec(charset: str) -> str | None:
    """The Python codec for a MIME charset label, or None when it is unknown, absent or not a text encoding."""
    label = charset.strip().strip('"').lower()
    if not label or len(label) > 40 or label in _ASCII_LABELS:
        return None
    if label in _CP1252_LABELS:
        return _FALLBACK_CHARSET
    try:
        info = codecs.lookup(label)
    except Exception:  # LookupError for unknown names; odd labels can raise other errors
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in {
        "undefined",
        "unicode-escape",
        "raw-unicode-escape",
    }:
        return None
    return info.name


def unflow(text: str, *, delsp: bool) -> str:
    """Join RFC 3676 format=flowed soft line breaks (a line ending in a space continues on the next)."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            current += line[:-1] if delsp else line
        else:
            out.append(current + line)
            current = ""
    if current:
        out.append(current)
    return "\n".join(out)
