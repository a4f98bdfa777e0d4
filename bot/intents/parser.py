"""From one chat message to an intent and its slots (SPEC §5.2), without the store.

Steps: clean the Slack markup; find the slots that have a shape (emails, organisation numbers, phone numbers,
dates and times, percentages, sums) and blank them out; let the language's spaCy pipeline mark the cue
phrases; decide the intent from the cues; cut names (customer, contact, title) and the subject from the
words that are left, by the small words around them ("hos Acme", "med Kari", "om fornyelse").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
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
    SUBJECT_WORD_MARKERS,
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
    labels: frozenset[str] = frozenset()  # every cue the word is part of ("avtale": a deal and a booking)


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
    words = _company_names_uncued(_words(pipeline(language)(split_compounds(ex.text)), original), language)
    words = _searched_names_uncued(words)
    future = when is not None and when.value > now
    intent = _intent(words, ex.slots, future)
    request = _request_clause(words)
    if request is not None:  # "…long story…, so could you log that as a meeting?": the request decides
        asked = _intent(request, ex.slots, future)
        if asked != "unknown":
            intent = asked
    if intent == "unknown" and not _has(words, "OFFTOPIC"):  # an errand we don't run stays unknown
        guess = classify(_placeholders(folded, ex))
        if guess is not None and guess[0] != "unknown" and guess[1] >= MIN_CONFIDENCE:
            intent = guess[0]
    if intent in SALES_INTENTS:
        entities.find_stage(ex)
        if "amount" not in ex.slots:
            entities.find_amount(ex, language, bare_numbers=True)
        words = _company_names_uncued(
            _words(pipeline(language)(split_compounds(ex.text)), original), language
        )
        if intent == "create_sales_case" and _has(words, "UPDATE") and not _has(words, "CREATE"):
            intent = "update_sales_case"

    slots = {k: v for k, v in ex.slots.items() if k in INTENT_SLOTS.get(intent, ())}
    if intent in SALES_INTENTS and "when" in slots and not _close_date(folded, ex):
        del slots["when"]  # "takket nei i dag": a date in a sales message is its expected close, or nothing
    slots.update(_names(intent, words, language))
    if "customer" in INTENT_SLOTS.get(intent, ()) and intent != "find_customer" and not original.isupper():
        _anchor_customer(slots, _legal_names(words, language))  # (in ALL CAPS "AS" is as often the word "as")
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


# Words that make a date in a sales message its expected close date ("forventet signert 15.12", "close by week
# 51", "flytt … til 15.01.2027").
_CLOSE_WORDS = frozenset(fold(w) for w in (
    "close", "closing", "closes", "closed", "lukket", "lukkes", "lukke", "lukking", "lukkedato", "signert", "signering",
    "signeres", "signed", "avslut", "avslutas", "avslutet", "stangs", "stangning", "stangningsdatum", "stangt",
    "forventet", "forventes", "beraknat", "beraknad", "expected", "due", "til", "till", "to", "by", "innen", "senast",
    "deadline", "klart", "ferdig", "decision", "beslut", "beslutning", "date", "dato", "datum", "stangas",
    "stanga", "avslutas", "lukkast", "vantas", "ventes", "signing", "sign", "stanger", "stenger", "closes",
))  # fmt: skip


def _close_date(folded: str, ex: entities.Extraction) -> bool:
    span = next(((start, end) for start, end, slot in ex.spans if slot == "when"), None)
    if span is None:
        return True
    before = re.findall(r"[a-z]+", folded[max(0, span[0] - 40) : span[0]])[-4:]
    return any(word in _CLOSE_WORDS for word in before)


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
    labels_of: dict[int, set[str]] = {}
    for span in doc.spans["cues"]:
        for i in range(span.start, span.end):
            cue_of.setdefault(i, span.label_)
            labels_of.setdefault(i, set()).add(span.label_)
    words: list[Word] = []
    for token in doc:
        if token.is_space:
            continue
        start, end = token.idx, token.idx + len(token.text)
        low = token.text
        blanked = BLANK in low
        spaced = low == "-" and original[start - 1 : start] == " " and original[end : end + 1] == " "
        symbol = not any(ch.isalnum() for ch in low) and low not in _NAME_JOINERS  # "→", "•", "|"
        boundary = blanked or spaced or symbol or (token.is_punct and low not in _NAME_JOINERS)
        labels = frozenset(labels_of.get(token.i, ()))
        words.append(
            Word(
                len(words),
                start,
                end,
                original[start:end],
                low,
                cue_of.get(token.i),
                boundary,
                original,
                labels,
            )
        )
    return words


# "could you", "kan du", "skulle du kunna": a request, and what comes before it is often only the story.
_REQUEST_OPENERS = frozenset({("could", "you"), ("can", "you"), ("can", "u"), ("would", "you"), ("will", "you"),
                              ("kan", "du"), ("kunne", "du"), ("kan", "dere"), ("kan", "ni"), ("skulle", "du"),
                              ("kunde", "du"), ("vil", "du"), ("vill", "du")})  # fmt: skip
_IMPERATIVES = frozenset({"SHOW", "CREATE", "FIND", "LOG", "SCHEDULE", "TASK"})
_HEADINGS = frozenset({"TASK", "CREATE", "LOG", "NOTE", "DEAL", "CONTACT", "CUSTOMER"})
_CLAUSE_LINKS = frozenset({"so", "sa", "og", "and", "men", "but", "och", "then", "da", "sen"})


def _request_clause(words: list[Word]) -> list[Word] | None:
    """The words from the last request opener that follows a clause of its own ("…, so could you …", "… – kan
    du …"), renumbered; None when the message is only the request."""
    start = _request_start(words)
    if start is None:
        return None
    end = next((k for k in range(start, len(words)) if words[k].low in {".", "?", "!"}), len(words))
    return [replace(w, i=n) for n, w in enumerate(words[start:end])]


def _request_start(words: list[Word]) -> int | None:
    start = None
    for k in range(2, len(words) - 1):
        if (
            words[k - 1].low == ":"
            and words[k].labels & _IMPERATIVES
            and not words[k - 2].boundary
            and not any(w.labels & _HEADINGS for w in words[: k - 1])
        ):
            start = k  # "før møtet i morgen: vis meg Askeladden Digital AS" (not "ny uppgift: boka …")
            continue
        if words[k - 1].low in {"so", "sa"} and words[k - 2].low == "," and not words[k].boundary:
            start = k  # "…, so give me the key figures", "…, så lägg upp en affär"
            continue
        if (words[k].low, words[k + 1].low) not in _REQUEST_OPENERS:
            continue
        before = words[k - 1]
        if before.boundary or before.low in _CLAUSE_LINKS:
            start = k
    return start


def _ends_prefix(words: list[Word], form: Word) -> bool:
    """Whether a legal form is followed by the colon or dash of a customer-first message."""
    nxt = words[form.i + 1] if form.i + 1 < len(words) else None
    return nxt is not None and nxt.low in {":", "-", "–", "—"}


def _company_names_uncued(words: list[Word], lang: str) -> list[Word]:
    """Words of a company name that ends in a legal form are name, not cues: "Pipeline Partners AB", "Task Force
    Consulting AS", "Kontakt Bygg AB". The name is the capitalised run before the form (a cue that opens the
    message, "Vis Acme AS", stays a cue)."""
    freed: set[int] = set()
    if words and words[0].source.isupper():
        return words  # in ALL CAPS every word is capitalised and "AS" is as often the word "as"
    for w in words:
        if w.i == 0 or w.text.rstrip(".") not in _WRITTEN_FORMS or w.text.islower():
            continue
        k = w.i - 1
        run: list[int] = []
        while k >= 0 and len(run) < _MAX_NAME_WORDS:
            prev = words[k]
            joiner = prev.low in _NAME_JOINERS or prev.low in _NAME_LINKS
            capital = prev.text[:1].isupper() or prev.text[:1].isdigit()
            hyphened = (
                k + 1 < len(words) and words[k + 1].start == prev.end + 1 and prev.source[prev.end] == "-"
            )
            if prev.boundary and not joiner or not (capital or joiner and run or hyphened):
                break
            if joiner and k > 0 and words[k - 1].labels and prev.low not in _NAME_JOINERS:
                break  # "Task for Kvarnholmen Analys AB": a cue before the small word is not in the name
            if prev.labels and k == 0 and not _ends_prefix(words, w):
                break  # "Vis Acme AS" (but "Oppgave Partner AS – purre på faktura")
            run.append(k)
            k -= 1
        while run and (words[run[-1]].low in _NAME_JOINERS or words[run[-1]].low in _NAME_LINKS):
            run.pop()
        freed.update(run)
    if not freed:
        return words
    return [replace(w, cue=None, labels=frozenset()) if w.i in freed else w for w in words]


_NAMED_AFTER = frozenset(fold(w) for w in ("named", "called", "heter", "navn", "namn", "kalt", "kallad"))


def _searched_names_uncued(words: list[Word]) -> list[Word]:
    """What follows "named"/"heter"/"med navn", a quote, or "sök kund:" is a name someone searches for, not a cue:
    "a customer named Task Force something", "som börjar på 'möte'", "sök kund: task force"."""
    freed: set[int] = set()
    source = words[0].source if words else ""
    for quoted in _DEAL_QUOTED.finditer(source):
        freed.update(w.i for w in words if quoted.start() < w.start < quoted.end())
    for w in words:
        asked = w.i > 0 and words[w.i - 1].low in {"vad", "hva", "what", "hvad"}  # "vad heter företaget …?"
        after_name_word = w.low in _NAMED_AFTER and not asked
        search_colon = (
            w.low == ":"
            and w.i >= 2
            and all(x.labels & {"FIND", "CUSTOMER"} for x in words[: w.i] if not x.boundary)
        )
        if not (after_name_word or search_colon):
            continue
        taken = 0
        for nxt in words[w.i + 1 :]:
            if nxt.boundary or taken == 4 or nxt.labels & {"LOOKUP", "DETAIL"}:
                break  # (an org number's word ends the name)
            if nxt.labels & {"FIND", "CUSTOMER"} and not freed & {nxt.i - 1}:
                continue  # "named" is sometimes followed by more search words
            freed.add(nxt.i)
            taken += 1
    if not freed:
        return words
    return [replace(w, cue=None, labels=frozenset()) if w.i in freed else w for w in words]


def _has(words: list[Word], *labels: str) -> bool:
    return any(w.labels.intersection(labels) for w in words)


def _intent(words: list[Word], slots: dict[str, Any], future: bool) -> str:
    """The intent from the cues present; the order encodes which cue wins when several are present."""
    cues = {label for w in words for label in w.labels}
    content = [w for w in words if not w.boundary]
    has = cues.__contains__
    action = cues & {"CREATE", "SHOW", "FIND", "LOG", "CALL", "MEETING", "TASK", "DEAL", "KPI", "PIPELINE"}
    stage = _stage_word(words)
    sales_signal = "stage" in slots or "probability" in slots or "amount" in slots or stage
    uncued = [w for w in content if not w.labels & {"CANCEL", "POLITE", "SMALL_TALK"}]
    if has("CANCEL") and (len(content) <= 4 or len(uncued) <= 2) and not (action - {"CREATE"}):
        return "cancel"
    if has("OFFTOPIC") and "org_number" not in slots:
        if not (cues & {"CUSTOMER", "CONTACT", "DEAL", "TASK", "LOG", "KPI", "PIPELINE", "SHOW", "FIND"}):
            return "unknown"
    if (
        has("HOWTO")
        or _how_question(words)
        or has("HELP")
        and not (action & {"CREATE", "LOG", "TASK", "DEAL", "CALL", "MEETING"})
    ):
        return "help"
    if "org_number" in slots and has("LOOKUP") and not has("CREATE") and not has("SHOW"):
        return "lookup_org"
    opener = next((w for w in words if not w.boundary and not w.labels & {"POLITE", "SMALL_TALK"}), None)
    if (
        opener is not None
        and opener.labels == {"SHOW"}
        and not cues & {"KPI", "PIPELINE", "DEAL", "FIND", "TASK", "CREATE", "QUANT"}
    ):
        return (
            "show_customer"  # "Pull up everything on X, I meet them in 20 min": the first word is the request
        )
    if has("TASK") and not ("amount" in slots or "stage" in slots):
        return "create_task"
    if has("QUANT") or has("WHICH") and (has("DEAL") or has("PIPELINE")):
        expected = any(
            "PIPELINE" in w.labels and "DEAL" not in w.labels for w in words
        )  # "expected to close"
        closed = any(w.low in _CLOSED_WORDS for w in words) and not expected
        phase = any(w.low.endswith(_PHASE_ENDINGS) for w in words)  # "tilbudsfasen", "offertstadiet"
        if (has("PIPELINE") or has("DEAL") or stage or phase) and not closed:
            return "pipeline_summary"
        if not has("LOOKUP"):
            return "kpi_summary"
    if has("PIPELINE") and not (has("DEAL") and has("CREATE")):
        return "pipeline_summary"
    if has("FIND") and has("CUSTOMER") and not has("CREATE"):
        return "find_customer"
    if (
        future
        and _prefix(words) is not None
        and not (
            cues & {"MEETING", "DEAL", "LOG", "SCHEDULE", "CREATE", "SHOW"} or sales_signal and not stage
        )
    ):
        return "create_task"  # "Lofoten Lys – ring tirsdag": the customer, then what to do and when
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
    if has("UPDATE") and has("SALES_FIELD") and ("amount" in slots or "when" in slots):
        return "update_sales_case"
    if stage and not (cues & {"LOG", "CALL", "MEETING", "TASK", "CREATE", "SHOW", "FIND", "NEW_ROLE"}):
        return "update_sales_case"
    if has("KPI") and not (cues & {"CREATE", "LOG", "TASK", "CALL", "MEETING", "NOTE", "EMAIL"}):
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
    if has("CALL") and future and not (cues & {"PAST", "LOG", "MEETING", "EMAIL", "NOTE"}):
        return "create_task"  # "ring Acme tirsdag": a call still to make
    if has("SCHEDULE") and future and not has("LOG"):
        return "schedule_meeting"
    if cues & {"LOG", "CALL", "MEETING", "EMAIL", "NOTE"} and not (has("CREATE") and has("CUSTOMER")):
        return "log_activity"
    if "org_number" in slots:
        if has("SHOW"):
            return "show_customer"
        if has("CREATE"):
            return "create_customer"
        if has("LOOKUP"):
            return "lookup_org"
        return "show_customer" if has("CUSTOMER") else "lookup_org"
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


_HOW = frozenset({"how", "hw", "hvordan", "hur", "korleis"})
_GENERIC_PERSON = frozenset({"man", "jeg", "jag", "one"})


def _how_question(words: list[Word]) -> bool:
    """ "hur skapar man en affär …?", "hvordan logger jeg …": how one does something, not a request to do it."""
    content = [w for w in words if not w.boundary and not w.labels & {"POLITE"}]
    if not content or content[0].low not in _HOW:
        return False
    passive = len(content) > 1 and len(content[1].low) > 6 and content[1].low.endswith(("es", "as"))
    return passive or any(
        w.low in _GENERIC_PERSON for w in content[1:4]
    )  # "hvordan registreres …", "hur gör man"


def _prefix(words: list[Word]) -> list[Word] | None:
    """ "Acme AS: ..." or "Acme AS – ...": the name the message starts with, before a colon or a spaced dash."""
    start = 0
    while start < len(words) and (words[start].boundary or words[start].labels & {"POLITE", "SMALL_TALK"}):
        start += 1
    for k in range(start, min(start + 7, len(words))):
        w = words[k]
        if w.low == ":" or w.boundary and w.low in {"-", "–", "—"}:
            run = words[start:k]
            if run and all(not x.boundary and x.cue is None for x in run):
                return run
            return None
        if w.boundary:
            return None
    return None


def stage_only(words: list[Word], slots: dict[str, Any]) -> bool:
    """ "vi tapte Bergen Bygg-saken": a stage change, not a new case. A deal is not moved *to* lead: a lead
    stage goes with a new case ("opp for Acme: …, 350k, lead")."""
    probe = entities.Extraction(" ".join(w.low for w in words))
    entities.find_stage(probe)
    stage = probe.slots.get("stage")
    return stage is not None and stage != "lead" and not any(w.cue == "CREATE" for w in words)


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
    return " ".join(words[0].source[first.start : last.end].split()).strip(' ,.;:!?-«»“”„"')


_PHASE_ENDINGS = ("fasen", "stadiet", "fase", "stadium")
_CLOSED_WORDS = frozenset({"closed", "won", "win", "lukket", "lukka", "vant", "vunnet", "stangt", "stangde", "vann",
                           "vunnit", "signed", "signert"})  # fmt: skip
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

    cased = _writes_names_capitalised(words) if _numbered(words) else False
    for w in words:
        breaks = w.boundary or w.cue is not None or _is_marker(words, w)
        if breaks and w.cue is not None and cased and not w.boundary and _inside_capitalised_name(words, w):
            breaks = (
                False  # "sett Lista Flyplass Drift til …", "Fjellheim Hotell": a capitalised word of a name
            )
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


def _numbered(words: list[Word]) -> bool:
    """Whether each word's index is its place in the list (not a slice of the message)."""
    return all(w.i == k for k, w in enumerate(words))


def _inside_capitalised_name(words: list[Word], w: Word) -> bool:
    """A cue word written with a capital mid-sentence, next to another capitalised word: part of a name."""
    if not _capitalised(words, w):
        return False
    neighbours = [words[k] for k in (w.i - 1, w.i + 1) if 0 <= k < len(words)]
    return any(
        not n.boundary and n.text[:1].isupper() and (n.i > w.i or _capitalised(words, n)) for n in neighbours
    )


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


_NAMING = frozenset({"called", "named", "kalt", "kallad", "heter"})


def _subject(words: list[Word], intent: str) -> tuple[list[Word], set[int]]:
    """The topic: what follows a topic word ("om", "about", "angående"); failing that, what follows ":", "," or
    a dash. As written, without the words around it."""
    markers = [
        w for w in words
        if (w.cue is None or intent in SALES_INTENTS and w.low in _NAMING) and w.low in SUBJECT_MARKERS
        and not (w.i > 0 and words[w.i - 1].end == w.start and w.text[:1].isalpha())  # "theyre": not "re"
    ]  # fmt: skip
    ranked = [w for w in markers if w.low in SUBJECT_WORD_MARKERS or w.low in _NAMING] + [
        w for w in markers if w.low not in SUBJECT_WORD_MARKERS and w.low not in _NAMING
    ]
    for w in ranked:
        rest: list[Word] = []
        for nxt in words[w.i + 1 :]:
            if nxt.boundary and (BLANK in nxt.low or nxt.low in {",", ";", ".", "?", "!"}):
                if rest:
                    break
                continue
            if intent in SALES_INTENTS and (nxt.low in CUSTOMER_PREPOSITIONS or nxt.cue is not None):
                if rest:
                    break
                continue
            rest.append(nxt)
        rest = _trim_subject(rest)
        if rest and all(x.cue is not None for x in rest):
            continue  # "Acme: møte neste uke": the colon introduced the request, not a topic
        if rest and not (intent in SALES_INTENTS and _stage_word(rest)):
            return rest, {x.i for x in rest} | {w.i}
    return [], set()


# Who a dictated comment is about: "… i fredags de vil utsette til februar", "… yesterday, theyre pausing …".
_CLAUSE_SUBJECTS = frozenset(fold(w) for w in (
    "de", "dom", "han", "hun", "hon", "vi", "they", "theyre", "they're", "he", "she", "we", "kunden", "kunde",
    "the customer", "det", "it",
))  # fmt: skip


_REQUEST_CUES = frozenset({"LOG", "SCHEDULE", "SHOW", "FIND", "TASK", "UPDATE"})
_TALK_VERBS = frozenset(
    fold(w)
    for w in (
        "pratade",
        "pratet",
        "prata",
        "snakket",
        "snakka",
        "snakke",
        "talked",
        "spoke",
        "discussed",
        "diskuterte",
        "diskuterade",
        "pratar",
        "snakker",
    )
)
_SUBJECT_PRONOUNS = frozenset(
    {"de", "dom", "hun", "hon", "vi", "they", "theyre", "they're", "we", "she", "he"}
)
_NOT_A_DEAL = _CLAUSE_SUBJECTS | frozenset({"og", "and", "och", "men", "but", "jeg", "jag", "i", "so", "sa"})


_COUNT_NOUNS = frozenset(fold(w) for w in (
    "consultants", "konsulenter", "konsulter", "months", "mnd", "maneder", "manader", "people", "personer", "years",
    "ar", "weeks", "uker", "veckor", "users", "brukere", "anvandare", "licenses", "lisenser", "licenser", "hours",
    "timer", "timmar", "days", "dager", "dagar",
))  # fmt: skip


def _not_a_deal_name(run: list[Word]) -> bool:
    """A remark ("de gikk for en konkurrent"), a count ("12 konsulter", "24 months") or a lone small word is not
    what a deal is called."""
    if run[0].low in _NOT_A_DEAL:
        return True
    if run[0].low.isdigit() and len(run) > 1 and run[1].low in _COUNT_NOUNS:
        return True
    return len(run) == 1 and run[0].text.islower() and (run[0].low in FILLERS or run[0].low in _CLOSE_WORDS)


def _comment_clause(words: list[Word]) -> list[Word]:
    """In a log without a topic word, the clause that starts with a pronoun after the customer and the date:
    the comment, as if a comma were there."""
    for k in range(2, len(words)):
        w = words[k]
        if w.low not in _CLAUSE_SUBJECTS or w.cue is not None:
            continue
        prev = words[k - 1]
        starts_clause = prev.boundary or prev.low in {",", ":"} or BLANK in prev.low
        if not (starts_clause or k >= 3 and w.low in _SUBJECT_PRONOUNS):
            continue  # "logg det som notat": "det" is the object there
        rest = [x for x in words[k:] if not (x.boundary and BLANK in x.low)]
        rest = _trim_subject(rest)
        if len([x for x in rest if not x.boundary]) >= 3:
            return rest
    return []


def _without_words(segments: list[Segment], used: set[int]) -> list[Segment]:
    """The segments cut before the first word the subject took ("ekholm arkitekter | de har fått …")."""
    kept: list[Segment] = []
    for seg in segments:
        head: list[Word] = []
        for w in seg.words:
            if w.i in used:
                break
            head.append(w)
        if len(head) == len(seg.words) or head and seg.words[len(head) - 1].i + 1 not in used | {-1}:
            kept.append(seg)
        elif head:
            kept.append(Segment(_trim(head), seg.before))
    return [seg for seg in kept if seg.words]


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅÄÖ])")


