"""Chat text as people type it: Slack mentions, emoji, and Nordic letters typed or not.

`fold` maps each character to one character, so offsets in the folded text are offsets in the original:
keywords match on the folded text ("mote" and "møte" alike) while names are cut from what the user wrote.
"""

from __future__ import annotations

import re

BLANK = "|"  # what a slot found and taken out of the text leaves behind: a boundary for names

_FOLD = str.maketrans(
    {
        "æ": "a", "ø": "o", "å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u",
        "Æ": "a", "Ø": "o", "Å": "a", "Ä": "a", "Ö": "o", "É": "e", "È": "e", "Ü": "u",
        "’": "'", "‘": "'", "´": "'", "–": "-", "—": "-", "\u00a0": " ", "\u202f": " ",
    }
)  # fmt: skip

# Slack's <@U123|name>, <#C123|channel>, <mailto:a@b|a@b>, <https://x|x>; :emoji_codes:; pictographs.
_SLACK_MENTION = re.compile(r"<[@#!][^>]*>")
_MENTION_FOR = re.compile(r"\s+(?:for|för|til|till|to)\s+<[@#!][^>]*>\s*(?=:)", re.IGNORECASE)
_MESSAGE_LINK = re.compile(r"<https?://[^|>\s]*slack\.com/archives/[^>]*>\s*[-–—:]?", re.IGNORECASE)
# A link in parentheses, with or without a label ("(context: <https://…/archives/…>)", "(thread: https://…)"):
# a pointer, no part of the text before it.
_LINK_ASIDE = re.compile(
    r"\s*\(\s*(?:[^\W\d_]+\s*:\s*)?(?:<https?://[^>]*>|(?:https?://|www\.)[^\s()<>]+)\s*\)", re.IGNORECASE
)
_SLACK_LINK = re.compile(r"<(?:mailto:)?([^|>]+)\|([^>]*)>|<(?:mailto:)?([^>]+)>")
_EMOJI_CODE = re.compile(r"(?<!\d):[a-z0-9_+\-]+:")  # (not "den 3:e:", a Swedish ordinal before a colon)
_PICTOGRAPH = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\ufe0f\u200d]")
# An emoji between a remark and a request that opens with its verb or "new" ("… of 2026 🎉 new sales case: …",
# "long day 😅 log a call …"): a sentence break.
_REQUEST_OPENING = r"(?:new|ny|nytt|nya|log|logg|logga|add|legg|lägg|book|boka|create|opprett|skapa|todo)\b"
_EMOJI_BREAK = re.compile(
    "(?<=\\w)\\s+[\U0001f300-\U0001faff][\U0001f300-\U0001faff\ufe0f\u200d]*\\s+(?=" + _REQUEST_OPENING + ")",
    re.IGNORECASE,
)


