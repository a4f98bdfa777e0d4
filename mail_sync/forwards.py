"""Inline forwards: the header block a mail client writes above a forwarded message, in English, Norwegian and
Swedish (and the Danish and German forms, which cost nothing).

What each client writes is data, in the tables below, not branches in code:

- Gmail: "---------- Forwarded message ---------" / "Videresendt melding" / "Vidarebefordrat meddelande",
  then From/Date/Subject/To/Cc (Gmail localises only "From": "Fra:", "Från:").
- Thunderbird: "-------- Forwarded Message --------" and its translations, then Subject/Date/From/To.
- Apple Mail: "Begin forwarded message:" / "Start på videresendt melding:" / "Vidarebefordrat brev:", then
  From/Subject/Date/To.
- Outlook desktop and web: "-----Original Message-----", a line of underscores, or just the block
  From/Sent/To/Cc/Subject ("Fra/Sendt/Til/Kopi/Emne", "Från/Skickat/Till/Kopia/Ämne").

The first three markers only ever introduce forwards ("strong"). Outlook writes the same block above the
quoted message of a reply ("weak"), so a weak block counts only when the caller says the message is a forward
(its subject says so, or it was sent to the capture address alone), or when it sits inside a forwarded
message whose own subject says it was a forward (nested forwards).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# Marker lines that introduce a forwarded message and nothing else.
STRONG_MARKERS = (
    # Gmail, Thunderbird, mutt ("----- Forwarded message from Per <per@acme.no> -----")
    r"-{2,}[ \t]*(?:forwarded message|videresendt melding|vidarebefordrat meddelande|videresendt meddelelse"
    r"|videresendt besked|weitergeleitete nachricht)(?:[ \t]+from\b[^\n]*?)?[ \t]*-{2,}",
    # Apple Mail
    r"(?:begin forwarded message|start på videresendt melding|vidarebefordrat brev|start på videresendt besked"
    r"|anfang der weitergeleiteten nachricht)[ \t]*:",
)
# Marker lines Outlook writes above both forwards and the quoted message of replies.
WEAK_MARKERS = (
    r"-{2,}[ \t]*(?:original message|opprinnelig melding|originalmelding|ursprungligt meddelande"
    r"|originalmeddelande|oprindelig meddelelse|ursprüngliche nachricht)[ \t]*-{2,}",
    r"_{10,}",
)
# Header labels of the block, in every supported language, and the field each one fills.
LABELS = {
    "from": "from", "fra": "from", "från": "from", "von": "from",
    "to": "to", "til": "to", "till": "to", "an": "to", "mottaker": "to", "mottagare": "to",
    "cc": "cc", "kopi": "cc", "kopia": "cc", "kopie": "cc", "kopi til": "cc",
    "date": "date", "sent": "date", "dato": "date", "sendt": "date", "datum": "date", "skickat": "date",
    "gesendet": "date", "sent at": "date",
    "subject": "subject", "emne": "subject", "ämne": "subject", "betreff": "subject",
    "bcc": "", "reply-to": "", "svar til": "", "svara till": "", "importance": "", "prioritet": "",
    "attachments": "", "vedlegg": "", "bilagor": "", "bilaga": "", "anhang": "", "organization": "",
}  # fmt: skip
ADDRESS_FIELDS = ("from", "to", "cc")

_MARKER = re.compile(
    r"^[ \t>]*(?:(?P<strong>"
    + "|".join(STRONG_MARKERS)
    + r")|(?P<weak>"
    + "|".join(WEAK_MARKERS)
    + r"))[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_LABEL_ALTERNATIVES = "|".join(sorted((re.escape(label) for label in LABELS), key=len, reverse=True))
_LABEL_LINE = re.compile(
    r"[ \t>]*\**[ \t]*(?P<label>" + _LABEL_ALTERNATIVES + r")[ \t]*\**[ \t]*:[ \t]*\**[ \t]*(?P<value>.*)",
    re.IGNORECASE,
)
_FROM_LINE = re.compile(
    r"^[ \t>]*\**[ \t]*(?:from|fra|från|von)[ \t]*\**[ \t]*:", re.IGNORECASE | re.MULTILINE
)
MAX_BLOCK_LINES = 30
MAX_BLOCKS = 100
MAX_SCAN = 256 * 1024  # characters of body text searched for forward blocks; they sit near the top


@dataclass(frozen=True, slots=True)
class ForwardBlock:
    start: int  # offset of the marker (or of the first field) in the text
    end: int  # offset just after the block: where the forwarded message's body starts
    strong: bool
    fields: dict[str, str]  # "from", "to", "cc", "date", "subject" as written, when present


def find_forward_chain(text: str, *, weak_allowed: bool) -> list[ForwardBlock]:
    """The forward blocks from the outermost to the innermost; empty when the text holds no forward."""
    if not text:
        return []
    text = text[:MAX_SCAN]
    chain: list[ForwardBlock] = []
    allow_weak = weak_allowed
    for block in _candidates(text):
        if chain and block.start < chain[-1].end:
            continue
        if not block.strong and not allow_weak:
            break  # the quoted message of a reply: what follows is that thread, not a forward
        chain.append(block)
        allow_weak = has_forward_prefix(block.fields.get("subject", ""))
    return chain


def _candidates(text: str) -> list[ForwardBlock]:
    """Blocks after marker lines, then bare "From:" blocks outside those, in text order (at most MAX_BLOCKS
    of each kind: nobody nests forwards deeper, and it keeps hostile input linear)."""
    blocks: list[ForwardBlock] = []
    for match in _MARKER.finditer(text):
        fields, end = _read_fields(text, match.end() + 1)
        if "from" in fields:
            blocks.append(ForwardBlock(match.start(), end, match.group("strong") is not None, fields))
            if len(blocks) >= MAX_BLOCKS:
                break
    starts = [block.start for block in blocks]
    bare: list[ForwardBlock] = []
    covered_until = -1
    for match in _FROM_LINE.finditer(text):
        start = match.start()
        index = bisect_right(starts, start) - 1
        if start < covered_until or (index >= 0 and start < blocks[index].end):
            continue  # part of a block already read
        fields, end = _read_fields(text, start)
        if "from" in fields and sum(key in fields for key in ("date", "to", "subject")) >= 2:
            bare.append(ForwardBlock(start, end, False, fields))
            covered_until = end
            if len(bare) >= MAX_BLOCKS:
                break
    return sorted(blocks + bare, key=lambda block: block.start)


def _read_fields(text: str, pos: int) -> tuple[dict[str, str], int]:
    """Read "Label: value" lines from ``pos``: blank lines before the first field and single blank lines
    between fields are allowed; an address list wrapped onto the next line is joined."""
    fields: dict[str, str] = {}
    end = pos
    blanks = 0
    last = ""
    size = len(text)
    for _ in range(MAX_BLOCK_LINES):
        if pos >= size:
            break
        newline = text.find("\n", pos)
        line_end = size if newline < 0 else newline
        line = text[pos:line_end]
        nxt = line_end + 1
        if not line.strip(" \t>\r*\u00a0"):
            blanks += 1
            if blanks > (3 if not fields else 1):
                break
            last = ""
            pos = nxt
            continue
        match = _LABEL_LINE.match(line)
        if match is not None:
            key = LABELS[match.group("label").lower()]
            if key and key not in fields:
                fields[key] = match.group("value").strip(" \t\r*")
            last = key
        elif last in ADDRESS_FIELDS and blanks == 0 and "@" in line:
            fields[last] = fields[last] + " " + line.strip(" \t>\r")
        else:
            break
        blanks = 0
        end = nxt
        pos = nxt
    return fields, min(end, size)


# Subject prefixes: forwards ("Fwd:", "Fw:", "VS:" nb/da, "VB:" sv, "WG:" de) and replies ("SV:" nb/sv/da).
FORWARD_PREFIXES = ("fwd", "fw", "vs", "vb", "wg")
REPLY_PREFIXES = ("re", "sv", "aw", "antw", "ref", "odp")
_PREFIX = re.compile(r"\s*(?P<word>[a-zA-Z]{1,10})\s*(?:\[\d+\]|\(\d+\))?\s*:\s*")


def subject_prefixes(subject: str) -> tuple[list[str], str]:
    """The leading "Re:"/"Fwd:"-style prefixes (lower-case words) and the subject without them."""
    words: list[str] = []
    pos = 0
    while True:
        match = _PREFIX.match(subject, pos)
        if match is None:
            break
        word = match.group("word").lower()
        if word not in FORWARD_PREFIXES and word not in REPLY_PREFIXES:
            break
        words.append(word)
        pos = match.end()
    return words, subject[pos:].strip()


def has_forward_prefix(subject: str) -> bool:
    words, _ = subject_prefixes(subject)
    return bool(words) and words[0] in FORWARD_PREFIXES


def has_reply_prefix(subject: str) -> bool:
    words, _ = subject_prefixes(subject)
    return bool(words) and words[0] in REPLY_PREFIXES


def strip_forward_prefixes(subject: str) -> str:
    """ "Fwd: VS: Tilbud" → "Tilbud"; stops at the first prefix that is not a forward's."""
    pos = 0
    while True:
        match = _PREFIX.match(subject, pos)
        if match is None or match.group("word").lower() not in FORWARD_PREFIXES:
            break
        pos = match.end()
    return subject[pos:].strip()