def _subject_text(words: list[Word], run: list[Word]) -> str:
    """The subject as written, up to the end of its sentence ("gjennomgang av SLA. Kan du logge det?")."""
    return _SENTENCE_BREAK.split(_span_text(words, run[0], run[-1]))[0].rstrip(" .!?")


def _task_subject(words: list[Word]) -> tuple[list[Word], list[Word]]:
    """The to-do phrase after the task cue, and the words before a colon ("task for Acme: ...")."""
    cue_positions = [w.i for w in words if w.cue == "TASK"]
    if not cue_positions:
        return [], []
    end = cue_positions[0]
    while end + 1 < len(words) and words[end + 1].cue == "TASK" and words[end].low != ":":
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
    while run and (
        run[-1].low in FILLERS
        or run[-1].boundary
        or run[-1].low in _DEADLINE_WORDS
        or run[-1].labels & {"LOG", "POLITE"}  # "… klare for pilot 👍 logg pls"
    ):
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


_LEGAL_FORMS = frozenset({"as", "asa", "ab", "oy", "oyj", "aps", "a/s", "ltd", "llc", "inc", "ans", "da", "sa", "gmbh",
                          "plc", "ky", "hb", "kb", "bv", "nv", "ag", "co", "llp", "lp"})  # fmt: skip
