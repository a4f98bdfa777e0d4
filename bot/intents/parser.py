"""From one chat message to an intent and its slots (SPEC §5.2), without the store.

Steps: clean the Slack markup; find the slots that have a shape (emails, organisation numbers, phone numbers,
dates and times, percentages, sums) and blank them out; let the language's spaCy pipeline mark the cue
phrases; decide the intent from the cues; cut names (customer, contact, title) and the subject from the
words that are left, by the small words around them ("hos Acme", "med Kari", "om fornyelse").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from spacy.tokens import Doc

from bot.intents import entities
from bot.intents.classifier import MIN_CONFIDENCE, classify
from bot.intents.language import detect_language
from bot.intents.lexicon import (
    CUSTOMER_PREPOSITIONS,
    FILLERS,
    FIRST_NAMES,
    SUBJECT_MARKERS,
    TITLE_SUFFIXES,
    TITLE_WORDS,
    WORKPLACE_PREPOSITIONS,
)
from bot.intents.model import INTENT_SLOTS, Parse
from bot.intents.pipeline import pipeline
from bot.intents.text import BLANK, clean, fold, split_compounds
from bot.intents.when import WhenResult, find_when

DEFAULT_TZ = "Europe/Oslo"
SALES_INTENTS = ("create_sales_case", "update_sales_case")
ACTIVITY_INTENTS = ("log_activity", "create_task", "schedule_meeting")
_NAME_JOINERS = frozenset({"&", "-", "'", ".", "+", "/"})
_TITLE_INTRO = frozenset(
    {"title", "tittel", "titel", "rolle", "roll", "role", "som", "as", "jobber", "jobbar"}
)
_FOLDED_TITLES = tuple(fold(t) for t in TITLE_WORDS)


@dataclass
class Word:
    """A token of the message: where it is, what the user wrote, and its folded form."""

    i: int
    start: int
    end: int
    text: str  # as written
    low: str  # folded
    cue: str | None  # the cue label it belongs to, if any
    boundary: bool  # punctuation, or the remains of a blanked slot
    source: str  # the whole message as written


def parse(text: str, *, lang: str | None = None, now: datetime | None = None, tz: str | None = None) -> Parse:
    """The intent and slots of one message. `lang` is the user's language: the prior for detection."""
    zone = ZoneInfo(tz or DEFAULT_TZ)
    now = now.astimezone(zone) if now is not None else datetime.now(zone)
    original = clean(text)
    folded = fold(original)
    language = detect_language(original, folded, lang)
    if not folded.strip():
        return Parse("unknown", language)

    ex, when = _extract(folded, language, now)
    words = _words(pipeline(language)(split_compounds(ex.text)), original)
    intent = _intent(words, ex.slots, when is not None and when.value > now)
    if intent == "unknown":
        guess = classify(_placeholders(folded, ex))
        if guess is not None and guess[0] != "unknown" and guess[1] >= MIN_CONFIDENCE:
            intent = guess[0]
    if intent in SALES_INTENTS:
        entities.find_stage(ex)
        if "amount" not in ex.slots:
            entities.find_amount(ex, language, bare_numbers=True)
        words = _words(pipeline(language)(split_compounds(ex.text)), original)
        if intent == "create_sales_case" and _has(words, "UPDATE") and not _has(words, "CREATE"):
            intent = "update_sales_case"

    slots = {k: v for k, v in ex.slots.items() if k in INTENT_SLOTS.get(intent, ())}
    slots.update(_names(intent, words))
    if intent in ACTIVITY_INTENTS:
        slots["activity_kind"] = _activity_kind(intent, words)
    return Parse(intent, language, {k: v for k, v in slots.items() if k in INTENT_SLOTS.get(intent, ())})


def _extract(folded: str, language: str, now: datetime) -> tuple[entities.Extraction, WhenResult | None]:
    """The slots with a shape of their own, each blanked out of the text once found."""
    ex = entities.Extraction(folded)
    entities.find_emails(ex)
    entities.find_org_numbers(ex)
    entities.find_phones(ex, language)
    when = find_when(ex.text, language, now)
    if when is not None:
        for span in when.spans:
            ex.text = ex.text[: span.start] + BLANK * (span.end - span.start) + ex.text[span.end :]
            ex.spans.append((span.start, span.end, "when"))
        ex.slots["when"] = when.value.isoformat()
    entities.find_probability(ex)
    entities.find_amount(ex, language, bare_numbers=False)
    return ex, when