# "kontakt:Per", "igår,de", "€45 000,qualified,60%": a space after the mark (not inside "10:30" or "1,5").
_GLUED_PUNCTUATION = re.compile(
    r"(?<=[^\W\d_])(?<![A-Z]:)(?<![A-Z])([:,;])(?=[^\W_])|(?<=[a-zæøåäö])(:)(?=[^\W_])|(?<=\d)([,;])(?=[^\W\d_])"
    r"|(?<=[A-Z])([,;])(?=[^\W_])|(?<=[A-Z])(:)(?![a-zæøåäö]{1,3}\b)(?=[^\W_])"
)  # (not "PoC:n", "SOW:en": a Swedish ending after an abbreviation)
# Slack's *bold*, _italics_, ~strike~ and `code` marks around words, and "- [ ]" checkboxes: not part of any value.
_FORMAT_MARKS = re.compile(r"(?<![\w*_`~])[*_`~]+(?=[^\s*_`~])|(?<=[^\s*_`~])[*_`~]+(?![\w*_`~])|\[[ xX]?\]")
# A line break ends an item (a bullet list, a signature, a form of "who:/when:/what:" lines): read as a comma.
_LINE_START = re.compile(r"\s*\n\s*(?:[-•*–]\s+|>\s*)?")
_FIRST_BULLET = re.compile(r"^\s*(?:[-•*]\s+|>\s*)")
_PLAIN_MENTION = re.compile(r"(?<![\w.@])@[A-Za-z][\w.\-]*")  # "@kundebot" typed, not picked: not an email
# A pasted link, with a label of its own before it ("link: https://…", ", agenda her: https://…").
_URL = re.compile(r"(?:(?<=,)\s*(?:[^\W\d]+\s)?[^\W\d]+:\s*)?\b(?:https?://|www\.)[^\s<>|]+", re.IGNORECASE)
# "se tråden https://…slack.com/archives/…", "see thread <link>": a pointer to another message, no slot.
_SEE_LINK = re.compile(
    r"(?:,\s*)?\b(?:see|se|sjå|kolla|check)\s+(?:the\s+|this\s+)?[^\W\d]+:?\s+(?=(?:https?://|www\.))",
    re.IGNORECASE,
)
_URL_NUMBER = re.compile(r"/(\d{5,})/?(?:[?#]\S*)?$")  # ".../kund/10877", "allabolag.se/5569013484"
# A pasted Slack timestamp ("[09:41]", "[9:41 AM]"): when the line was posted, not a time the message gives.
_TIMESTAMP = re.compile(r"\[\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?\]")
# Hesitation sounds of a dictated message ("um", "uh", "eh", "öh", "ehm"): no word of the message, with their comma.
_HESITATION = re.compile(r"(?<![\w'-])(?:u+m+|u+h+|e+h+m*|e+r+m+|ö+h+|h+m+)(?![\w'-])", re.IGNORECASE)


# Emoji used as words ("📞 Kvitfjell Regnskap AS i dag", "⏰ ikväll: …"): read as the word, in a form every
# language's cues know; an emoji that only closes a message ("… pls 👀", "… tmrw 9am ✅") is decoration.
_EMOJI_WORDS = {
    "📞": "phoned", "☎": "phoned", "✉": "emailed", "📧": "emailed", "📨": "emailed", "📝": "memo", "📅": "mtg",
    "📆": "mtg", "⏰": "reminder", "🔍": "search", "🔎": "search", "👀": "view", "❌": "cancel", "✅": "won",
}  # fmt: skip
_EMOJI_WORD = re.compile(
    "("
    + "|".join(_EMOJI_WORDS)
    + r")\ufe0f?(?![\s\W]*$)(?!\s*(?:vann|vant|vunnet|vunnen|won|signed|signert)\b)"
)  # (not twice: "✅ vann Kolmården Event")
# Arrows between items ("oppgave -> fjordlys media -> fredag", "ny deal 👉 X") and a spaced slash ("X / Warehouse
# WMS / 2.5m") separate them like commas.
_ARROW = re.compile(r"\s*(?:-+>|=+>|→|›|⇒|➡\ufe0f?|👉)\s*|\s+[/•·]\s+")  # (and a spaced bullet "X • Y")
# A hashtag names a customer ("#tindefjell", "#holmvik-auto"); "#10457" is a customer number and stays.
_HASHTAG = re.compile(r"(?<![\w&#])#(?=[^\W\d_])")


# Slack artefacts around a message: a slash command before it ("/crm logg …"), the "(edited)" mark after it, and
# the bot addressed by name ("hey kundebot, …").
_SLASH_COMMAND = re.compile(r"^\s*/(?:crm|kundebot)\b[\s,:]*", re.IGNORECASE)
_EDITED = re.compile(r"\s*\((?:edited|redigert|redigerad|endret|ändrad)\)", re.IGNORECASE)
_BOT_ADDRESSED = re.compile(
    r"^\s*(?:(?:hey|hei|hej|hi|hallo|yo)\s+kundebot\b[\s,:!]*(?=\S)|kundebot\b\s*[,:!]\s*)", re.IGNORECASE
)  # ("hey kundebot ny opp: …": a greeting with the name needs no comma)