_NAME_LINKS = frozenset({"i", "in", "og", "and", "och", "of", "for", "för", "pa", "&"})
_ARTICLES = frozenset(
    {"the", "a", "an", "den", "det", "en", "ett", "et", "ei", "sin", "sitt", "their", "his", "her"}
)
_NUMBER_REF = re.compile(
    r"^(?:(?:cust(?:omer)?|kunde|kund)\s*)?(?:no\.?|nr\.?|#|number|nummer|kundenummer|kundnummer)?\s*#?(\d+)$",
    re.I,
)


def _without_genitive(name: str, lang: str, joined_by_hyphen: bool = False) -> str:
    """ "Uppsala Datas affär" names the customer "Uppsala Data" (Norwegian and Swedish genitive -s)."""
    if name.endswith(("'s", "’s")):
        return name[:-2]
    last = name.split()[-1] if name.split() else ""
    if lang == "en" or joined_by_hyphen:
        return name
    if len(last) > 3 and last.endswith("s") and last.lower() not in _LEGAL_FORMS and not last.endswith("ss"):
        return name[:-1]
    return name


def _name_words(words: list[Word], segment: Segment) -> list[Word]:
    """Where a capitalised name is followed by lower-case words ("Elverum Eiendom takket nei"), the name."""
    run = segment.words
    if not run[0].text[:1].isupper():
        return run
    for k, w in enumerate(run[1:], start=1):
        if (
            w.text[:1].isalpha()
            and w.text[:1].islower()
            and w.low not in _LEGAL_FORMS
            and w.low not in _NAME_LINKS
        ):
            return run[:k]
    return run