def _placeholders(folded: str, ex: entities.Extraction) -> str:
    """The folded message with each slot found replaced by its name ("#org_number"): what the classifier sees."""
    out, last = [], 0
    for start, end, slot in sorted(ex.spans):
        if start < last:
            continue
        out += [folded[last:start], f" #{slot} "]
        last = end
    out.append(folded[last:])
    return "".join(out)


def blanked_text(text: str, lang: str, now: datetime | None = None) -> str:
    """The classifier's input for a message (used to train it on exactly what it sees when parsing)."""
    original = clean(text)
    folded = fold(original)
    ex, _ = _extract(folded, lang, now or datetime.now(ZoneInfo(DEFAULT_TZ)))
    return _placeholders(folded, ex)


def _words(doc: Doc, original: str) -> list[Word]:
    cue_of: dict[int, str] = {}
    for span in doc.spans["cues"]:
        for i in range(span.start, span.end):
            cue_of.setdefault(i, span.label_)
    words: list[Word] = []
    for token in doc:
        if token.is_space:
            continue
        start, end = token.idx, token.idx + len(token.text)
        low = token.text
        blanked = BLANK in low
        boundary = blanked or (token.is_punct and low not in _NAME_JOINERS)
        words.append(
            Word(len(words), start, end, original[start:end], low, cue_of.get(token.i), boundary, original)
        )
    return words


def _has(words: list[Word], *labels: str) -> bool:
    return any(w.cue in labels for w in words)


def _intent(words: list[Word], slots: dict[str, Any], future: bool) -> str:
    """The intent from the cues present; the order encodes which cue wins when several are present."""
    cues = {w.cue for w in words if w.cue}
    content = [w for w in words if not w.boundary]
    has = cues.__contains__
    action = cues & {"CREATE", "SHOW", "FIND", "LOG", "CALL", "MEETING", "TASK", "DEAL", "KPI", "PIPELINE"}
    stage = _stage_word(words)
    sales_signal = "stage" in slots or "probability" in slots or "amount" in slots or stage
    if has("CANCEL") and len(content) <= 4 and not (action - {"CREATE"}):
        return "cancel"
    if has("OFFTOPIC") and not (cues & {"CUSTOMER", "CONTACT", "DEAL", "TASK", "LOG", "KPI", "PIPELINE"}):
        return "unknown"
    if has("HOWTO") or has("HELP") and not (action & {"CREATE", "LOG", "TASK", "DEAL", "CALL", "MEETING"}):
        return "help"
    if has("QUANT") or has("WHICH") and (has("DEAL") and stage or has("PIPELINE")):
        if has("PIPELINE") or has("DEAL") or stage:
            return "pipeline_summary"
        if not has("LOOKUP"):
            return "kpi_summary"
    if has("PIPELINE") and not (has("DEAL") and has("CREATE")):
        return "pipeline_summary"
    if has("FIND") and has("CUSTOMER") and not has("CREATE"):
        return "find_customer"
    if has("TASK") and not ("amount" in slots or "stage" in slots):
        return "create_task"
    activity = cues & {"MEETING", "CALL", "LOG", "EMAIL", "NOTE"} and not sales_signal
    if (
        has("DEAL")
        and (has("CREATE") or "amount" in slots and not has("UPDATE"))
        and not stage_only(words, slots)
        and not activity
    ):
        return "create_sales_case"
    if has("DEAL") and (has("UPDATE") or sales_signal) and not activity:
        return "update_sales_case"
    if (has("UPDATE") or has("SALES_FIELD")) and ("probability" in slots or stage):
        return "update_sales_case"
    if stage and not (cues & {"LOG", "CALL", "MEETING", "TASK", "CREATE", "SHOW", "FIND"}):
        return "update_sales_case"
    if has("KPI") and not (action & {"CREATE", "LOG", "TASK", "CALL", "MEETING"}):
        return "kpi_summary"
    if has("AS_CONTACT") or has("NEW_ROLE") and _title_present(words):
        return "add_contact"
    if has("CONTACT") and (has("CREATE") or "email" in slots or "phone" in slots):
        return "add_contact"
    if (
        has("CREATE")
        and not has("CUSTOMER")
        and ("email" in slots or "phone" in slots or _title_present(words))
    ):
        return "add_contact"
    if has("MEETING") and (has("SCHEDULE") or (future and not has("PAST") and not has("LOG"))):
        return "schedule_meeting"
    if has("SCHEDULE") and future and not has("LOG"):
        return "schedule_meeting"
    if cues & {"LOG", "CALL", "MEETING", "EMAIL", "NOTE"} and not (has("CREATE") and has("CUSTOMER")):
        return "log_activity"
    if "org_number" in slots:
        if has("SHOW") or has("CUSTOMER") and not has("CREATE") and not has("LOOKUP"):
            return "show_customer"
        if has("LOOKUP") and not has("CUSTOMER"):
            return "lookup_org"
        if has("CREATE"):
            return "create_customer"
        return "lookup_org"
    if has("CREATE") and has("CUSTOMER"):
        return "create_customer"
    if has("FIND"):
        return "find_customer"
    if has("SHOW"):
        return "show_customer"
    if has("LOOKUP"):
        return "lookup_org"
    if has("DEAL") and has("CREATE"):
        return "create_sales_case"
    if has("SMALL_TALK"):
        return "small_talk"
    if has("CANCEL"):
        return "cancel"
    if has("CUSTOMER") and _free_words(words):
        return "show_customer"
    return "unknown"