def clean(text: str) -> str:
    """The message without Slack markup, emoji and doubled spaces, keeping everything the user wrote."""
    text = _BOT_ADDRESSED.sub("", _EDITED.sub(" ", _SLASH_COMMAND.sub("", text)))
    text = re.sub(r"^\s*(?:[-*•]\s*)?\[ ?\]\s*", "todo: ", text)  # "- [ ] oppdatere …": a checkbox is a to-do
    text = _EMOJI_WORD.sub(lambda m: f" {_EMOJI_WORDS[m[1]]} ", text)
    text = _ARROW.sub(", ", text)
    text = re.sub(
        r"^\s*#([^\W\d_][\w\-&]*)\s+(?=[^\W\d_])(?![^\s:]*:)", r"\1: ", text
    )  # "#kaldvell todo …": who
    text = _HASHTAG.sub("", text)
    text = _MENTION_FOR.sub("", text)  # "todo för <!subteam^…|@sales>: …": for a group, no customer
    text = _SLACK_MENTION.sub(" ", text)
    text = _PLAIN_MENTION.sub(" ", text)
    text = _HESITATION.sub(" ", text)
    text = re.sub(r"^[\s,]+|(?<=[,.:;!?])[\s,]+,", " ", text)  # (the comma a hesitation leaves alone)
    text = _LINK_ASIDE.sub(" ", text)
    text = _MESSAGE_LINK.sub(
        " ", text
    )  # "<https://….slack.com/archives/…|denne tråden> – …": a pointer, no slot
    text = _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1) or m.group(3) or "", text)
    text = _SEE_LINK.sub(" ", text)
    text = _URL.sub(_link, text)
    text = _TIMESTAMP.sub(" ", text)
    text = re.sub(
        r"(?<=\s)/(?=[A-ZÆØÅÄÖ])", " ", text
    )  # a signature "/Ida Frisk": the name without its slash
    text = _EMOJI_CODE.sub(" ", text)
    text = _FORMAT_MARKS.sub(" ", text)
    text = _EMOJI_BREAK.sub(". ", text)  # ("last one of 2026 🎉 new sales case: …": an emoji ends a sentence)
    text = _PICTOGRAPH.sub(" ", text)
    text = _GLUED_PUNCTUATION.sub(lambda m: next(g for g in m.groups() if g) + " ", text)
    text = _FIRST_BULLET.sub("", text.strip())
    text = re.sub(r":[ \t]*\n", ",\n", text)  # "nytt møte:\n- hvem: …": the heading ends there
    text = _LINE_START.sub(", ", text.strip())
    text = re.sub(r"([,:;.!?])\s*,\s", r"\1 ", text)  # "regards,\n" or "today:\n": the line already ended
    text = re.sub(
        r"^\s*,\s*|(?<=,)(?:\s*,)+", "", text.strip()
    )  # (the comma an arrow leaves before an emoji)
    return re.sub(r" ,(?= )", ",", " ".join(text.split()))


def _link(m: re.Match[str]) -> str:
    """A link fills no slot, except for the number it ends with (a customer's card, a register entry)."""
    number = _URL_NUMBER.search(m.group(0))
    return f" {number.group(1)} " if number else " "


def fold(text: str) -> str:
    """Lower case with æøåäöé folded to ASCII, one character for one."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters ("İ") lower to two characters: keep offsets aligned
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.translate(_FOLD)


def blank_out(text: str, start: int, end: int) -> str:
    """The text with [start, end) blanked: later rules no longer see it, offsets stay put."""
    return text[:start] + BLANK * (end - start) + text[end:]


# (not "PoC-en", "CV-ene": a definite ending after an abbreviation stays on it; nor "e-Boks": one letter is no word)
_COMPOUND_HYPHEN = re.compile(
    r"(?<=[^\W\d])(?<![A-Z])(?<!\s[^\W\d])(?<!^[^\W\d])-(?=[^\W\d])|(?<=[A-Z])-(?![a-zæøå]{1,3}\b)(?=[^\W\d])"
)


def split_compounds(text: str) -> str:
    """ "acme-avtalen" -> "acme avtalen" for the tokenizer (same length: names are still cut from the original)."""
    return _COMPOUND_HYPHEN.sub(" ", text)