def _name(words: list[Word], segment: Segment) -> str:
    run = _name_words(words, segment)
    while len(run) > 1 and run[-1].low in _NAME_LINKS and run[-1].low != "&":
        run = run[:-1]  # "Vardø Havbruk and it went well": the link had nothing after it
    text = _span_text(words, run[0], run[-1])
    number = _NUMBER_REF.match(text)
    return number.group(1) if number else text.lstrip("#")


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


_COPULAS = frozenset({"er", "ar", "is", "som", "as", "blir", "becomes", "was", "var"})


def _person_words(segment: Segment) -> list[Word] | None:
    """The words of a person's name at the start of a segment: the first names ("per arne", "tor-erik") and
    one surname; None when the segment does not start with a first name."""
    run = segment.words
    k = 0
    while k < len(run) and (run[k].low in FIRST_NAMES or run[k].low == "-" and k > 0):
        k += 1
    if k == 0 or run[k - 1].low == "-":
        return None
    return run[: k + 1] if k < len(run) else run


def _person(segment: Segment) -> bool:
    return any(w.low in FIRST_NAMES for w in segment.words[:2])


def _person_name(words: list[Word], segment: Segment) -> str:
    """The person in a segment: from the first first name, at most three words, capitalised ones if written so."""
    start = next((k for k, w in enumerate(segment.words) if w.low in FIRST_NAMES), 0)
    run = segment.words[start : start + 3]
    if run[0].text[:1].isupper():
        end = 1
        while (
            end < len(run)
            and run[end].text[:1].isupper()
            and "\n" not in run[0].source[run[end - 1].end : run[end].start]
        ):
            end += 1  # (a signature puts the title on the next line)
        run = run[:end]
    else:  # lower case: first names and one surname ("per arne dahl", "tor-erik bakken")
        run = _person_words(Segment(segment.words[start:], None)) or run[:2]
    return _span_text(words, run[0], run[-1])