def stage_only(words: list[Word], slots: dict[str, Any]) -> bool:
    """ "vi tapte Bergen Bygg-saken": a stage change, not a new case."""
    return _stage_word(words) and not any(w.cue == "CREATE" for w in words)


def _title_present(words: list[Word]) -> bool:
    return any(_looks_like_title(seg.text(words)) for seg in _segments(words, "add_contact"))


def _stage_word(words: list[Word]) -> bool:
    probe = entities.Extraction(" ".join(w.low for w in words))
    entities.find_stage(probe)
    return "stage" in probe.slots


def _free_words(words: list[Word]) -> list[Word]:
    return [w for w in words if not w.boundary and w.cue is None and w.low not in FILLERS]


def _activity_kind(intent: str, words: list[Word]) -> str:
    if intent == "create_task":
        return "task"
    if intent == "schedule_meeting":
        return "meeting"
    for label, kind in (("CALL", "call"), ("MEETING", "meeting"), ("EMAIL", "email"), ("NOTE", "note")):
        if _has(words, label):
            return kind
    return "note"


# --- names and subjects ---------------------------------------------------------------------------------------


@dataclass
class Segment:
    words: list[Word]
    before: Word | None  # the marker word right before it (a preposition, "om", a cue), if any

    def text(self, words: list[Word]) -> str:
        return _span_text(words, self.words[0], self.words[-1])


def _span_text(words: list[Word], first: Word, last: Word) -> str:
    """What the user wrote from `first` to `last`, spacing and hyphens as typed."""
    return " ".join(words[0].source[first.start : last.end].split()).strip(" ,.;:!?-")


_LEGAL_FORM_AS = "as"
_POLITE = frozenset({"please", "pls", "plz", "takk", "tack", "thanks", "og", "and", "och", "ogsa", "too"})


def _is_marker(words: list[Word], w: Word) -> bool:
    if w.low == _LEGAL_FORM_AS:
        # "Acme AS" (a legal form ending a name) or "as CTO" (introducing a title)?
        nxt = words[w.i + 1] if w.i + 1 < len(words) else None
        return (
            nxt is not None
            and not nxt.boundary
            and nxt.cue is None
            and nxt.low not in _POLITE
            and not _is_marker(words, nxt)
        )
    return w.low in CUSTOMER_PREPOSITIONS or w.low in SUBJECT_MARKERS or w.low in _TITLE_INTRO


def _segments(words: list[Word], intent: str) -> list[Segment]:
    """Runs of words that can be names: no cue, no punctuation or blanked slot, no preposition inside."""
    segments: list[Segment] = []
    current: list[Word] = []
    before: Word | None = None
    last_marker: Word | None = None

    def close() -> None:
        nonlocal current
        trimmed = _trim(current)
        if trimmed:
            segments.append(Segment(trimmed, before))
        current = []

    for w in words:
        breaks = w.boundary or w.cue is not None or _is_marker(words, w)
        if w.low in _NAME_JOINERS and current:
            current.append(w)
            continue
        if breaks:
            close()
            last_marker = w
            continue
        if not current:
            before = last_marker if last_marker is not None and last_marker.cue is None else None
        current.append(w)
    close()
    return segments


def _trim(run: list[Word]) -> list[Word]:
    while run and (run[0].low in FILLERS or run[0].low in _NAME_JOINERS):
        run = run[1:]
    while run and (run[-1].low in FILLERS or run[-1].low in _NAME_JOINERS):
        run = run[:-1]
    return run


