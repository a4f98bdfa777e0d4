"""Email addresses out of address headers and out of the free-text header blocks of inline forwards.

Only the bare addresses matter for capture (names are not used for linking), so display names are skipped
rather than decoded: ``"Hansen, Kari" <Kari.Hansen@Acme.no>``, ``Kari Hansen [mailto:kari@acme.no]``,
``kari@acme.no (Kari)`` and ``Undisclosed recipients:;`` all work. Results are lower-cased, in order, without
duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"?')
_COMMENT = re.compile(r"\([^()]*\)")
_ANGLE = re.compile(r"<\s*(?:mailto:)?([^<>\s]+@[^<>\s]+?)\s*>", re.IGNORECASE)
_MAILTO = re.compile(r"\[\s*mailto:\s*([^\[\]\s]+@[^\[\]\s]+?)\s*\]", re.IGNORECASE)
_BARE = re.compile(r"""(?:mailto:)?([^\s<>()\[\]",;:@]+@[^\s<>()\[\]",;:@]+)""", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,;]")
_VALID = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+")


def header_addresses(value: str) -> list[str]:
    """Addresses of an address header (From, To, Cc): groups allowed, separators ``,`` (and ``;``)."""
    return _addresses(value, groups=True)


def text_addresses(value: str) -> list[str]:
    """Addresses of a "To:" line written by a mail client into a forward: separators ``,`` and ``;``."""
    return _addresses(value, groups=False)


def unique(addresses: Iterable[str], *, exclude: Iterable[str] = ()) -> list[str]:
    seen = set(exclude)
    out = []
    for address in addresses:
        if address not in seen:
            seen.add(address)
            out.append(address)
    return out


def _addresses(value: str, *, groups: bool) -> list[str]:
    if "@" not in value:
        return []
    found = []
    for segment in _segments(value, groups=groups):
        address = _segment_address(segment)
        if address is not None:
            found.append(address)
    return unique(found)


def _segments(value: str, *, groups: bool) -> list[str]:
    """Split on "," and ";" outside quotes, comments, angle and square brackets. In headers, "name:" before
    a group's members is dropped."""
    if not any(char in value for char in '"([:'):
        return _SEPARATORS.split(value)  # the common case: nothing that can hide a separator
    segments: list[str] = []
    start = 0
    quoted = escaped = False
    depth = 0  # <...>, (...), [...]
    for index, char in enumerate(value):
        if escaped:
            escaped = False
        elif quoted:
            if char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char in "<([":
            depth += 1
        elif char in ">)]":
            depth = max(0, depth - 1)
        elif depth == 0 and (char in ",;" or (groups and char == ":")):
            if char != ":":
                segments.append(value[start:index])
            start = index + 1
    segments.append(value[start:])
    return segments


def _segment_address(segment: str) -> str | None:
    if "@" not in segment:
        return None
    if '"' in segment:
        # An address inside the display name does not count ("kari@acme.no" <kh@acme.no>), but when a broken
        # quote swallowed the real address ("Per Olsen <per@acme.no>), look inside the quotes after all.
        found = _segment_address_unquoted(_QUOTED.sub(" ", segment))
        return found if found is not None else _segment_address_unquoted(segment.replace('"', " "))
    return _segment_address_unquoted(segment)


def _segment_address_unquoted(segment: str) -> str | None:
    match = _ANGLE.search(segment) or _MAILTO.search(segment)
    if match is None:
        if "(" in segment:
            segment = _COMMENT.sub(" ", segment)
        match = _BARE.search(segment)
        if match is None:
            return None
    return normalise(match.group(1))


def normalise(address: str) -> str | None:
    """A bare address lower-cased and trimmed, or None when it does not look like one."""
    address = address.strip().strip(".'`*").lower()
    if address.startswith("mailto:"):
        address = address[7:]
    if _VALID.fullmatch(address) is None:
        return None
    local, _, domain = address.rpartition("@")
    domain = domain.strip(".")
    if not local or not domain or ".." in domain:
        return None
    return f"{local}@{domain}"