def _hyphen_before(words: list[Word], segment: Segment) -> bool:
    end = segment.words[-1].end
    source = words[0].source
    return end < len(source) and source[end] == "-"


_SENTENCE_ENDS = frozenset({".", "!", "?", ":", "-", "–", "—", '"', "«", "»", "”", "“", ">", "|", "(", ")"})


def _capitalised(words: list[Word], w: Word) -> bool:
    """A word written with a capital where the sentence does not demand one: the writer's mark of a name."""
    if not (w.text[:1].isupper() or w.text[:1].isdigit()) or w.text == "I":
        return False
    if w.i == 0:
        return False
    prev = words[w.i - 1]
    return not (prev.low in _SENTENCE_ENDS or "\n" in w.source[prev.end : w.start])


def _writes_names_capitalised(words: list[Word]) -> bool:
    """Whether the writer capitalises names: some word mid-sentence has a capital, and not every word does."""
    letters = [w for w in words if w.text[:1].isalpha()]
    if not letters or all(w.text.isupper() for w in letters if len(w.text) > 1):
        return False  # ALL CAPS says nothing
    return any(_capitalised(words, w) and w.text[:1].isalpha() for w in words)


def _names_first(words: list[Word], segments: list[Segment]) -> list[Segment]:
    """When the writer capitalises names, segments with a capitalised word come first (order kept otherwise)."""
    if not _writes_names_capitalised(words):
        return segments
    return sorted(segments, key=lambda s: not any(_capitalised(words, w) for w in s.words))