_DEADLINE_WORDS = frozenset(fold(w) for w in (
    "by", "before", "due", "until", "innen", "før", "til", "till", "senast", "före", "frist", "deadline", "for",
    "the", "på", "pa", "on", "at", "kl", "om", "in", "i",
))  # fmt: skip
_SUBJECT_LEAD = frozenset(
    fold(w) for w in ("to", "å", "att", "that", "om", "about", "me", "meg", "mig", "and")
)


def _subject(words: list[Word], intent: str) -> tuple[list[Word], set[int]]:
    """The topic: everything after a subject marker ("om", "about", ":", ","), as written."""
    for w in words:
        if w.low in SUBJECT_MARKERS and w.cue is None:
            rest: list[Word] = []
            for nxt in words[w.i + 1 :]:
                if nxt.boundary and (BLANK in nxt.low or nxt.low in {",", ";", "."}):
                    if rest:
                        break
                    continue
                if intent in SALES_INTENTS and (nxt.low in CUSTOMER_PREPOSITIONS or nxt.cue is not None):
                    if rest:
                        break
                    continue
                rest.append(nxt)
            rest = _trim_subject(rest)
            if rest and not (intent in SALES_INTENTS and _stage_word(rest)):
                return rest, {x.i for x in rest} | {w.i}
    return [], set()


def _task_subject(words: list[Word]) -> tuple[list[Word], list[Word]]:
    """The to-do phrase after the task cue, and the words before a colon ("task for Acme: ...")."""
    cue_positions = [w.i for w in words if w.cue == "TASK"]
    if not cue_positions:
        return [], []
    end = cue_positions[0]
    while end + 1 < len(words) and words[end + 1].cue == "TASK":
        end += 1
    rest = words[end + 1 :]
    head: list[Word] = []
    colon = next((k for k, w in enumerate(rest) if w.low == ":"), None)
    if colon is not None:
        head, rest = rest[:colon], rest[colon + 1 :]
    phrase: list[Word] = []
    for w in rest:
        if w.boundary and BLANK in w.low:
            if phrase:
                break
            continue
        if not phrase and (w.boundary or w.low in _SUBJECT_LEAD or w.low in FILLERS):
            continue
        phrase.append(w)
    while phrase and (phrase[-1].low in _DEADLINE_WORDS or phrase[-1].boundary or phrase[-1].low in FILLERS):
        phrase = phrase[:-1]
    return phrase, head


def _trim_subject(run: list[Word]) -> list[Word]:
    while run and run[0].low in {"to", "at", "att", "a"} and len(run) > 1 and run[0].low != "a":
        run = run[1:]
    while run and (run[-1].low in FILLERS or run[-1].boundary or run[-1].low in _DEADLINE_WORDS):
        run = run[:-1]
    return run


def _looks_like_title(text: str) -> bool:
    low = fold(text)
    return low in _FOLDED_TITLES or any(low.endswith(s) for s in TITLE_SUFFIXES) and len(low.split()) <= 3


def _is_person(segment: Segment) -> bool:
    return segment.words[0].low in FIRST_NAMES


def _adjacent_to_deal(words: list[Word], segment: Segment) -> bool:
    nxt = segment.words[-1].i + 1
    return nxt < len(words) and words[nxt].cue == "DEAL"


_LEGAL_FORMS = frozenset(
    {"as", "asa", "ab", "oy", "oyj", "aps", "a/s", "ltd", "llc", "inc", "ans", "da", "sa"}
)
_NAME_LINKS = frozenset({"i", "in", "og", "and", "och", "of", "for", "för", "pa", "&"})


def _without_genitive(name: str) -> str:
    """ "Uppsala Datas affär" names the customer "Uppsala Data" (Norwegian and Swedish genitive -s)."""
    last = name.split()[-1] if name.split() else ""
    if len(last) > 3 and last.endswith("s") and last.lower() not in _LEGAL_FORMS and not last.endswith("ss"):
        return name[:-1]
    return name


def _joined_names(words: list[Word], segments: list[Segment]) -> list[Segment]:
    """ "Bygg & Anläggning i Mälardalen AB": capitalised parts linked by a small word are one name."""
    joined: list[Segment] = []
    for seg in segments:
        if joined:
            prev = joined[-1]
            gap = words[prev.words[-1].i + 1 : seg.words[0].i]
            if (
                len(gap) == 1
                and gap[0].low in _NAME_LINKS
                and prev.words[0].text[:1].isupper()
                and seg.words[0].text[:1].isupper()
            ):
                joined[-1] = Segment(prev.words + gap + seg.words, prev.before)
                continue
        joined.append(seg)
    return joined


def _names(intent: str, words: list[Word]) -> dict[str, Any]:
    if intent not in INTENT_SLOTS or intent == "lookup_org":
        return {}
    found: dict[str, Any] = {}
    used: set[int] = set()
    if intent == "create_task":
        phrase, head = _task_subject(words)
        if phrase:
            found["subject"] = _span_text(words, phrase[0], phrase[-1])
        head_segments = _segments(head, intent) if head else []
        inner = _segments(phrase, intent) if phrase else []
        if head_segments:
            found["customer"] = head_segments[0].text(words)
        candidates = [s for s in inner if s.before is not None and s.before.low in CUSTOMER_PREPOSITIONS]
        if not candidates and inner:
            first = inner[0]
            if first.words[0].i == phrase[0].i and first.words[0].cue is None:
                first = Segment(first.words[1:], first.before) if len(first.words) > 1 else first
                if first.words[0].i == phrase[0].i:
                    first = None  # type: ignore[assignment]
            candidates = [first] if first is not None else []
        for seg in candidates[:2]:
            slot = "contact_name" if _is_person(seg) else "customer"
            found.setdefault(slot, seg.text(words))
        if not found.get("subject") and not head_segments:
            segments = _segments(words, intent)
            if segments:
                found["customer"] = segments[0].text(words)
        return found
    if intent in ACTIVITY_INTENTS or intent in SALES_INTENTS:
        subject_words, used = _subject(words, intent)
        if subject_words:
            found["subject"] = _span_text(words, subject_words[0], subject_words[-1])
    segments = [s for s in _segments(words, intent) if not ({w.i for w in s.words} & used)]
    if intent == "add_contact":
        for seg in list(segments):
            text = seg.text(words)
            if _looks_like_title(text):
                found.setdefault("title", text)
                segments.remove(seg)
    workplace = [s for s in segments if s.before is not None and s.before.low in WORKPLACE_PREPOSITIONS]
    with_prep = [s for s in segments if s.before is not None and s.before.low in CUSTOMER_PREPOSITIONS]
    free = [s for s in segments if s not in with_prep]

    if intent == "add_contact":
        people = [s for s in segments if _is_person(s)]
        contact = people[0] if people else next((s for s in free), None)
        customer = next((s for s in workplace if s is not contact), None) or next(
            (s for s in with_prep if s is not contact), None
        )
        if customer is None:
            customer = next((s for s in free if s is not contact), None)
        if contact is not None:
            found["contact_name"] = contact.text(words)
        if customer is not None:
            found["customer"] = customer.text(words)
        return found
    if intent in ACTIVITY_INTENTS:
        # "med Kari hos Acme": Kari is the contact, Acme the customer; "med Acme": Acme is the customer.
        people = [s for s in with_prep + free if _is_person(s)]
        others = [s for s in with_prep + free if not _is_person(s)]
        companies = [s for s in workplace if not _is_person(s)] or others
        if people:
            found["contact_name"] = people[0].text(words)
        if companies:
            found["customer"] = companies[0].text(words)
        return found
    if intent in SALES_INTENTS:
        deal_named = [s for s in segments if _adjacent_to_deal(words, s)]
        before_colon = [
            s for s in free if s.words[-1].i + 1 < len(words) and words[s.words[-1].i + 1].low == ":"
        ]
        if intent == "update_sales_case":
            if deal_named:
                found["customer"] = _without_genitive(deal_named[0].text(words))
            elif before_colon:
                found["customer"] = before_colon[0].text(words)
            elif with_prep:
                found["customer"] = with_prep[0].text(words)
            elif free and "subject" not in found:
                found["subject"] = free[0].text(words)
            return found
        target = with_prep or deal_named or free
        if target:
            text = target[0].text(words)
            found["customer"] = _without_genitive(text) if target[0] in deal_named else text
        return found
    # create / find / show customer: the name is what follows the cue.
    if intent == "create_customer":
        segments = _joined_names(words, segments)
        free = [s for s in segments if s.before is None or s.before.low not in CUSTOMER_PREPOSITIONS]
        with_prep = [s for s in segments if s not in free]
    target = free or with_prep
    if target:
        found["customer"] = target[0].text(words).lstrip("#")
    return found