def _names(intent: str, words: list[Word], lang: str) -> dict[str, Any]:
    if intent not in INTENT_SLOTS or intent == "lookup_org":
        return {}
    found: dict[str, Any] = {}
    used: set[int] = set()
    if intent == "find_customer" and (quoted := _QUOTED.search(words[0].source if words else "")):
        return {"customer": quoted.group(1).strip()}
    if intent in ACTIVITY_INTENTS or intent in SALES_INTENTS:
        form = _form_names(intent, words)
        if form is not None:
            return form
    prefix = _prefix(words) if intent in ACTIVITY_INTENTS or intent in SALES_INTENTS else None
    if prefix is not None:
        return _prefixed_names(intent, words, prefix)
    if intent == "create_task":
        return _task_names(words)
    if intent in ACTIVITY_INTENTS or intent in SALES_INTENTS:
        subject_words, used = _subject(words, intent)
        if intent == "log_activity":
            clause = _comment_clause(words)
            talked = (
                bool(subject_words)
                and subject_words[0].i >= 2
                and words[subject_words[0].i - 2].low in _TALK_VERBS
            )
            if clause and (not subject_words or subject_words[0].i > clause[0].i) and not talked:
                # "…, hon återkommer om budgeten efter nyår": the whole comment, not only what follows "om"
                subject_words, used = clause, {w.i for w in clause}
        if intent in SALES_INTENTS and subject_words and _not_a_deal_name(subject_words):
            subject_words, used = [], set()  # "…, de gikk for en konkurrent": a remark, not the deal's name
        if subject_words and subject_words[0].labels & _REQUEST_CUES:
            subject_words, used = [], set()  # "…, put it in the calendar!": the request, not the topic
        request = _request_start(words)
        if subject_words and request is not None and subject_words[0].i < request <= subject_words[-1].i:
            subject_words = _trim_subject(
                [w for w in subject_words if w.i < request]
            )  # "…, kan du logga det"
            used = {w.i for w in subject_words}
        if subject_words:
            found["subject"] = _subject_text(words, subject_words)
    segments = _without_words(_segments(words, intent), used)
    if intent == "add_contact":
        for seg in list(segments):
            text = seg.text(words)
            if _looks_like_title(text) and _person_words(seg) is None:
                found.setdefault("title", text)
                segments.remove(seg)
                continue
            person = _person_words(seg)
            if person is not None and len(person) < len(seg.words):
                # "per arne dahl teknisk sjef": first names and a surname, then the title
                rest = seg.words[len(person) :]
                if len(rest) <= 4 and _looks_like_title(rest[-1].text):
                    found.setdefault("title", _span_text(words, rest[0], rest[-1]))
                    segments[segments.index(seg)] = Segment(person, seg.before)
                    continue
            for cut in range(1, len(seg.words)):  # "anna kowalski head of finance", "Han er innkjøpsleder"
                tail = seg.words[cut:]
                while len(tail) > 1 and tail[0].low in _COPULAS:
                    tail = tail[1:]  # "hun er marketing manager"
                if len(tail) <= 3 and _looks_like_title(_span_text(words, tail[0], tail[-1])):
                    found.setdefault("title", _span_text(words, tail[0], tail[-1]))
                    head = seg.words[:cut]
                    keep = [
                        w for w in head if w.low not in {"han", "hun", "hon", "he", "she", "er", "ar", "is"}
                    ]
                    segments[segments.index(seg)] = Segment(keep, seg.before) if keep else seg
                    if not keep:
                        segments.remove(seg)
                    break
    quoted = _DEAL_QUOTED.search(words[0].source if words else "") if intent in SALES_INTENTS else None
    if quoted is not None:
        # "create deal 'Substation study 2027' for Odda Kraftlag": the quotes name the deal
        found["subject"] = quoted.group(1).strip()
        segments = [  # every other segment is back in play, also one the subject rules had taken
            s for s in _segments(words, intent) if not quoted.start() <= s.words[0].start < quoted.end()
        ]
    workplace = [s for s in segments if s.before is not None and s.before.low in WORKPLACE_PREPOSITIONS]
    with_prep = [s for s in segments if s.before is not None and s.before.low in CUSTOMER_PREPOSITIONS]
    free = [s for s in segments if s not in with_prep]

    if intent == "add_contact":
        people = [s for s in segments if _person(s)]
        contact = people[0] if people else next((s for s in free), None)
        customer = next((s for s in workplace if s is not contact), None) or next(
            (s for s in with_prep if s is not contact), None
        )
        if customer is None:
            customer = next((s for s in free if s is not contact), None)
        if contact is not None:
            found["contact_name"] = (
                _person_name(words, contact) if _person(contact) else _name(words, contact)
            )
        if customer is not None:
            found["customer"] = _name(words, customer)
        return found
    if intent in ACTIVITY_INTENTS:
        # "med Kari hos Acme": Kari is the contact, Acme the customer; "med Acme": Acme is the customer.
        companions = [
            s for s in with_prep if s.before is not None and s.before.low not in WORKPLACE_PREPOSITIONS
        ]
        if workplace and companions:
            found["contact_name"] = (
                _person_name(words, companions[0]) if _person(companions[0]) else _name(words, companions[0])
            )
            found["customer"] = _name(words, workplace[0])
            return found
        people = [s for s in with_prep + free if _person(s)]
        companies = [s for s in workplace if not _person(s)] or _names_first(
            words, [s for s in with_prep + free if not _person(s)]
        )
        if people:
            found["contact_name"] = _person_name(words, people[0])
        if companies:
            found["customer"] = _name(words, companies[0])
        return found
    if intent in SALES_INTENTS:
        at = next((s for s in segments if s.before is not None and s.before.low in _DEAL_AT), None)
        if at is None:  # "skapa affär Lagerflytt för Hedberg Logistik": the deal noun, its name, for whom
            at = next((s for s in segments if _deal_for(words, segments, s)), None)
        deal = next((s for s in segments if at is not None and s.words[-1].i + 1 == at.before.i), None)  # type: ignore[union-attr]
        if at is not None and deal is not None and "subject" not in found:
            # "vi vant Skyflytting hos Brekke Bygg": the deal, then where it is
            found["subject"] = _name(words, deal)
            found["customer"] = _name(words, at)
            return found
        deal_named = [s for s in segments if _adjacent_to_deal(words, s)]
        named: Segment | None = None
        if intent == "update_sales_case":
            before_colon = [
                s for s in free if s.words[-1].i + 1 < len(words) and words[s.words[-1].i + 1].low == ":"
            ]
            numbered = [s for s in segments if _YEAR.search(s.text(words))]
            if numbered and "subject" not in found and not deal_named:
                found["subject"] = numbered[0].text(words)
                segments = [s for s in segments if s is not numbered[0]]
                free = [s for s in free if s is not numbered[0]]
                with_prep = [s for s in with_prep if s is not numbered[0]]
            named = next(iter(deal_named or before_colon or _names_first(words, with_prep + free)), None)
        else:
            named = next(iter(_names_first(words, with_prep + deal_named + free)), None)
        if named is not None:
            name = _name(words, named)
            source = words[0].source
            before_quote = quoted is not None and not source[named.words[-1].end : quoted.start()].strip()
            if named in deal_named or before_quote:  # "Nacka Medias ”Webbyte 3.0”"
                name = _without_genitive(name, lang, _hyphen_before(words, named))
            found["customer"] = name
        elif intent == "create_sales_case" and "subject" in found:
            found["customer"] = found.pop("subject")  # "ny deal: Skagerak Rør AS, 300 000 kr": a customer
        return found
    # create / find / show customer: the name is what follows the cue.
    if intent == "create_customer":
        segments = _joined_names(words, segments)
        free = [s for s in segments if s.before is None or s.before.low not in CUSTOMER_PREPOSITIONS]
        with_prep = [s for s in segments if s not in free]
    target = _names_first(words, free + with_prep) if intent != "find_customer" else free or with_prep
    if intent == "find_customer":
        # "kunder med navn Solberg", "som heter noe med Havbruk", "containing the word marine": after the naming
        after_naming = [s for s in segments if _after_naming(words, s)]
        target = after_naming or target
    request = _request_start(words)
    if request is not None and intent in ("create_customer", "show_customer"):
        # the customer to create or show is the object of the request, not someone in the story before it
        target = [s for s in target if s.words[0].i > request] or target
    if target:
        found["customer"] = (
            _name(words, target[0]) if intent != "find_customer" else _search_text(words, target[0])
        )
    number = _CUSTOMER_NUMBER.search(words[0].source) if words and intent == "show_customer" else None
    if number is not None:
        found["customer"] = number.group(1)  # "kan jeg få se kunde #20377?"
    return found


_CUSTOMER_NUMBER = re.compile(
    r"(?:#|\b(?:kunde|kund|customer|cust|kundekort|kundkort)\.?\s*(?:nr\.?|no\.?|nummer|number)?\s*#?)\s*(\d{4,6})\b",
    re.IGNORECASE,
)


_SEARCH_LEADS = frozenset({"like", "word", "ordet", "named", "called", "matching", "typ"})


def _search_text(words: list[Word], segment: Segment) -> str:
    """The search text of a segment, without a naming word it starts with ("like Aurora", "word marine")."""
    run = segment.words
    while len(run) > 1 and run[0].low in _SEARCH_LEADS:
        run = run[1:]
    return _span_text(words, run[0], run[-1])


_YEAR = re.compile(r"\b(19|20)\d\d\b")
# A quoted name: the opening mark starts a word and the closing one ends it ("It's … I'd" is not a quote).
_DEAL_QUOTED = re.compile(r"(?:(?<=\s)|^)[\"“”«»'‘]([^\"“”«»'‘’]{2,60})[\"“”«»'’](?=\s|$|[,.;:!?)])")
_DEAL_AT = frozenset({"hos", "at", "vid", "ved"})
_DEAL_FOR = frozenset({"for", "för", "til", "till"})


def _deal_for(words: list[Word], segments: list[Segment], segment: Segment) -> bool:
    """ "affär Lagerflytt för Hedberg Logistik": the segment after "för" whose previous segment follows a deal noun."""
    before = segment.before
    if before is None or before.low not in _DEAL_FOR:
        return False
    return any(
        p.words[-1].i + 1 == before.i and p.words[0].i > 0 and "DEAL" in words[p.words[0].i - 1].labels
        for p in segments
    )


_QUOTED = re.compile(r"[\"“”«»']([^\"“”«»']{2,60})[\"“”«»']")


_SEARCH_NAMING = frozenset(fold(w) for w in (
    "heter", "named", "called", "navn", "namn", "name", "ordet", "word", "like", "matching", "starting",
    "starter", "börjar", "begynner", "containing", "inneholder", "innehåller", "med", "with", "på", "som", "typ",
    "noe", "något", "nåt", "something",
))  # fmt: skip


def _after_naming(words: list[Word], segment: Segment) -> bool:
    """Whether a segment follows the words that say "named …" ("med navn", "som heter noe med", "the word")."""
    k = segment.words[0].i - 1
    seen = False
    while k >= 0 and (words[k].low in _SEARCH_NAMING or words[k].labels & {"VAGUE", "FIND"} and not seen):
        if words[k].low in _NAMING or words[k].low in {"navn", "namn", "name", "ordet", "word", "matching",
                                                       "starting", "starter", "borjar", "begynner", "containing",
                                                       "inneholder", "innehaller", "like"}:  # fmt: skip
            return True
        seen = True
        k -= 1
    return False


def _parts(words: list[Word]) -> list[list[Word]]:
    """The message split at commas (blanked slots and punctuation inside a part are dropped)."""
    parts: list[list[Word]] = [[]]
    for w in words:
        if w.low == ",":
            parts.append([])
        elif not (w.boundary and (BLANK in w.low or not any(ch.isalnum() for ch in w.low))):
            parts[-1].append(w)
    return [p for p in parts if p]


# Field labels of a form written as lines ("who: Kari Nordmann, Acme AS", "what: Q1 roadmap", "kunde: Acme").
_FORM_FIELDS = {
    **dict.fromkeys(("customer", "kunde", "kund", "company", "firma", "bedrift", "foretag", "selskap"), "customer"),
    **dict.fromkeys(("who", "hvem", "vem", "contact", "kontakt", "kontaktperson", "med", "with"), "person"),
    **dict.fromkeys(("what", "hva", "vad", "topic", "tema", "amne", "emne", "subject", "agenda"), "subject"),
    **dict.fromkeys(("name", "navn", "namn", "deal", "case"), "name"),
    **dict.fromkeys(("when", "nar", "date", "dato", "datum", "amount", "belop", "belopp", "sum", "stage", "fase",
                     "type", "typ", "kind", "title", "tittel", "titel"), "other"),
}  # fmt: skip


def _labelled_parts(
    words: list[Word], parts: list[list[Word]]
) -> tuple[dict[str, list[Word]], list[list[Word]]]:
    """The parts that start with a field label and a colon, by field; and the other parts."""
    fields: dict[str, list[Word]] = {}
    rest: list[list[Word]] = []
    source = words[0].source if words else ""
    for part in parts:
        field = _FORM_FIELDS.get(part[0].low)
        if field is not None and source[part[0].end : part[0].end + 1] == ":":
            if len(part) > 1:
                fields.setdefault(field, part[1:])
            continue
        rest.append(part)
    return fields, rest


def _form_names(intent: str, words: list[Word]) -> dict[str, Any] | None:
    """A request written as a form: "møte, Acme AS, Kari, 2026-12-09, kl 12:30, gjennomgang av anbudet".
    The first part says what it is; then the customer, a person, and (last) the subject or the deal's name.
    Parts with a field label ("who:", "hva:", "kunde:") go to their field."""
    parts = _parts(words)
    if len(parts) < 3 or not all(w.cue is not None or w.low in FILLERS for w in parts[0]):
        return None
    fields, unlabelled = _labelled_parts(words, parts[1:])
    if fields:
        return _fielded_names(intent, words, fields, unlabelled)
    content = [p for p in parts[1:] if not all(w.cue is not None or w.low in FILLERS for w in p)]
    if not content:
        return None
    quoted = [p for p in content if _quoted(words, p)] if intent in SALES_INTENTS else []
    if quoted:  # "ny affär: Lindholmen Konsult, ”Säkerhetsrevision”, 350 000 kr": the quotes name the deal
        content = [p for p in content if p is not quoted[0]]
    if not content:
        return None
    found: dict[str, Any] = {"customer": _span_text(words, content[0][0], content[0][-1])}
    if quoted:
        found["subject"] = _span_text(words, quoted[0][0], quoted[0][-1])
        return found
    rest = content[1:]
    people = [p for p in rest if p[0].low in FIRST_NAMES and len(p) <= 3]
    if people and intent in ACTIVITY_INTENTS:
        found["contact_name"] = _span_text(words, people[0][0], people[0][-1])
        rest = [p for p in rest if p is not people[0]]
    if rest:
        chosen = rest[0] if intent in SALES_INTENTS else rest[-1]
        found["subject"] = _span_text(words, chosen[0], chosen[-1])
    return found


_QUOTES = "\"«»“”„'"


def _quoted(words: list[Word], part: list[Word]) -> bool:
    source = words[0].source
    before = source[: part[0].start].rstrip()[-1:]
    after = source[part[-1].end :].lstrip()[:1]
    return bool(before) and before in _QUOTES and bool(after) and after in _QUOTES


def _fielded_names(
    intent: str, words: list[Word], fields: dict[str, list[Word]], unlabelled: list[list[Word]]
) -> dict[str, Any]:
    """ "who: Mikko Laine, Tindra Consulting Oy / what: Q1 roadmap": labelled parts first, then the unlabelled
    ones in the usual order (a person, else the customer)."""
    found: dict[str, Any] = {}

    def text(part: list[Word]) -> str:
        return _span_text(words, part[0], part[-1])

    if "customer" in fields:
        found["customer"] = text(fields["customer"])
    if "person" in fields:
        person = fields["person"]
        if person[0].low in FIRST_NAMES or intent == "add_contact":
            found["contact_name"] = text(person)
        elif "customer" not in found:
            found["customer"] = text(person)
    topic = fields.get("subject") or (fields.get("name") if intent in SALES_INTENTS else None)
    if topic:
        found["subject"] = text(topic)
    for part in unlabelled:
        if all(w.cue is not None or w.low in FILLERS for w in part):
            continue
        if "customer" not in found and not (part[0].low in FIRST_NAMES and "contact_name" not in found):
            found["customer"] = text(part)
        elif part[0].low in FIRST_NAMES and "contact_name" not in found:
            found["contact_name"] = text(part)
    return found


def _prefixed_names(intent: str, words: list[Word], prefix: list[Word]) -> dict[str, Any]:
    """ "Acme AS: sendte e-post i dag om oppstartsmøtet", "Lofoten Lys – ring tirsdag": the customer first."""
    found: dict[str, Any] = {"customer": _name(words, Segment(prefix, None))}  # "Luleå Kraft tackade nej – …"
    rest = [replace(w, i=n) for n, w in enumerate(words[prefix[-1].i + 2 :])]  # numbered from 0, as a message
    if intent in SALES_INTENTS:
        return found
    subject, _ = _subject(rest, intent) if rest else ([], set())
    if subject:
        found["subject"] = _span_text(words, subject[0], subject[-1])
    elif intent == "create_task":
        phrase = [w for w in rest if not w.boundary]
        while phrase and (phrase[-1].low in _DEADLINE_WORDS or phrase[-1].low in FILLERS):
            phrase = phrase[:-1]
        if phrase:
            found["subject"] = _span_text(words, phrase[0], phrase[-1])
    people = [s for s in _segments(rest, intent) if _person(s)]
    if people:
        found["contact_name"] = _person_name(words, people[0])
    return found


def _task_names(words: list[Word]) -> dict[str, Any]:
    """A task's subject is its to-do phrase; the customer or contact named in it is also a slot."""
    found: dict[str, Any] = {}
    phrase, head = _task_subject(words)
    if phrase:
        found["subject"] = _span_text(words, phrase[0], phrase[-1])
    head_segments = _segments(head, "create_task") if head else []
    if head_segments:
        found["customer"] = _name(words, head_segments[0])
    inner = [_before_article(s) for s in (_segments(phrase, "create_task") if phrase else [])]
    candidates = [
        s
        for s in inner
        if s.before is not None
        and s.before.low in CUSTOMER_PREPOSITIONS
        and s.before.low not in SUBJECT_MARKERS
    ]
    if inner and (not candidates or inner[0].words[0].i < candidates[0].words[0].i):
        first: Segment | None = inner[0]
        if first is not None and first.words[0].i == phrase[0].i and first.words[0].cue is None:
            rest = first.words[1:]  # the to-do's verb ("ringe", "send") is not a name
            first = Segment(rest, first.before) if rest else None
        # The verb's object is the name when nothing else is ("send Oakridge Dental the pack"), or a person.
        if first is not None and (not candidates or _person(first)):
            candidates.insert(0, first)
    for seg in candidates[:2]:
        if _person(seg):
            found.setdefault("contact_name", _person_name(words, seg))
        else:
            found.setdefault("customer", _name(words, seg))
    if not phrase and not head_segments:
        segments = _segments(words, "create_task")
        if segments:
            found["customer"] = _name(words, segments[0])
    return found


def _before_article(segment: Segment) -> Segment:
    """ "Oakridge Dental the onboarding pack" -> "Oakridge Dental"."""
    for k, w in enumerate(segment.words[1:], start=1):
        if w.low in _ARTICLES:
            return Segment(segment.words[:k], segment.before)
    return segment


# Legal forms as companies write them ("Brekke Bygg AS", "Saimaa Cloud Oy"): a name ending in one is a company
# name whatever else the message says. Lower-case "as" is also the English word, so it counts only at the end of
# a Norwegian or Swedish name.
_WRITTEN_FORMS = frozenset({"AS", "ASA", "AB", "Oy", "OY", "Oyj", "ApS", "APS", "A/S", "Ltd", "LTD", "Inc", "GmbH",
                            "AG", "ANS", "HB", "KB", "LLC", "Plc", "PLC", "SA", "BA", "DA", "Ky", "ab", "oy", "aps", "ltd", "asa", "gmbh"})  # fmt: skip
_MAX_NAME_WORDS = 6


def _legal_names(words: list[Word], lang: str) -> list[str]:
    """Company names that end in a legal form, as written: the capitalised words (and the small words that join
    them, "Bygg & Anläggning i Mälardalen AB") before the form; all lower case when the form is."""
    names: list[str] = []
    for w in words:
        form = w.text.rstrip(".")
        written = form in _WRITTEN_FORMS or (
            form == "as"
            and lang != "en"
            and (w.i + 1 == len(words) or words[w.i + 1].boundary or words[w.i + 1].low in _POLITE)
        )
        if not written or w.i == 0:
            continue
        lower = form.islower()
        start = w.i
        for k in range(w.i - 1, max(-1, w.i - 1 - _MAX_NAME_WORDS), -1):
            prev = words[k]
            if prev.boundary and prev.low not in _NAME_JOINERS or prev.low in CUSTOMER_PREPOSITIONS:
                break
            capital = prev.text[:1].isupper() or prev.text[:1].isdigit()
            if prev.low in _NAME_JOINERS or prev.low in _NAME_LINKS:  # "Tromsø Fisk og Vilt AS"
                if k == 0 or not (words[k - 1].text[:1].isupper() or lower):
                    break
            elif prev.low in FILLERS:
                break
            elif not (capital or lower and prev.text[:1].isalpha() and not prev.labels):
                break
            elif prev.labels and not _capitalised(words, prev):
                break  # "Kan", "Legg", "KUNDE": a cue, not part of the name
            start = k
        if start < w.i:
            names.append(_span_text(words, words[start], w))
    return names


def _anchor_customer(slots: dict[str, Any], legal: list[str]) -> None:
    """Prefer a name with a legal form over whatever words the other rules took for the customer; a name taken
    for the deal or the contact that is really the company gives its place back."""
    if not legal:
        return
    customer = slots.get("customer")
    if customer is not None:
        longer = [name for name in legal if customer in name]
        if longer:  # "Sandvika Byggledelse" -> "Sandvika Byggledelse AS"
            slots["customer"] = longer[0]
            return
        inside = [n for n in legal if customer.endswith(n) and customer[: -len(n)].strip().islower()]
        if inside:  # "confirm that Skogheim Data AB" -> "Skogheim Data AB"
            slots["customer"] = inside[0]
            return
        if any(name in customer for name in legal):
            return
    taken = {slots.get("contact_name"), slots.get("title")}
    name = next((n for n in legal if n not in taken), None)
    if name is None:
        return
    if slots.get("subject") == name:
        if customer is not None:
            slots["subject"] = customer
        else:
            del slots["subject"]
    contact = slots.get("contact_name")
    if contact is not None and (contact in name or name in contact):
        del slots["contact_name"]
    slots["customer"] = name
