"""From one chat message to an intent and its slots (SPEC §5.2), without the store.

Steps: clean the Slack markup; find the slots that have a shape (emails, organisation numbers, phone numbers,
dates and times, percentages, sums) and blank them out; let the language's spaCy pipeline mark the cue
phrases; decide the intent from the cues; cut names (customer, contact, title) and the subject from the
words that are left, by the small words around them ("hos Acme", "med Kari", "om fornyelse").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from spacy.tokens import Doc

from bot.intents import entities
from bot.intents.classifier import MIN_CONFIDENCE, OVERRULE_CONFIDENCE, classify
from bot.intents.language import detect_language
from bot.intents.lexicon import (
    CUES,
    CUSTOMER_PREPOSITIONS,
    FILLERS,
    FIRST_NAMES,
    LEGAL_FORMS,
    NEVER_NAMES,
    SUBJECT_MARKERS,
    SUBJECT_WORD_MARKERS,
    TITLE_SUFFIXES,
    TITLE_WORDS,
    TOPIC_HEADS,
    TOPIC_WORDS,
    WORKPLACE_PREPOSITIONS,
)
from bot.intents.model import INTENT_SLOTS, Parse
from bot.intents.pipeline import pipeline
from bot.intents.slot_tagger import TAGGED_SLOTS, revise
from bot.intents.text import BLANK, blank_out, clean, fold, split_compounds
from bot.intents.vocabulary import common_english
from bot.intents.when import WhenResult, find_when, nearest_day

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


@dataclass
class Reading:
    """What the rules made of one message, and the words they read it from (what the slot tagger reads too)."""

    intent: str
    language: str
    slots: dict[str, Any] = field(default_factory=dict)
    words: list[Word] = field(default_factory=list)  # every word, the shaped slots blanked, with its cues
    shaped: list[tuple[int, int, str]] = field(default_factory=list)  # where each shaped slot was found
    original: str = ""  # the text the words are cut from (Title Case read as lower case)
    written: str = ""  # the same text with the casing the user wrote
    # slots a rule read from a marker that leaves no doubt ("X's purchasing team", "moved from X to Y"): the slot
    # tagger has no say on them
    settled: frozenset[str] = frozenset()


def parse(text: str, *, lang: str | None = None, now: datetime | None = None, tz: str | None = None) -> Parse:
    """The intent and slots of one message. `lang` is the user's language: the prior for detection."""
    reading = read(text, lang=lang, now=now, tz=tz)
    slots = revise(reading)
    if reading.written != reading.original:
        slots = {
            k: _as_written(v, reading.original, reading.written) if k in _TEXT_SLOTS else v
            for k, v in slots.items()
        }
    allowed = INTENT_SLOTS.get(reading.intent, ())
    return Parse(
        reading.intent, reading.language, {k: v for k, v in slots.items() if k in allowed and v != ""}
    )


def read(
    text: str, *, lang: str | None = None, now: datetime | None = None, tz: str | None = None
) -> Reading:
    """What the rules find in one message: its intent, language and slots."""
    zone = ZoneInfo(tz or DEFAULT_TZ)
    now = now.astimezone(zone) if now is not None else datetime.now(zone)
    original = _without_corrections(_unglued(clean(text)), now)
    folded = fold(original)
    language = detect_language(original, folded, lang)
    trimmed = _without_asides(original, language)
    if trimmed != original:  # "crazy traffic this morning … anyway, log a call with …": only the request
        original, folded = trimmed, fold(trimmed)
    written = original
    original = _title_case_lowered(
        original, language
    )  # "Search For Customers Named Aurora": "For" is no name
    if not any(ch.isalnum() for ch in folded) and _GREETING.match(fold(text)):
        return Reading("small_talk", language)  # ("hei kundebot!": a greeting to the bot alone is small talk)
    if not folded.strip():
        return Reading("unknown", language)

    leading = _LEADING_QUOTE.match(text)
    muted = len(_unglued(clean(leading.group(1)))) if leading is not None else 0
    # ("> … before the board meets on the 10th\nfrom Hanne at X, log as note": a date in the quote is what was said)
    ex, when = _extract(folded, language, now, written=original)
    words = _message_words(ex.text, original, language)
    words = _searched_names_uncued(words)
    future = when is not None and when.value > now
    intent = _intent(_without_before_clause(_others_needs_uncued(words)), ex.slots, future)
    if future and when is not None and when.day_alone:
        # "called Nordlys Data on the 20th": a day alone can be the one gone by; what happened is logged
        booked = intent == "schedule_meeting" and not any(
            w.labels & {"LOG", "NOTE", "PAST", "EMAIL"} or w.low in _PAST_CALLS or w.low in _PAST_MEETINGS
            for w in words
        )  # ("<!here> möte med X den 3:e kl 15 …, lägg in det": nothing says it happened; a meeting ahead)
        if not booked and _intent(_without_before_clause(_others_needs_uncued(words)), ex.slots, False) == (
            "log_activity"
        ):
            intent, future = "log_activity", False
    request = _request_clause(words) or _closing_request(words)
    asked = _intent(request, ex.slots, future) if request is not None else "unknown"
    if asked != "unknown":  # "…long story…, so could you log that as a meeting?": the request decides
        intent = asked  # (and a request put in words, "så kan du boka …", is not overruled by a bag of words)
    elif (guess := classify(_placeholders(folded, ex))) is not None:
        if intent == "unknown":
            if not _has(words, "OFFTOPIC") and guess[0] != "unknown" and guess[1] >= MIN_CONFIDENCE:
                intent = guess[0]  # (an errand we don't run stays unknown)
        elif (
            guess[0] != intent
            and guess[1] >= OVERRULE_CONFIDENCE
            and not (guess[0] == "log_activity" and future and intent in ("create_task", "schedule_meeting"))
            and not (
                intent == "log_activity"
                and guess[0] in ("create_task", "schedule_meeting")
                and when is not None
                and when.value.date() < now.date()
            )  # ("mtg yday w bodø kabel tv …": a meeting on a day gone by is logged, not booked)
        ):  # ("ringte X, ring dem tilbake i morgen": a to-do ahead is not made a log by "ringte")
            intent = guess[0]
    if intent in ("kpi_summary", "pipeline_summary") and _one_customers_figure(words, written, language):
        intent = "show_customer"  # "how much have we won with Sognekraft Digital this year?": that one's card
    if intent != "log_activity" or when is None or when.spans[0].start >= muted:
        muted = 0  # (a question quoted before its answer keeps its date: "> kan vi ta et møte uke 2?\nja, …")
    if muted:
        ex, when = _extract(folded, language, now, muted=muted, written=original)
        words = _searched_names_uncued(_message_words(ex.text, original, language))
    if intent == "log_activity" and when is not None and when.value > now:
        # "snakket med Per i dag, han ringer tilbake neste uke": what happened is logged; the later date is
        # part of what they said ("mtg w/ X ystd - want proposal by eom": so is one beside a past date)
        past = _extract(folded, language, now, keep=when, muted=muted, written=original)
        if _said_later(words, when) or past[1] is not None:
            ex, when = past
            words = _searched_names_uncued(_message_words(ex.text, original, language))
    if intent in ("create_task", "schedule_meeting") and when is not None and when.value.date() < now.date():
        # "thx for yesterday!! btw can u remind me to follow up … on fri": a to-do or a booking is ahead
        ahead = _extract(folded, language, now, keep=when, ahead=True, muted=muted, written=original)
        if ahead[1] is not None:
            ex, when = ahead
            words = _searched_names_uncued(_message_words(ex.text, original, language))
    if intent == "log_activity" and when is not None and when.day_alone and when.value.date() > now.date():
        # "anteckning X den 3:e", "emailed … on the 19th": what happened was on the latest such day
        latest = nearest_day(when.value.day, now.date(), past=True) or when.value.date()
        when = replace(when, value=_same_clock(when.value, latest))
        ex.slots["when"] = when.value.isoformat()
    if intent == "log_activity" and when is not None and _bare_weekday_ahead(folded, when, now):
        # "met with the team at Orchard Labs on thursday": what happened was on the last such day
        when = replace(when, value=when.value - timedelta(days=7))
        ex.slots["when"] = when.value.isoformat()
    if intent in SALES_INTENTS:
        _later_close_date(ex, folded, language, now)
        entities.find_stage(ex)
        if "amount" not in ex.slots:
            entities.find_amount(ex, language, bare_numbers=True)
        words = _message_words(ex.text, original, language)
        if intent == "create_sales_case" and _has(words, "UPDATE") and not _has(words, "CREATE"):
            intent = "update_sales_case"

    if intent in ACTIVITY_INTENTS and any(slot in ("amount", "currency") for *_, slot in ex.spans):
        # "ringde X ang. fakturan på 48 000 kr": a sum in a log or a to-do is part of its text
        for start, end, slot in ex.spans:
            if slot in ("amount", "currency"):
                ex.text = ex.text[:start] + folded[start:end] + ex.text[end:]
        ex.spans = [span for span in ex.spans if span[2] not in ("amount", "currency")]
        words = _searched_names_uncued(_message_words(ex.text, original, language))
    slots = {k: v for k, v in ex.slots.items() if k in INTENT_SLOTS.get(intent, ())}
    if intent in SALES_INTENTS and "when" in slots and not _close_date(folded, ex):
        del slots["when"]  # "takket nei i dag": a date in a sales message is its expected close, or nothing
    slots.update(_names(intent, words, language))
    closing = _closing_request(words) if intent == "find_customer" else None
    if closing is not None:
        asked_for = _names(intent, closing, language)  # "vad hette det där bolaget, …? sök på lindberg"
        if asked_for.get("customer"):
            slots["customer"] = asked_for["customer"]
    quote = _LEADING_QUOTE.match(text)
    if quote is not None and intent in ACTIVITY_INTENTS and "\n" in text[quote.end() - 1 :]:
        # "> We'd like … from January.\nlog that as an email from Mari at Skarvik Data": who it is from is
        # named in the request; the quote only names the customer when the request does not
        quoted_end = len(_unglued(clean(quote.group(1))))
        request_words = [w for w in words if w.end > quoted_end]
        while request_words and request_words[0].boundary:
            request_words = request_words[1:]
        request_names = (
            _names(intent, [replace(w, i=k) for k, w in enumerate(request_words)], language)
            if request_words
            else {}
        )  # (the request's own words: "from Hanne at Solvang Kjøkken, log as note")
        if request_names.get("customer"):
            for slot in ("customer", "contact_name"):
                slots.pop(slot, None)
                if slot in request_names:
                    slots[slot] = request_names[slot]
    if intent in SALES_INTENTS or intent in ACTIVITY_INTENTS:
        _fuller_customer(slots, words)
    if intent == "create_sales_case" and "subject" not in slots:
        after = _deal_after_question(words)
        if (
            after is not None
        ):  # "går det att skapa en ny affär åt ICA Fastigheter? Kassasystem 2027, 1,8 milj, …"
            slots["subject"] = after
    if intent in SALES_INTENTS and language != "en" and "subject" not in slots:
        _genitive_deal(slots, words)
    if intent == "show_customer" and "org_number" in slots:
        slots.pop("customer", None)  # "show me the customer with org no …": the number says which one
    if "customer" in INTENT_SLOTS.get(intent, ()) and intent != "find_customer" and not original.isupper():
        _anchor_customer(slots, _legal_names(words, language))  # (in ALL CAPS "AS" is as often the word "as")
    if intent in ACTIVITY_INTENTS:
        slots["activity_kind"] = _activity_kind(intent, words)
    named = slots.get("customer")
    if (
        intent in SALES_INTENTS
        and "subject" not in slots
        and isinstance(named, str)
        and len(named.split()) >= 2
        and fold(named.split()[0]) in _PROJECT_WORDS
        and named.split()[1][:1].isupper()
    ):  # "move Project Polaris to negotiation": a project's name is the deal's, not a company's
        slots["subject"] = slots.pop("customer")
    said = slots.get("subject")
    if intent in SALES_INTENTS and isinstance(said, str) and said.startswith(("the ", "our ", "their ")):
        # "set the fleet portal deal to lost": the deal's name without its article
        said = slots["subject"] = said.split(" ", 1)[1]
    if (
        intent in SALES_INTENTS
        and isinstance(said, str)
        and (
            fold(said) in _PASSIVE_CHANGES | _SMALL_VERBS | _PAST_VERBS
            or all(part in _NO_DEAL_WORDS for part in fold(said).split())
        )
    ):
        del slots[
            "subject"
        ]  # "… Hamnservice-dealen flyttas till 15 januari": the change, not the deal's name
        said = None
    if (
        intent in ACTIVITY_INTENTS
        and isinstance(said, str)
        and "contact_name" not in slots
        and 2 <= len(said.split()) <= 3
        and fold(said.split()[0]) in FIRST_NAMES
        and all(part[:1].isupper() for part in said.split())
    ):  # "boka teams-möte med henne …\n--\nJohanna Wikström | Inköpschef | …": a person, not a topic
        slots["contact_name"] = slots.pop("subject")
        said = None
    if (
        intent in SALES_INTENTS
        and isinstance(said, str)
        and slots.get("customer")
        and said.startswith(f"{slots['customer']} ")
        and said != slots["customer"]
    ):  # "Thornbury Ltd have gone quiet …, mark it as lost": a remark about the customer, not a deal's name
        del slots["subject"]
        said = None
    if intent in SALES_INTENTS and isinstance(said, str) and _verb_before_object(said, words):
        del slots["subject"]  # "ARR landar på 540k SEK", "nu räknar vi med att signera …": a verb, not a deal
        said = None
    if intent in SALES_INTENTS and said is not None and said == slots.get("customer"):
        # ("hvor står Rognan Energi-saken nå?": the customer's deal, not a name of its own)
        del slots["subject"]
        said = None
    said = slots.get("subject")
    if intent in ACTIVITY_INTENTS and isinstance(said, str) and "contact_name" not in slots and ":" in said:
        head, _, comment = said.partition(":")
        parts = head.split()
        if (
            1 <= len(parts) <= 4
            and comment.strip()
            and fold(parts[0].split("-")[0]) in FIRST_NAMES
            and all(p[:1].isupper() or p in _NAME_PARTICLES for p in parts)
            and parts[-1][:1].isupper()
        ):  # "📝 Vik Bygg, Kari Hansen: vil vente til mars": who said it, then what
            slots["contact_name"] = head.strip()
            said = slots["subject"] = comment.strip()
    for slot in ("customer", "contact_name", "title"):
        named = slots.get(slot)
        if (
            isinstance(said, str)
            and named
            and said.startswith(named)
            and said[len(named) :].lstrip().startswith(":")
        ):
            # "email to Jonas Berg, Nordhavn Shipping AS: sent …": the comment after the name and its colon
            said = slots["subject"] = said[len(named) :].lstrip()[1:].strip()
    if (
        intent in ACTIVITY_INTENTS
        and "title" not in slots
        and isinstance(said, str)
        and _looks_like_title(said)
    ):
        if "contact_name" in slots and len(said.split()) <= 3:
            del slots["subject"]  # "a meeting with Astrid Voll, CFO at Bakkeli Shipping": her title, no topic
    person = slots.get("contact_name")
    if intent in ACTIVITY_INTENTS and isinstance(person, str) and _looks_like_title(person):
        del slots["contact_name"]  # "set up a call with the CFO at Aker Bio": a role, not a name
    said = slots.get("subject")
    if isinstance(said, str) and len(said) > 2 and said[0] in _QUOTES and said[-1] in _QUOTES + "’":
        said = slots["subject"] = said[
            1:-1
        ].strip()  # "X - 'Fleet Tracking' - 400 000 NOK": without its quotes
    if intent in ("log_activity", "schedule_meeting") and isinstance(said, str) and _only_the_request(said):
        del slots["subject"]  # "met Acme today - pls log it": the request, not a topic
    elif isinstance(said, str) and fold(said) in _PERSONAL_PRONOUNS | {"dem", "them", "dom"}:
        del slots["subject"]  # "fredag kl 13 passer bedre for dem": a pronoun is no topic
    if intent == "log_activity" and quote is not None and "\n" in text[quote.end() - 1 :]:
        # "> We'd like to add 12 more licences from January.\nlog that as an email from …": the quote is logged
        slots["subject"] = clean(quote.group(1)).strip().rstrip(".!?,;: ").strip("\"“”«»'")
    if intent in ("log_activity", "schedule_meeting"):
        topic = _LABELLED_TOPIC.search(original)
        said = slots.get("subject")
        if (
            topic is not None
            and fold(topic[1]) not in _PERSONAL_PRONOUNS | {"dem", "them", "dom", "it", "det"}
            and not (isinstance(said, str) and fold(topic[1]).startswith(fold(said)))
        ):
            # "… Can you log it as a meeting with Jonas? topic: yard booking module": the topic the writer labels
            slots["subject"] = topic[1].strip()
    person = slots.get("contact_name")
    if isinstance(person, str) and fold(person) in FIRST_NAMES and person[:1].isupper():
        # "Had lunch with … Jonas Berglund and their new IT chief. … log it as a meeting with Jonas?": the person
        # the recap named in full
        full = re.search(
            r"(?<![\w'-])" + re.escape(person) + r"((?:\s+(?:van|von|de|der|af|ter|da|di|le|la|el|al|bin))*"
            r"\s+[A-ZÆØÅÄÖ][\w'’-]+)(?![\w'-])",
            original,
        )
        if (
            full is not None
            and fold(full[1].split()[-1]) not in _FUNCTION_WORDS | _CUE_WORDS
            and find_when(fold(full[1]), language, now) is None
        ):
            slots["contact_name"] = person + full[1]
    if intent in ACTIVITY_INTENTS or intent in SALES_INTENTS:
        _drop_trigger_word(slots, original, written)
        _topic_after_capital_name(slots, intent, ex.text, original, written)
        _customer_before_todo(slots, intent)
    person = slots.get("contact_name")
    if (
        isinstance(person, str)
        and re.fullmatch(r"[a-zæøåäö]+", person)
        and fold(person) not in FIRST_NAMES
        and re.search(r"\b(?:the|some|a|an|our|their|his|her)\s+" + re.escape(person) + r"\b", original)
    ):  # ("we're on the shortlist with Bouvet", "who sat in for some reason": a noun, not a person)
        del slots["contact_name"]
    said = slots.get("subject")
    if intent in ("log_activity", "schedule_meeting") and isinstance(said, str):
        talked = _TOPIC_LEAD.match(said)
        if talked is not None and said[talked.end() :].strip():
            said = slots["subject"] = said[
                talked.end() :
            ].strip()  # ("… we talked about the pricing. log it")
    if intent == "schedule_meeting" and isinstance(said, str):
        walked = _WALK_THROUGH.match(said)
        if walked is not None and said[walked.end() :].strip():
            said = slots["subject"] = said[walked.end() :].strip()  # ("… at 14:00 to walk through the DPA")
        booking = _BOOKING_LEAD.match(said)
        if booking is not None and said[booking.end() :].strip():
            # "booking a QBR with Gjensidige Forsikring ASA friday 9am, can you add it": the meeting booked
            said = slots["subject"] = said[booking.end() :].strip()
            if len(said.split()) == 1 and _GENERIC_MEETING.search(fold(said)):
                del slots["subject"]  # ("booking a meeting with …": no topic)
                said = None
    if intent == "schedule_meeting" and isinstance(said, str) and len(said.split()) >= 2:
        who, verb = (fold(w) for w in said.split()[:2])
        if who.split("'")[0] in _REMARK_PRONOUNS and verb not in _PURPOSE_VERBS and not who.endswith("'d"):
            # "… on the 30th, 2-3pm? He prefers teams.", "She's bringing the tasting samples": a remark about the
            # people met, not what the meeting is for ("they want to see the ticketing demo" is)
            del slots["subject"]
    if intent == "log_activity" and when is not None and _LATER_TODAY.match(folded, when.spans[0].start):
        slots.pop("when", None)  # "… rang back … I'll send the contract later today": what is still to come
    if intent == "update_sales_case":
        _deal_in_request(slots, original)
        _deal_for_customer(slots, original)
    if intent in SALES_INTENTS:
        _deal_signed(slots, original)
    if intent == "create_task":
        _todo_after_customer(slots, ex.text, original)
    if intent in SALES_INTENTS and "subject" not in slots:
        _deal_after_legal_name(slots, ex.text, original)
    settled: set[str] = set()
    owned = _without_owned_group(slots, original)
    if owned is not None:  # (the group is no topic: not for the tagger either)
        ex.text = blank_out(ex.text, *owned)
        settled.add("customer")
    former = _former_workplace(slots, original) if intent == "add_contact" else None
    if former is not None:  # (where they worked before is no customer: not for the tagger either)
        ex.text = blank_out(ex.text, *former)
        settled.add("customer")
    if intent in ACTIVITY_INTENTS or intent == "add_contact":
        _person_in_customer(slots, original)
    owner = slots.get("customer")
    if isinstance(owner, str) and intent != "find_customer" and " " in owner:
        if owner.endswith(
            ("'s", "’s")
        ):  # ("build the TCO calculator for Vardø Energi's hydrogen pilot"): whose
            slots["customer"] = owner[:-2]
        elif owner.endswith(("s'", "s’")):  # ("a QBR in with Kongsberg Defence Systems' procurement folks")
            slots["customer"] = owner[:-1]
    said = slots.get("subject")
    if intent == "create_task" and isinstance(said, str):
        # "update the partner agreement w/ Kvitfjell Alpin over new year": when, though no date; not the to-do
        trimmed = _VAGUE_TURN_OF_YEAR.sub("", said)
        if trimmed.strip():
            slots["subject"] = trimmed
        for vague in _VAGUE_TURN_OF_YEAR_ANYWHERE.finditer(ex.text):  # (for the tagger too)
            ex.text = blank_out(ex.text, vague.start(), vague.end())
    tagged = (
        _read_words(language, ex.text, original) if TAGGED_SLOTS & set(INTENT_SLOTS.get(intent, ())) else []
    )
    return Reading(intent, language, slots, tagged, list(ex.spans), original, written, frozenset(settled))


# A topic the writer labels anywhere in a log or a booking ("…, topic was the Madrid office rollout. Fun detail: …",
# "… on december 3 at 10, topic: MES replacement."): to the end of its sentence.
_LABELLED_TOPIC = re.compile(
    r"(?:^|(?<=[\s,.;:!?(]))(?:topic|agenda|tema|emne|ämne|theme)\s*(?::|\s+(?:was|is|will\s+be|er|var|blir|är|blir)\b)\s*"
    r"([^\W_][^.!?\n]*?)\s*(?=[.!?](?:\s|$)|\n|\s[-–—]\s|$)",
    re.IGNORECASE,
)
# A to-do's vague time at the turn of the year ("over new year", "over nyttår", "efter nyår"), which gives no `when`.
_VAGUE_TURN_OF_YEAR = re.compile(
    r"\s+(?:over|after|etter|efter|around|rundt|runt|kring)\s+(?:the\s+)?(?:new\s+year(?:'s)?|nyttår(?:et)?|nyttar(?:et)?|"
    r"nyår(?:et)?|nyar(?:et)?|årsskiftet|arsskiftet)[\s.!,]*$",
    re.IGNORECASE,
)
_VAGUE_TURN_OF_YEAR_ANYWHERE = re.compile(
    r"(?<=\s)(?:over|after|etter|efter|around|rundt|runt|kring)\s+(?:the\s+)?(?:new\s+year(?:'s)?|nyttar(?:et)?|"
    r"nyar(?:et)?|arsskiftet)\b"
)
# Words of a company's own name that never open the topic after it ("Aker Energy Dashboard": "Aker Energy").
_COMPANY_NAME_WORDS = frozenset(
    """energy data digital media power shipping logistics security software engineering design architecture finance
    insurance partners partner solutions systems services service network consulting group cars tech labs capital
    holding marine fish salmon farm farming cloud solar wind it hotel hotels retail seafood foods pharma nordic
    nordics collective studio studios industries technologies ventures advisory associates""".split()
)
# The nouns a company's name ends in ("… Dental Group", "… Polar Hotel", "… Offshore Analytics").
_COMPANY_HEADS = frozenset(
    """group partners academy hotel hotels clinic clinics collective consulting analytics media solutions systems
    services labs studio studios industries technologies ventures associates holding advisory""".split()
)
_FIGURE_WORDS = frozenset({"arr", "mrr", "tcv", "acv"})
_ENDS_A_TOPIC = frozenset(
    {"deal", "deals", "opportunity", "opp", "case", "pls", "please", "thanks", "eod", "eow", "asap"}
)
_TOPIC_TODO_VERBS = frozenset(
    "send call email mail update prepare prep book order chase review follow check ring ping draft share sign "
    "renew finish confirm fix write arrange invite "
    "sende ringe maile mejle oppdatere forberede booke bestille purre folge sjekke "
    "skicka ringa mejla maila uppdatera forbereda boka bestalla kolla folja".split()
)
_CAPITAL_WORD = re.compile(r"[^\W\d_][\w'’&-]*")


def _first_name(part: str) -> bool:
    low = fold(part)
    return low.split("-")[0] in FIRST_NAMES and not common_english(low)


def _person_in_customer(slots: dict[str, Any], written: str) -> None:
    """ "Log Call Skarsvåg Havbruk Trine Aasland Feed Barge …", "set up mtg w tolga elektro service geir ove haugen
    service agreement renewal": a full name inside the customer's run ends the company; what follows is the topic."""
    named, said = slots.get("customer"), slots.get("subject")
    if "contact_name" in slots or not isinstance(named, str):
        return
    parts = named.split()
    if len(parts) < 3 or fold(parts[-1]) in LEGAL_FORMS or _first_name(parts[0]):
        return
    joined = isinstance(said, str) and f"{named} {said}" in written
    run = parts + (said.split() if joined and isinstance(said, str) else [])
    at = next((k for k in range(1, len(parts)) if _first_name(parts[k])), None)
    if at is None:
        return
    end = at + 1
    while end < len(run) and end - at < 3 and not common_english(fold(run[end])) and run[end].isalpha():
        end += 1
    if end - at < 2 or not all(p[:1].isupper() == run[at][:1].isupper() for p in run[at:end]):
        return
    slots["customer"] = " ".join(parts[:at])
    slots["contact_name"] = " ".join(run[at:end])
    rest = " ".join(run[end:]) if joined or end >= len(parts) else " ".join(parts[end:])
    if rest:
        slots["subject"] = rest
    elif joined:
        slots.pop("subject", None)


def _topic_word(low: str) -> bool:
    """A word a deal's or a topic's name is made of: from the lexicon's list, or any common English word."""
    return low in TOPIC_WORDS or common_english(low)


def _capitals_or_none(written: str) -> bool:
    """A line of at least four words where nothing but capitals can mark a name: Title Case or ALL CAPS (three in
    four words capitalised), or all lower case ("had lunch w lysne analytics group data platform rfp")."""
    letters = _CAPITAL_WORD.findall(written)
    if len(letters) < 4:
        return False
    return written == written.lower() or sum(w[0].isupper() for w in letters) >= 0.75 * len(letters)


def _drop_trigger_word(slots: dict[str, Any], original: str, written: str) -> None:
    """'Quick Note Vestby Logistikk …', 'Can You Book Oulu Smart Factory Oy …': in a line of capitals (or of none)
    the request's own word is no part of the company's name after it."""
    named = slots.get("customer")
    if not isinstance(named, str) or len(named.split()) < 3:
        return
    if not _capitals_or_none(written):
        return
    first, rest = named.split(" ", 1)
    if (
        fold(first) in _CUE_WORDS | _TOPIC_TODO_VERBS
        and fold(rest.split()[0]) not in _FUNCTION_WORDS | LEGAL_FORMS
    ):
        slots["customer"] = rest


def _customer_before_todo(slots: dict[str, Any], intent: str) -> None:
    """'Todo: Northbridge Capital Partners Prepare Board Dashboard Demo Next Week', 'todo skagerrak web & print
    chase unpaid invoice': a company's name runs into the to-do's verb; the name is the customer, not the to-do."""
    said = slots.get("subject")
    if intent != "create_task" or not isinstance(said, str):
        return
    words = said.split()
    lows = [fold(w) for w in words]
    j = next((k for k in range(1, min(len(words), 6)) if lows[k] in _TOPIC_TODO_VERBS), None)
    if (
        j is None
        or j == len(words) - 1
        or lows[0] in FIRST_NAMES
        or any(low in _TOPIC_TODO_VERBS or low in _FUNCTION_WORDS or low in _CUE_WORDS for low in lows[:j])
        or all(_topic_word(low) or not low.isalpha() for low in lows[:j])
        or not (said == said.lower() or all(w[:1].isupper() or w == "&" for w in words[:j]))
    ):
        return
    named = slots.get("customer")
    if isinstance(named, str) and not set(fold(named).split()) & set(lows[:j]):
        return
    slots["customer"] = " ".join(words[:j])
    slots["subject"] = " ".join(words[j:])


def _topic_after_capital_name(
    slots: dict[str, Any], intent: str, blanked: str, original: str, written: str
) -> None:
    """ "New Deal For Kaupanger Skipsverft Propeller Shaft Inspection App 320K", "BOOK MEETING TROLLHEIMEN
    HYTTEUTLEIE WINTER SEASON PLANNING MONDAY 14:00": in a Title Case or ALL CAPS line a company runs straight into
    the deal or topic. The name ends at its legal form, or before the common words a topic is made of."""
    named = slots.get("customer")
    if not isinstance(named, str) or len(named.split()) < 2:
        return
    lower = written == written.lower()
    if not _capitals_or_none(written):
        return
    at = original.find(named)
    if at < 0:
        return
    parts = list(_CAPITAL_WORD.finditer(named))
    if len(parts) < 2:
        return
    lows = [fold(m.group(0)) for m in parts]
    split = next(
        (
            k + 1
            for k in range(1, len(parts) - 1)
            if lows[k] in LEGAL_FORMS
            and not (written.isupper() and len(lows[k]) == 2 and common_english(lows[k]))
            and named[parts[k - 1].end() : parts[k].start()].strip() != "&"  # ("gran & co regnskap")
        ),
        None,
    )  # ("Norsk Hydro Asa Smelter Energy Dashboard", "GULLSPÅNG DATA AB GDPR AUDIT": the legal form ends the name)
    if split is None and intent == "create_task":
        split = next(
            (
                k
                for k in range(1, len(parts))
                if lows[k] in _TOPIC_TODO_VERBS
                and lows[k - 1] not in _TOPIC_TODO_VERBS
                and not all(_topic_word(low) for low in lows[:k])
            ),
            None,
        )  # ("Add Task For Bergkvist Revision Send Engagement Letter Friday": the to-do's verb ends the name)
    if split is None:
        k = len(parts)
        while k > 1 and _topic_word(lows[k - 1]) and lows[k - 1] not in LEGAL_FORMS:
            k -= 1
        while k < len(parts) and lows[k] in _COMPANY_NAME_WORDS and lows[k] not in lows[:k]:
            k += 1  # (a word said again starts the topic: "Askvoll Data Services Data Migration Runbook")
        if 1 < k < len(parts) and not written.isupper():
            acronym = parts[k - 1].group(0)  # "Move The Hallingdal Kraft SAP Rollout …": the system's name
            if 2 <= len(acronym) <= 4 and acronym.isupper() and lows[k - 1] not in LEGAL_FORMS:
                k -= 1
        heads = [j for j in range(1, len(parts) - 1) if lows[j] in _COMPANY_HEADS]
        if (
            heads
        ):  # ("Hammerfest Polar Hotel Revenue Management System": the company's own noun ends its name)
            k = heads[0] + 1
            while k < len(parts) - 1 and lows[k] in _COMPANY_HEADS and lows[k] not in lows[:k]:
                k += 1  # ("Lysne Analytics Group Data Platform"; not "… Analytics Partners Analytics Platform")
        if all(_topic_word(low) for low in lows[:k]) and not (heads and k >= 3):
            return  # ("Booking Engine": no company's word before the topic; not this rule's to cut)
        tail = lows[k:]
        if not tail:
            if lows[-1] not in LEGAL_FORMS or slots.get("subject") is not None or intent == "create_task":
                return
            k = len(parts)  # ("Emailed Saarinen & Koski Oy Cloud Cost Review …": the topic follows the name)
        if tail:
            todo = intent == "create_task" and tail[0] in _TOPIC_TODO_VERBS
            if (
                not todo
                and not heads
                and (len(tail) < 2 or "&" in named[parts[k - 1].end() :])  # ("Tyresö Bad & Spa")
                and not any(w in TOPIC_HEADS for w in tail)
            ):
                return
        split = k
    head = named[: parts[split - 1].end()]
    said = slots.get("subject")
    end = at + len(named)
    if intent == "create_task" and isinstance(said, str):
        slots["customer"] = head
        return
    if said is not None and not (
        isinstance(said, str) and original[end:].lstrip().startswith(said) and said[:1].isupper()
    ):
        return
    if isinstance(said, str) and split < len(
        parts
    ):  # "Move The Solstrand Fjordhotell Booking Engine Deal …" read with part of it
        slots["customer"] = head
        slots["subject"] = f"{original[at + parts[split].start() : end].strip()} {said}"
        return
    topic_end = end
    for more in _CAPITAL_WORD.finditer(original, end):
        gap = original[topic_end : more.start()]
        if gap.strip() or BLANK in blanked[topic_end : more.start() + 1]:
            break
        word = written[more.start() : more.end()]
        low = fold(word)
        if low == "up" and fold(original[:topic_end].split()[-1]) == "follow":
            topic_end = more.end()
            continue
        if (
            not (lower or word[:1].isupper())
            or low in _FUNCTION_WORDS
            or low in _CUE_WORDS
            and not _topic_word(low)
            or low in LEGAL_FORMS
            or low in _ENDS_A_TOPIC
            or low in _PASSIVE_CHANGES  # ("… facility booking app moved to qualified")
            or entities.STAGE.fullmatch(low)
        ):
            break
        topic_end = more.end()
    topic = original[at + parts[split].start() if split < len(parts) else end : topic_end].strip()
    while topic and fold(topic.split()[-1]) in _FIGURE_WORDS:
        topic = topic.rsplit(" ", 1)[0] if " " in topic else ""  # ("… Patient Booking Chatbot ARR 240k")
    if not topic:
        return
    slots["customer"] = head
    if intent != "create_task" or said is None:
        slots["subject"] = topic


# The request of a stage or figure update names its deal: "So mark the smart meter rollout as won", "let's set the
# parking app deal to 80%", "Please move Storebrand's claims dashboard to negotiation".
_DEAL_IN_REQUEST = re.compile(
    r"\b(?:mark|set|move|put|flag|bump|switch|change)\s+(?:the\s+|our\s+)?"
    r"(?:([A-ZÆØÅÄÖ][\w&.-]*(?:\s+[A-ZÆØÅÄÖ&][\w&.-]*){0,3})['’]s\s+)?"
    r"((?:[a-zæøåäö0-9][\w&/-]*\s+){0,3}?[a-zæøåäö0-9][\w&/-]*)(?:\s+(?:deal|case|opportunity|opp))?"
    r"\s+(?:as|to)\s+(?:won|lost|proposal|negotiation|qualified|lead|closed|\d{1,3}\s*%)"
)
_NO_DEAL_NAMED = frozenset(
    fold(w) for w in ("it", "this", "that", "them", "one", "deal", "case", "opportunity", "opp", "stage", "close",
                      "date", "probability", "amount", "value", "price", "status", "den", "det", "dem")
)  # fmt: skip


_LOWER_DEAL_WORD = r"(?!(?:deal|this|today|yesterday|for|on|at|last|and|but|with)\b)[a-z][\w/-]*"
_LOWER_DEAL_NAME = (
    r"((?:"
    + _LOWER_DEAL_WORD
    + r"\s+){0,3}"
    + _LOWER_DEAL_WORD
    + r"(?:\s+\d{1,4}\b(?!\s*(?:k|m|%|kr|nok|sek)\b))?)"
)
# "Mekong Seafood Norge signed the cold-chain tracking deal", "we WON the Bergans of Norway webshop relaunch 🎉":
# who signed, and the deal's own lower-case name.
_SIGNED_DEAL = re.compile(
    r"(?:\b([A-ZÆØÅÄÖ][\w&.-]*(?:\s+(?:of|&|[A-ZÆØÅÄÖ0-9][\w&.-]*)){0,4})\s+)?(?<![\w-])(?:signed|won|WON|lost|LOST)\s+"
    r"the\s+(?:([A-ZÆØÅÄÖ][\w&.-]*(?:\s+(?:of|&|[A-ZÆØÅÄÖ0-9][\w&.-]*)){0,4})\s+)?"
    + _LOWER_DEAL_NAME
    + r"(?:\s+deal)?(?=\s*(?:$|[,.;:!?(]|today|this|yesterday|last\b|on\b|at\b|\d))"
)


def _deal_signed(slots: dict[str, Any], original: str) -> None:
    """A deal named by what happened to it, when the rules found no name of it (or took a time word or the
    company's name for one)."""
    said = slots.get("subject")
    if isinstance(said, str) and not (
        _TIME_WORD_SUBJECT.fullmatch(fold(said))
        or said[:1].isupper()
        and said == slots.get("customer")
        or all(w[:1].isupper() for w in said.split())
        and len(said.split()) <= 4
        and said[:1].isupper()
        and not said.isupper()
    ):
        return  # (a name of its own already; only a time word or a company's name is replaced)
    signed = _SIGNED_DEAL.search(original)
    if signed is not None and not any(
        fold(w) in _NO_DEAL_NAMED | _FUNCTION_WORDS for w in signed[3].split()[:1]
    ):
        slots["subject"] = signed[3]
        owner = signed[2] or signed[1]
        if owner and fold(owner.split()[0]) not in _FUNCTION_WORDS | _PERSONAL_PRONOUNS | {"we", "vi"}:
            slots["customer"] = owner


_TIME_WORD_SUBJECT = re.compile(r"today|yesterday|i dag|idag|this morning|tonight")


def _deal_in_request(slots: dict[str, Any], original: str) -> None:
    """The deal the update request itself names, over a name taken from the story around it."""
    asked = _DEAL_IN_REQUEST.search(original)
    if asked is None or any(fold(w) in _NO_DEAL_NAMED for w in asked[2].split()):
        return
    deal, named = asked[2], slots.get("customer")
    if isinstance(named, str) and named:
        if fold(deal) == fold(named):
            return  # ("set the volvo deal to negotiation": the customer's deal)
        if fold(deal).startswith(fold(named) + " "):
            deal = deal[len(named) :].strip()  # ("bump the skybase ab cloud move to 80%")
    slots["subject"] = deal
    if asked[1]:
        slots["customer"] = asked[1]


# "move the SAP S/4 migration for Halden Kraftlag to negotiation", "push the close on the Q1 go-live deal with
# Arendal Havnevesen to …": the deal's name, however written, then whose it is.
_DEAL_FOR_CUSTOMER = re.compile(
    r"\b(?:the|our)\s+((?:[\w&/.+-]+\s+){0,4}?[\w&/.+-]+?)(?:\s+(?:deal|case|opportunity|opp))?\s+(?:for|with|at)\s+"
    r"([A-ZÆØÅÄÖ][\w&.-]*(?:\s+(?:&|[A-ZÆØÅÄÖ0-9][\w&.-]*)){0,4})"
    r"(?=\s*(?:to\b|as\b|→|->|is\b|should\b|will\b|[,:?!]|$))"
)
_OPENING_DEAL = re.compile(_DEAL_FOR_CUSTOMER.pattern.replace(r"\b(?:the|our)\s+", "", 1))


_CUSTOMERS_DEAL = re.compile(
    r"\b(?:the|our)\s+([A-ZÆØÅÄÖ][\w&.-]*(?:\s+(?:&|[A-ZÆØÅÄÖ][\w&.-]*)){0,3})\s+"
    r"([a-zæøåäö0-9][\w&/+-]*(?:\s+[a-zæøåäö0-9][\w&/+-]*){0,3})\s+(?:deal|case|opportunity|opp)\b"
)  # ("the Sandefjord Lufthavn wayfinding/signage deal slipped"): whose, then the deal's own name


def _deal_for_customer(slots: dict[str, Any], original: str) -> None:
    named = slots.get("customer")
    if "subject" not in slots and isinstance(named, str):
        own = _CUSTOMERS_DEAL.search(original)
        if own is not None and own[1] == named and not any(fold(w) in _NO_DEAL_NAMED for w in own[2].split()):
            slots["subject"] = own[2]
            return
    opening = _OPENING_DEAL.match(original)  # ("dam sensor retrofit for Hovden Kraftverk should close by …")
    starts = [m.start() for m in re.finditer(r"\b(?:the|our)\s", original)]
    for at, asked in [(-1, opening)] + [(k, _DEAL_FOR_CUSTOMER.match(original, k)) for k in starts]:
        if asked is None:
            continue
        lows = [fold(w) for w in asked[1].split()]
        if any(w in _NO_DEAL_NAMED or w in _FUNCTION_WORDS or entities.STAGE.fullmatch(w) for w in lows):
            continue  # ("the stage for X", "push the close on the Q1 go-live deal with X": not "close on")
        if at < 0 and (
            len(lows) < 2
            or any(w in _CUE_WORDS or w in _SAME or not w.isalpha() and "-" not in w for w in lows)
        ):
            continue  # (a message that opens with the deal's name, not with a request)
        slots["subject"] = asked[1]
        slots["customer"] = asked[2]
        return


# "to walk through X", "for å gå gjennom X", "för att gå igenom X": X is what the meeting is for, like "to discuss".
_WALK_THROUGH = re.compile(
    r"(?:walk|go|run)\s+(?:through|over)\s+|g[åa]\s+(?:gjennom|igjennom|igenom)\s+",
    re.IGNORECASE,
)
_BOOKING_LEAD = re.compile(
    r"(?:i'm\s+|we're\s+|we\s+are\s+|i\s+am\s+)?(?:booking|scheduling|setting\s+up|arranging|organising|organizing)"
    r"\s+(?:a|an|the|our)\s+",
    re.IGNORECASE,
)
_LATER_TODAY = re.compile(r"(?:later|senere|senare)\s+(?:today|i\s*dag)\b")
_REMARK_PRONOUNS = frozenset(fold(w) for w in ("he", "she", "they", "han", "hun", "hon", "de", "dom", "dei"))
_PURPOSE_VERBS = frozenset(fold(w) for w in (
    "want", "wants", "wanted", "need", "needs", "would", "asked", "asks", "wish", "wishes", "hope", "hopes",
    "vil", "ønsker", "trenger", "ville", "vill", "önskar", "behöver", "ba", "bad",
))  # fmt: skip


def _deal_after_legal_name(slots: dict[str, Any], blanked: str, original: str) -> None:
    """ "push close on Fjellstue 7 AS booking engine rebuild to friday", "mark the Blåbær Design AS webshop relaunch
    as won", "new deal Kjeldsberg Kaffe & Co subscription machines, 25k/mnd": a company that ends in its legal form,
    then the deal's own lower-case name."""
    named = slots.get("customer")
    if not isinstance(named, str) or not named.split():
        return
    last = fold(named.split()[-1])
    if last not in LEGAL_FORMS and last != "co" or len(named.split()) < 2:
        return
    at = original.find(named)
    if at < 0:
        return
    run: list[re.Match[str]] = []
    closed = False
    for more in re.finditer(r"\S+", original[at + len(named) :]):
        word = more.group(0).rstrip(",.;:!?")
        closed = word != more.group(0)
        low = fold(word)
        if (
            not re.fullmatch(r"[a-zæøåäö][a-zæøåäö-]*", word)
            or BLANK in blanked[at + len(named) + more.start() : at + len(named) + more.end()]
            or low in LEGAL_FORMS
            or entities.STAGE.fullmatch(low)
            or low in _FUNCTION_WORDS
            or low in _CUE_WORDS
            or low in _NO_DEAL_WORDS
            or low in _SMALL_VERBS
            or low in _PAST_VERBS
            or low in _VERBS_AFTER_NAME
            or len(run) == 4
        ):
            closed = False
            break
        run.append(more)
        if closed:
            closed = not more.group(0).endswith(":")  # ("Bygg.no AS oppgraderer: …": what it does, no deal)
            break
    if not run:
        return
    base = at + len(named)
    deal = original[base + run[0].start() : base + run[-1].end()].rstrip(",.;:!?")
    following = fold(original[base + run[-1].end() :].lstrip())
    if closed or not following or re.match(r"(?:to|as|til|till|som|deal|[-–(])(?:\s|$)", following):
        slots["subject"] = deal  # (the name ends where the message turns: "… to friday", "… as won", ", 25k")


def _todo_after_customer(slots: dict[str, Any], blanked: str, original: str) -> None:
    """ "task Larvik Sportssenter send membership app wireframes tomorrow", "Add Task For Skarsvåg Fiskemottak
    Update Price List Before Thursday": the customer as a prefix, then the to-do from its verb."""
    named, said = slots.get("customer"), slots.get("subject")
    if not isinstance(named, str) or not named:
        return
    if isinstance(said, str):
        rest = said[len(named) :].strip() if said.startswith(named + " ") else ""
        if rest and fold(rest.split()[0]) in _TOPIC_TODO_VERBS:
            slots["subject"] = rest
        return
    at = original.find(named)
    if at < 0:
        return
    end = at + len(named)
    verb = re.match(r"\s+([^\W\d_]+)", original[end:])
    if verb is None or fold(verb[1]) not in _TOPIC_TODO_VERBS:
        return
    stop = end + len(verb[0])
    while stop < len(blanked) and blanked[stop] not in BLANK + ",;.!?:\n":
        stop += 1
    todo = original[end:stop].strip()
    words = todo.split()
    while words and fold(words[-1]) in _DEADLINE_WORDS | _FUNCTION_WORDS:
        words.pop()  # ("… Before Thursday": the deadline word before the blanked date)
    if words:
        slots["subject"] = " ".join(words)


# A group of people a company has ("H&M's facilities team", "Marks & Spencer's Nordic sourcing desk").
_OWNED_GROUPS = frozenset(
    fold(w) for w in ("team", "teams", "folks", "people", "desk", "department", "dept", "office", "crew", "unit",
                      "division", "staff", "guys", "teamet", "avdeling", "avdelning", "avdelningen", "avdelingen")
)  # fmt: skip


def _without_owned_group(slots: dict[str, Any], original: str) -> tuple[int, int] | None:
    """ "just called H&M's facilities team", "a meeting w/ Accenture's nordic alliance team": the company is the
    customer, without its genitive and the group that works there."""
    named = slots.get("customer")
    if not isinstance(named, str) or ("'s" not in named and "’s" not in named):
        return None
    at = original.find(named)
    if at < 0:
        return None
    owner = re.search(r"['’]s\b", named)
    if owner is None or owner.start() == 0:
        return None
    after = re.match(r"['’]s((?:\s+[\w&-]+){1,4})", original[at + owner.start() :])
    if after is None:
        return None
    following = [fold(w) for w in after[1].split()]
    ends = next((k for k, w in enumerate(following) if w in _OWNED_GROUPS), None)
    if ends is None or any(w in _FUNCTION_WORDS for w in following[:ends]):
        return None
    slots["customer"] = named[: owner.start()].rstrip()
    start = at + owner.start()
    last = list(re.finditer(r"[\w&-]+", after[1]))[ends]
    return start, start + 2 + last.end()


def _former_workplace(slots: dict[str, Any], original: str) -> tuple[int, int] | None:
    """ "Tom Berg moved from Acme AS to Nordlys AS": where the contact worked before they came to the customer."""
    named = slots.get("customer")
    if not isinstance(named, str) or not named:
        return None
    moved = re.search(
        rf"\b(?:from|fra|från|fran)\s+(\S.*?)\s+(?:to|til|till)\s+{re.escape(named)}", original, re.IGNORECASE
    )
    return moved.span(1) if moved is not None else None


_GREETING = re.compile(
    r"\s*(?:hey|hei|hej|hi|hallo|hello|heisann|hejsan|halla|morn|god\s+morgen|god\s+morgon)\b"
)


# Words typed without their spaces ("hadameeting w/ X", "addcontact …", "meetingwith X"): a key word of a request
# with small words glued before or after it. Only these small words: a compound of two nouns ("kundmøte") stays.
_GLUED_BEFORE = ("had", "hada", "hadde", "new", "add", "log", "book", "remind", "create", "set", "ny", "nytt", "nya",
                 "logg", "boka", "skapa")  # fmt: skip
_GLUED_AFTER = ("with", "w", "me", "to", "for", "about", "med", "hos", "meg", "mig", "til", "till", "om")
_GLUED_LABELS = frozenset({"CUSTOMER", "CONTACT", "MEETING", "CALL", "TASK", "DEAL", "EMAIL", "NOTE", "LOG",
                           "CREATE", "SCHEDULE"})  # fmt: skip
_KEY_WORDS = frozenset(
    fold(p)
    for label, phrases in CUES.items()
    if label in _GLUED_LABELS
    for p in phrases
    if " " not in p and len(p) >= 4 and p.isalpha()
)
_GLUED = re.compile(
    r"(?<![\w'-])("
    + "|".join(sorted(_GLUED_BEFORE, key=len, reverse=True))
    + r")?([a-zæøåäö]{4,}?)("
    + "|".join(sorted(_GLUED_AFTER, key=len, reverse=True))
    + r")?(?![\w'-]|:\S)"
)  # (not "mailto:…")


# A self-correction inside a message ("fjordkraft, nei sorry, fjordnett AS", "thursday, no wait, friday morning",
# "150k, nei 180k mener jeg"): the words that take back what came just before, after a comma.
_CORRECTION = re.compile(
    r"(?:,|[.?!](?=\s)|\s[–—-])\s*(?:(?:(?:actually|no)\s*,?\s*)?make\s+(?:it|that)|no\s+sorry|sorry\s*,?\s*i\s+mean[t]?|no\s+wait|scratch\s+that|or\s+rather|i\s+mean[t]?|sorry\s+typo|sorry\s*,?\s*no|sorry|"
    r"nei\s+sorry|nei\s+unnskyld|nei\s+vent|nei\s+feil|eller\s+nei|unnskyld|nej\s+sorry|nej\s+forlat|"
    r"nej\s+vanta|nej\s+fel|eller\s+nej|forlat|nei|nej|nope(?=\s*,)|no(?=\s*,)|"
    r"no(?=\s+(?:(?:on\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\d)))\b\s*[,:-]?\s*"
    r"(?:(?:that'?s|thats)\s+(?:the\s+)?(?:wrong(?:\s+one)?|parent\s+company)\s*[,:-]?\s*|wrong\s+one\s*[,:-]?\s*)?"
    r"(?:(?:use|it'?s|its)\s+(?=[\w+]))?"
)  # ("…, no wait, that's the parent company, use 920 577 032", "…, no wait, wrong one, 994 319 892")
_CORRECTION_END = re.compile(r"\s*(?:[,;:.!?](?!\d)|\s-\s|$)")  # ("2,1 million": a decimal goes on)
_MEANT = re.compile(r"\s+(?:mener\s+jeg|menar\s+jag|menade\s+jag|i\s+mean[t]?)(?=\s*(?:[,;:.!?]|\s-\s|$))")
# The unit of a number a correction takes back ("60 procent", "150k"): a bare number said instead keeps it.
_UNIT_AFTER = re.compile(r"\d\s*(%|\s?prosent|\s?procent|\s?percent|k|\s?mill|\s?tkr)\s*$")
_FILLER_AFTER = re.compile(r"\s+(?:eller|or|el)\s.*$")
_NUMERIC_VALUE = re.compile(
    r"(?<![\w.,':-])(?:[€$£]\s*)?(?:\d{1,2}:\d{2}|\d{1,3}(?:[ .,']\d{3})+(?:[.,]\d+)?|\d[\d-]*(?:[.,]\d+)?)\s*(?:%|prosent|procent|percent|k|million|millioner|miljoner|m|mill|mnok|msek|tkr|kr|"
    r"nok|sek|eur|usd)?\s*$"
)
# Small words a taken-back name never runs past ("med fjordkraft, nei sorry, fjordnett AS": not "med").
_NAME_STOPS = frozenset(
    fold(w) for w in (
        "med", "with", "w", "w/", "m/", "hos", "at", "på", "for", "för", "til", "till", "i", "called", "named", "kunde",
        "kund", "kunden", "customer", "customers", "kunder", "opp", "upp", "etter", "efter", "om", "about", "to", "the",
        "a", "an", "en", "et", "ett", "den", "det", "dem", "them", "it", "de", "and", "og", "och", "heter", "navn",
        "namn", "search", "find", "søk", "sök", "finn", "hitta", "from", "fra", "från", "contact", "kontakt",
    )
)  # fmt: skip


_AFTER_NAME = frozenset({"on", "in", "by", "next", "this", "pa", "nesta", "neste", "kl", "at"})


# "to 450k, not 400k like I wrote yesterday", "email is a@b.no not a@bb.no": the value, then the one it replaces.
_NOT_THAT = re.compile(
    r"(?<=[\w%])\s*,?\s+(?:not|ikke|inte)\s+(?:[€$£]?\d[\d.,]*(?:\s?(?:k|m|mill|mnok|msek|%|nok|sek|kr|eur|prosent|procent"
    r"|percent))?|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)(?:\s+(?:like|som)\s+[^.,;!?]*)?(?=[\s.,;!?]|$)",
    re.IGNORECASE,
)


def _without_corrections(text: str, now: datetime) -> str:
    """The message with a taken-back value and the words that take it back left out: only the corrected value
    is meant. The value taken back is the one of the same kind (a number, a date, a stage, a name) just before."""
    if " not " in text or " ikke " in text or " inte " in text:
        text = _NOT_THAT.sub("", text)
    for _ in range(3):
        folded = fold(text)
        marker = _CORRECTION.search(folded)
        if marker is None:
            return text
        end = _CORRECTION_END.search(folded, marker.end())
        said = folded[marker.end() : end.start() if end is not None else len(folded)]
        said = _FILLER_AFTER.sub("", _MEANT.sub("", said)).strip()
        before = re.sub(
            r"\s+(?:now|na|nu)$", "", folded[: marker.start()]
        )  # ("at 1,2 million now, sorry typo")
        named = text[marker.end() : marker.end() + 1].isupper()
        start = _taken_back(before, said, now, named) if said and before.strip() else None
        if start is None:
            return text
        rest = text[marker.end() :]
        meant = _MEANT.search(fold(rest))
        if meant is not None and (end is None or meant.start() <= end.start() - marker.end()):
            rest = rest[: meant.start()] + rest[meant.end() :]
        if isinstance(start, tuple):  # "remind me tmrw to call X, no wait, thursday": the date said earlier
            (gone, gone_end), start = start
            text = text[:gone].rstrip() + " " + text[gone_end:].lstrip()
            shift = len(text) - len(folded)
            start += shift
        else:
            unit = _UNIT_AFTER.search(before.rstrip(" ,"))
            if unit is not None and re.fullmatch(
                r"\d+(?:[.,]\d+)?", said
            ):  # "60 procent, nej sorry 75": 75 %
                number = re.match(r"\s*\d+(?:[.,]\d+)?", rest)
                if number is not None:
                    rest = rest[: number.end()] + unit.group(1) + rest[number.end() :]
        kept = text[:start].rstrip()
        first = said.split()[0]
        if kept and fold(kept).split()[-1] == first:  # "senast fredag, eller nej, senast onsdag"
            kept = kept[: len(kept) - len(first)].rstrip()
        text = f"{kept} {rest.lstrip()}".strip()
    return text


# A time said alone as a correction ("…, actually make that 3pm", "…, I mean 11:30"): it replaces the earlier time.
_CLOCK_ALONE = re.compile(r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}")


def _taken_back(
    before: str, said: str, now: datetime, named: bool
) -> int | tuple[tuple[int, int], int] | None:
    """Where the value that `said` replaces starts at the end of `before` (folded), if there is one. A date said
    alone that replaces the one date said earlier in the message gives that date's span (and then where to cut)."""
    if (said[:1].isdigit() or said[:1] in "€$£") and not _CLOCK_ALONE.fullmatch(said):
        value = _NUMERIC_VALUE.search(before)
        return value.start() if value is not None and value.group(0).strip() else None
    if re.fullmatch(r"[«\"“][^«»\"“”]+[»\"”]", said):  # "med «snø» i navnet, nei vent, «sne»": the quoted one
        quoted = list(re.finditer(r"[«\"“][^«»\"“”]+[»\"”]", before))
        if quoted:
            return quoted[-1].start()
        return None
    alone = find_when(said, "en", now)
    when = find_when(before, "en", now) if alone is not None else None
    if alone is not None and alone.time_only and when is not None and not when.time_only and when.clock_span:
        # "mandag over neste kl 10, nei sorry, kl 11": only the time is taken back; the day stays
        return (when.clock_span.start, when.clock_span.end), len(before.rstrip())
    if alone is not None and (when is not None or not named):  # (a name said again may carry a date after it)
        if when is not None and before[when.spans[-1].end :].strip(" ,"):
            if (
                len(when.spans) == 1
                and not said.replace(said[alone.spans[0].start : alone.spans[0].end], "").strip()
            ):
                return (when.spans[0].start, when.spans[0].end), len(before.rstrip())
            return None
        if when is None:
            return None
        joined = all(
            not before[a.end : b.start].strip() for a, b in zip(when.spans, when.spans[1:], strict=False)
        )
        return when.spans[0].start if joined else when.spans[-1].start
    if entities.STAGE.match(said):
        stages = [m for m in entities.STAGE.finditer(before) if not before[m.end() :].strip(" ,")]
        return stages[-1].start() if stages else None
    words = said.split()
    count = next(  # a name said again ends at a small word ("…, no sorry, Solbakken Revisjon AS on friday")
        (i for i, word in enumerate(words) if i and (word in _NAME_STOPS or word in _AFTER_NAME)), len(words)
    )
    if count > 4 or words[0] in _NAME_STOPS:
        return None
    start = len(before.rstrip())
    for word in reversed(list(re.finditer(r"\S+", before))[-count:]):
        if word.group(0) in _NAME_STOPS or not word.group(0)[:1].isalnum():
            break
        start = word.start()
    if start >= len(before.rstrip()):
        return None
    # a name for a name: written as one ("Granvik Capital"), or the same name typed again ("heimdal" → "heimdall")
    lead = before[:start].split()[-1:]
    searched = len(words) == 1 and bool(lead) and lead[0] in _SEARCH_LEADS  # ("matching berg, sorry, bjerk")
    return start if named or searched or before[start : start + 3] == said[:3] else None


# Words that close an aside and turn to the request ("… took me an hour to get in. anyway, log a call …", "kaffemaskinen
# är trasig igen iaf: skapa …", "sitter på Heathrow nå men: oppgave …").
_TURN_TO_REQUEST = re.compile(
    r"(?<![^\s.,!?])(?:(?:anyway|anyways|anyhow|uansett|hur\s+som\s+helst|iaf|i\s+alla\s+fall|i\s+hvert\s+fall|"
    r"ihvertfall)\s*[:,]|(?:men|but)\s*:|(?:anyway|anyways|uansett|hur\s+som\s+helst)(?=\s+\w))\s*"
)  # ("just back from the dentist 🦷 anyway book a mtg …": a bare "anyway" turns to the request too)
# A remark after the request that starts a new subject (". forresten, noen som vet …", ". btw, anyone seen …").
_BY_THE_WAY = re.compile(r"(?<=[.!?])\s+(?:btw|by\s+the\s+way|forresten|forovrig|apropa|oh\s+and)\b")
_SENTENCE_END = re.compile(r"(?<=[.!])\s+(?=\S)")
# Labels that make a sentence a request to the CRM (a sentence without any is an aside).
_REQUEST_LABELS = frozenset({
    "CREATE", "CUSTOMER", "CONTACT", "AS_CONTACT", "SHOW", "FIND", "LOOKUP", "LOG", "CALL", "MEETING", "EMAIL",
    "NOTE", "SCHEDULE", "TASK", "KPI", "PIPELINE", "DEAL", "UPDATE", "HELP", "CANCEL", "HOWTO", "SALES_FIELD",
    "NEW_ROLE", "PAST",
})  # fmt: skip
# A request that points back to who the aside named ("… med 3M Svenska, … vi tar ett möte med dem"): keep the aside.
_POINTS_BACK = re.compile(
    r"\b(?:med|with|w/?|hos|til|till|to|at|pa|ringe|ringa|ring|call|mail|mejla|maile|email)\s+(?:dem|them|him|her|ham|"
    r"henne|honom|dom)\b"
    r"|\b(?:log|logg|logga|logge)\s+(?:it|that|this|det|dette|detta)\s+(?:as|som)\b"
)  # ("Spent an hour with X … Pls log it as a meeting": what happened is the story before the request)


# A request that names its own customer: a preposition or a colon, then a capitalised name ("… med Revontuli Design
# Oy", "ny opp: Vestby Logistikk").
_OWN_NAME = re.compile(
    r"(?:\b(?:med|with|w/|hos|at|på|for|för|til|till)|:)\s+(?!(?:I|Jeg|Jag|We|Vi|They|De|Dem|Them)\b)[A-ZÆØÅÄÖ][\w&.-]*"
)


_OWN_NAME_AFTER_WORD = re.compile(
    r"\b(?:med|with|w/|hos|at|på|for|för|til|till)\s+(?!(?:I|Jeg|Jag|We|Vi|They|De|Dem|Them)\b)[A-ZÆØÅÄÖ][\w&.-]*"
)


def _labels(text: str, language: str) -> frozenset[str]:
    words = _read_words(language, fold(text), text)
    return frozenset().union(*(w.labels for w in words))


def _requests(text: str, language: str) -> bool:
    return bool(_labels(text, language) & _REQUEST_LABELS)


def _without_asides(text: str, language: str) -> str:
    """The message without a sentence around the request that asks nothing of the CRM: an off-topic remark before
    it (unless the request points back to someone it names) or one after it that starts with "also"/"forresten"."""
    folded = fold(text)
    turn = next(reversed(list(_TURN_TO_REQUEST.finditer(folded))), None)  # (the last turn)
    if turn is not None and turn.start() > 0 and _requests(text[turn.end() :], language):
        if not _POINTS_BACK.search(folded, turn.end()):
            text, folded = text[turn.end() :], folded[turn.end() :]
    aside = _BY_THE_WAY.search(folded)
    if (
        aside is not None
        and aside.start() > 0
        and (folded.rstrip().endswith("?") or not _requests(text[aside.start() :], language))
    ):  # ("… gikk til en konkurrent. forresten, noen som vet om kantina er åpen i morgen?")
        text, folded = text[: aside.start()], folded[: aside.start()]
    ends = [m.end() for m in _SENTENCE_END.finditer(folded)]
    if ends and not _POINTS_BACK.search(folded, ends[0]):
        # ("sitting on the train to Heathrow, wifi is awful. book a meeting …", "happy monday all! we signed …")
        said = _labels(text[: ends[0]], language)
        remark = bool(said & {"OFFTOPIC", "SMALL_TALK"}) or _OWN_NAME.search(text, ends[0]) is not None
        quiet = (
            not said
            and len(text[: ends[0]].split()) >= 4
            and not any(m.group(0)[:1].isupper() for m in re.finditer(r"(?<=\s)\w+", text[: ends[0]]))
            and any(m.group(0)[:1].isupper() for m in re.finditer(r"(?<=\s)\w+", text[ends[0] :]))
        )  # ("sorry for the radio silence, been at a conference all week. create deal Moss …": nothing named)
        if (remark or quiet) and not said & _REQUEST_LABELS and _requests(text[ends[0] :], language):
            # ("sitter i Helsingfors denne uka. sett opp et møte med Revontuli Design Oy …": the request names its own)
            text = text[ends[0] :]
        elif (
            not said & _ASKING_LABELS
            and _OWN_NAME_AFTER_WORD.search(text, ends[0]) is not None
            and _labels(text[ends[0] :], language) & {"DEAL", "CREATE", "SCHEDULE"}
            and not _labels(text[ends[0] :], language) & {"LOG", "NOTE", "CALL", "EMAIL"}
        ):  # ("that workshop in Stavanger was long but worth it! new opp with Ølberg Energi: …": a story, then
            # a request that names its own customer)
            text = text[ends[0] :]
    colon = re.search(r"(?<=\w):\s", text)
    if colon is not None:
        head = fold(text[: colon.start()])
        if (
            (_ABOUT_ME if language == "en" else _ABOUT_ME_NORDIC).search(head)
            and not _labels(text[: colon.start()], language) & _REQUEST_LABELS
            and _requests(text[colon.end() :], language)
        ):  # ("quick one before i head out: had lunch with …": the writer's lead-in, then the request)
            text = text[colon.end() :]
    ends = [m.end() for m in _SENTENCE_END.finditer(fold(text))]
    if ends:
        tail = fold(text[ends[-1] :])
        if (
            (_ABOUT_ME if language == "en" else _ABOUT_ME_NORDIC).search(tail)
            and not _labels(text[ends[-1] :], language) & _REQUEST_LABELS
            and _labels(text[: ends[-1]], language) & {"TASK", "SCHEDULE", "DEAL", "UPDATE"}
            and not any(ch.isdigit() for ch in tail)
        ):  # ("påminn mig … senast fredag. sen är jag ledig hela nästa vecka": the writer's own news, after it)
            text = text[: ends[-1]].rstrip()
        elif (
            _ABOUT_THEM.match(tail)
            and not _labels(text[ends[-1] :], language) & _REQUEST_LABELS
            and _labels(text[: ends[-1]], language) & {"SCHEDULE", "MEETING", "TASK"}
            and not any(ch.isdigit() for ch in tail)
        ):  # ("book a meeting with X tomorrow at 15 about …. Their office is in Espoo, not Helsinki.": a remark)
            text = text[: ends[-1]].rstrip()
    return text


# A closing remark about the people or company met ("Their office is in Espoo", "Hans kontor ligger i Bergen").
_ABOUT_THEM = re.compile(
    r"(?:their|his|her|its|deres|hans|hennes|dess|deras)\s+[^\W\d_]+\s+(?:is|are|was|were|er|var|ligger|är|låg)\b"
)


_ABOUT_ME = re.compile(r"\b(?:i|i'm|im|i've|i'll)\b")
_ABOUT_ME_NORDIC = re.compile(r"\b(?:jeg|jag)\b")


# Labels of a request's own verb or object (a sentence with none of them asks nothing, even if it tells of a meeting).
_ASKING_LABELS = frozenset({
    "CREATE", "CUSTOMER", "CONTACT", "AS_CONTACT", "SHOW", "FIND", "LOOKUP", "LOG", "SCHEDULE", "TASK", "KPI",
    "PIPELINE", "DEAL", "UPDATE", "HELP", "CANCEL", "HOWTO", "SALES_FIELD", "NEW_ROLE", "CALL", "EMAIL", "NOTE",
})  # fmt: skip


# Words that are not names when a phone or a writer capitalises every word ("Add Contact Heinrich Müller At
# Rheinwerk Norge", "Finn Kunder Som Begynner På Vik"): the cue words and the small words of the three languages.
_FUNCTION_WORDS = frozenset(fold(w) for w in (
    "a", "an", "the", "to", "for", "of", "on", "in", "at", "with", "about", "and", "or", "me", "my", "i", "we", "us",
    "named", "called", "from", "by", "next", "this", "that", "it", "is", "are", "do", "can", "you", "please", "new",
    "en", "et", "ei", "ett", "den", "det", "til", "till", "på", "i", "med", "hos", "om", "og", "och", "meg", "mig",
    "jeg", "jag", "vi", "oss", "du", "deg", "dig", "som", "å", "att", "for", "för", "fra", "från", "av", "ny", "nytt",
    "nya", "nye", "neste", "nästa", "denne", "detta", "kan", "har", "er", "är", "starter", "begynner", "börjar",
    "heter", "innen", "senast", "inn", "in", "opp", "upp", "vis", "visa", "show", "add", "legg", "lägg",
))  # fmt: skip
_CUE_WORDS = (
    frozenset(fold(p) for phrases in CUES.values() for p in phrases if " " not in p and p.isalpha())
    | CUSTOMER_PREPOSITIONS
    | WORKPLACE_PREPOSITIONS
)
# Words that ask for a customer ("Legg Til Ny Kunde X AS"): never part of the name they ask for.
_REQUEST_WORDS = _FUNCTION_WORDS | frozenset(
    fold(p)
    for label in ("CREATE", "CUSTOMER", "SHOW", "FIND", "CONTACT")
    for p in CUES[label]
    if " " not in p and p.isalpha()
)
_TITLE_WORD = re.compile(r"(?<![\w'&.-])([A-ZÆØÅÄÖÉ])([a-zæøåäöéü]+)(?![\w'&-])")


def _title_case_lowered(text: str, language: str) -> str:
    """In a message with every word capitalised, the cue and small words in lower case (same length); a company
    name that ends in a legal form keeps its words ("Vis Task Force Consulting AS")."""
    words = re.findall(r"[^\W\d_][\w'&.-]*", text)
    if len(words) < 4 or text.isupper() or sum(w[0].isupper() for w in words) < 0.75 * len(words):
        return text
    lowerable = [m for m in _TITLE_WORD.finditer(text) if fold(m.group(0)) in _FUNCTION_WORDS | _CUE_WORDS]
    if len(lowerable) < 2:
        return text
    parsed = _message_words(fold(text), text, language)
    named = [(parsed[first].start, form.end) for first, form in _legal_spans(parsed, language)]
    for m in lowerable:
        if fold(m.group(0)) not in _REQUEST_WORDS and any(start <= m.start() < end for start, end in named):
            continue
        if fold(m.group(0)) not in FIRST_NAMES:
            text = text[: m.start()] + m.group(1).lower() + text[m.start() + 1 :]
    return text


# Words around a changed figure that name no deal ("MRR går fra 12k til 18k", "ARR uppe i 480k", "up to 45k after …").
_NO_DEAL_WORDS = (
    _FUNCTION_WORDS
    | CUSTOMER_PREPOSITIONS
    | FILLERS
    | frozenset(fold(w) for w in ("up", "down", "after", "går", "uppe", "oppe", "nede", "nere", "now", "nå", "nu",
                                  "is", "er", "är", "ligger", "står", "increased", "økt", "ökat", "pris", "prisen", "priset", "price", "budget",
                                  "budsjett", "range", "around", "roughly"))
)  # fmt: skip
_TEXT_SLOTS = frozenset({"customer", "contact_name", "title", "subject"})


def _as_written(value: Any, lowered: str, written: str) -> Any:
    """A slot cut from the lowered message, with the casing it was written in."""
    if not isinstance(value, str) or not value:
        return value
    at = lowered.find(value)
    return written[at : at + len(value)] if at >= 0 else value


_GLUED_SMALL = frozenset({"it", "det", "that", "do", "does", "can", "kan", "jeg", "jag"})
# The first two words of a phrase asking for help or taking a request back, typed as one ("forgetit", "howdo i").
_GLUED_PHRASES = {
    fold(first + second): f"{first} {second}"
    for label in ("CANCEL", "HELP", "HOWTO")
    for phrase in CUES.get(label, ())
    if len(phrase.split()) >= 2
    for first, second in [phrase.split()[:2]]
    if first.isalpha()
    and len(first) >= 3 + (second == "det")
    and fold(second) in _GLUED_SMALL
    and fold(first + second) not in _KEY_WORDS
}
_GLUED_PHRASE = re.compile(
    r"(?<![\w'-])("
    + "|".join(sorted(map(re.escape, _GLUED_PHRASES), key=len, reverse=True))
    + r")(?![\w'-])",
    re.IGNORECASE,
)


def _unglued(text: str) -> str:
    """The message with glued small words spaced off a key word ("hadameeting" -> "had a meeting")."""

    def spaced(m: re.Match[str]) -> str:
        before, key, after = m.group(1), m.group(2), m.group(3)
        if not (before or after) or fold(m.group(0)) in _KEY_WORDS or fold(key) not in _KEY_WORDS:
            return m.group(0)
        if before and fold(before) in ("hada",):
            before = before[:-1] + " " + before[-1]
        return " ".join(part for part in (before, key, after) if part)

    if len(text) >= 2000:
        return text
    text = _GLUED_PHRASE.sub(lambda m: _GLUED_PHRASES.get(fold(m.group(1)), m.group(1)), text)
    return _GLUED.sub(spaced, text)


def _fuller_customer(slots: dict[str, Any], words: list[Word]) -> None:
    """A customer named twice, once in short ("the Nordhavn guys …, mark Nordhavn Shipping as won"): the full
    name, the short one followed by capitalised words of its own."""
    name = slots.get("customer")
    if not isinstance(name, str) or not name[:1].isupper() or len(name.split()) > 2:
        return
    parts = name.split()
    longer: list[tuple[int, int]] = []
    for w in words:
        if w.text != parts[0] or w.i + len(parts) > len(words):
            continue
        if [x.text for x in words[w.i : w.i + len(parts)]] != parts:
            continue
        k = w.i + len(parts)
        while (
            k < len(words)
            and not words[k].boundary
            and not words[k].labels
            and words[k].text[:1].isupper()
            and words[k].text.isalpha()
            and words[k].low not in FIRST_NAMES
        ):
            k += 1
        longer.append((k - w.i - len(parts), w.i))
    extra = [n for n, _ in longer]
    if len(longer) >= 2 and 0 in extra and max(extra) > 0:
        n, at = max(longer)
        full = _span_text(words, words[at], words[at + len(parts) + n - 1])
        if full not in (slots.get("subject"), slots.get("contact_name")):
            slots["customer"] = full


_REQUEST_VERBS_WORDS = frozenset(
    {
        "log",
        "logg",
        "logga",
        "book",
        "boka",
        "add",
        "save",
        "register",
        "schedule",
        "put",
        "record",
        "note",
        "legg",
        "legge",
        "lagg",
        "lagga",
        "lagre",
        "spar",
        "spara",
        "registrer",
        "registrera",
        "noter",
        "notera",
        "booke",
        "booka",
    }
)
_REQUEST_FRAME = _REQUEST_VERBS_WORDS | frozenset({
    "it", "that", "this", "them", "down", "in", "pls", "please", "plz", "thanks", "thx", "ty", "can", "you", "u",
    "could", "would", "as", "a", "an", "the", "meeting", "call", "email", "calendar", "diary", "for", "me", "too",
    "also", "takk", "tack", "det", "den", "inn", "kan", "du",
})  # fmt: skip


def _only_the_request(said: str) -> bool:
    """ "pls book it", "can you log that as a call": a request written where a topic would be."""
    tokens = re.findall(r"[a-z]+", fold(said))
    return (
        bool(tokens)
        and all(t in _REQUEST_FRAME for t in tokens)
        and any(t in _REQUEST_VERBS_WORDS for t in tokens)
    )


_PROJECT_WORDS = frozenset({"project", "prosjekt", "projekt", "prosjektet", "projektet"})
_LEADING_QUOTE = re.compile(r"\s*>\s*([^\n]+)\n")  # a pasted line quoted first, then the request
_BEFORE = frozenset({"before", "før", "innan", "före"})


_BARE_WEEKDAY = re.compile(
    r"(?:on\s+|pa\s+)?(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|mandag|tirsdag|onsdag|torsdag|fredag|lordag|sondag|mandag|tisdag|mandagen|fredagen)\.?"
)


def _bare_weekday_ahead(folded: str, when: WhenResult, now: datetime) -> bool:
    """A log's date written as a weekday alone ("on thursday"), which resolved to the days ahead."""
    if not now < when.value <= now + timedelta(days=7) or len(when.spans) != 1:
        return False
    span = when.spans[0]
    return _BARE_WEEKDAY.fullmatch(folded[span.start : span.end].strip()) is not None


def _same_clock(value: datetime, day: date) -> datetime:
    """`value`'s clock time on another day, with that day's offset (summer time)."""
    moved = datetime.combine(day, value.timetz().replace(tzinfo=None))
    zone = value.tzinfo
    return moved.replace(tzinfo=zone)


def _without_before_clause(words: list[Word]) -> list[Word]:
    """ "check 920.346.820 in the register before I add them", "før møtet i morgen: vis meg Acme AS": what is to
    happen first is the request; the cues of the clause after "before" only set the scene."""
    opener = next((w for w in words if w.text.lower() in _BEFORE and w.cue is None), None)
    if opener is None:
        return words
    end = next((w.i for w in words[opener.i + 1 :] if w.boundary and BLANK not in w.low), len(words))
    clause = range(opener.i, end)
    if not any(w.labels for w in words if w.i not in clause):
        return words
    return [replace(w, cue=None, labels=frozenset()) if w.i in clause else w for w in words]


def _said_later(words: list[Word], when: WhenResult) -> bool:
    """Whether the date is inside a comment that starts with who said it ("…, han ringer tilbake neste uke")."""
    said = next(
        (w.start for w in words if w.low in _CLAUSE_SUBJECTS and w.i > 0 and words[w.i - 1].boundary), None
    )
    return said is not None and when.spans[0].start > said


@lru_cache(maxsize=64)
def _words_of(language: str, text: str, original: str) -> tuple[Word, ...]:
    return tuple(_words(pipeline(language)(split_compounds(text)), original))


def _read_words(language: str, text: str, original: str) -> list[Word]:
    """The words of a (folded, partly blanked) text with their cues. One message is read several times over
    (and once more for the slot tagger): the last few readings are kept. No rule changes a word once read."""
    return list(_words_of(language, text, original))


def _message_words(text: str, original: str, language: str) -> list[Word]:
    """The words of the message (its shaped slots blanked), without a date that heads it ("by friday: …")."""
    return _without_signature(
        _without_date_header(
            _colleague_uncued(_company_names_uncued(_read_words(language, text, original), language))
        )
    )


_CLOSINGS = frozenset(fold(w) for w in (
    "thx", "thanks", "ty", "cheers", "regards", "br", "takk", "tack", "mvh", "hilsen", "hälsningar",
))  # fmt: skip


def _without_signature(words: list[Word]) -> list[Word]:
    """ "…, can u log it? thx, Marte": the writer's name after a closing thanks ends the message and fills no
    slot (it is read as a boundary)."""
    content = [w for w in words if not w.boundary]
    if len(content) < 4:
        return words
    name = content[-2:] if content[-3].low in _CLOSINGS else content[-1:]
    k = name[0].i - 1
    while k >= 0 and words[k].boundary and words[k].text in {",", "/", "-", "–", "—"}:
        k -= 1
    if (
        k <= 0
        or words[k].low not in _CLOSINGS
        or not words[k - 1].boundary
        or name[0].i - k != 2  # (a comma between: "thx, Marte", not "thanks Acme")
        or not all(w.text.isalpha() and w.text[:1].isupper() and not w.text.isupper() for w in name)
        or any(w.cue for w in name)
    ):
        return words
    return [replace(w, boundary=True) if w in name else w for w in words]


# What a colleague did, says or wants ("Henrik met …", "Tormod ringte …", "Sara säger att …", "Tuva wants …").
_COLLEAGUE_VERBS = frozenset(fold(w) for w in (
    "met", "called", "rang", "phoned", "emailed", "mailed", "visited", "spoke", "talked", "had", "says", "said", "was",
    "var",
    "wants", "asked", "told", "got", "sent", "needs",
    "traff", "møtte", "ringte", "hadde", "snakket", "snakka", "pratet", "mailet", "sendte", "besøkte", "sier", "sa",
    "vil", "ville", "ba", "spurte", "fikk", "skal", "mener",
    "träffade", "ringde", "hade", "pratade", "talade", "mejlade", "skickade", "besökte", "säger", "vill", "bad",
    "frågade", "fick", "ska", "tycker",
))  # fmt: skip
_CALLED_BACK = frozenset(
    fold(w) for w in ("from", "fra", "från", "back", "tilbake", "tillbaka", "oss", "us", "me", "meg", "mig")
)
_FROM_TEAM = frozenset(fold(w) for w in ("from", "fra", "från", "in", "i", "on", "pa"))


def _colleague_uncued(words: list[Word]) -> list[Word]:
    """ "Henrik met Solberg Maskin AS last friday, can you log it?", "Line from finance wants us to send …": a
    colleague who did, reports or asks for something opens the message; they fill no slot."""
    opener = _after_aside(words)
    if opener:  # "ugh totally forgot, Camilla from marketing wants us to …": after a short lower-case aside
        rest = _colleague_uncued([replace(w, i=w.i - opener) for w in words[opener:]])
        if rest[0].boundary:
            return [replace(w, boundary=True, cue=None, labels=frozenset()) for w in words[:opener]] + [
                replace(w, i=w.i + opener) for w in rest
            ]
        return words
    if len(words) < 3 or not words[0].text[:1].isupper() or words[0].low not in FIRST_NAMES or words[0].cue:
        return words
    verb = 1
    if words[1].low in _FROM_TEAM and words[2].text.islower() and not words[2].boundary and len(words) > 3:
        verb = 3  # ("Line from finance wants …": a team, not a company)
    if words[verb].low in _ADVERBS and verb + 1 < len(words):
        verb += 1  # "Henrik just met …", "Tormod har nettopp ringt …"
    said = words[verb]
    if not said.text.islower() or said.low not in _COLLEAGUE_VERBS:
        return words
    after = words[verb + 1] if verb + 1 < len(words) else None
    if after is None or after.boundary or after.low in _CALLED_BACK and said.low not in _REPORT_VERBS:
        return words  # "Kari ringte fra Acme", "Emily called, …": someone calling us
    framing = set(range(verb))  # the colleague (and their team)
    if said.low in _REPORT_VERBS:  # "Sara says …", "Jonas vil at vi …", "Line … wants us to …": framing too
        framing.add(verb)
        k = verb + 1
        while k < len(words) and words[k].low in _REPORT_LINKS:
            framing.add(k)
            k += 1
    return [replace(w, boundary=True, cue=None, labels=frozenset()) if w.i in framing else w for w in words]


def _after_aside(words: list[Word]) -> int:
    """Where a message goes on after a short lower-case aside and its comma ("ugh totally forgot, …"), or 0."""
    for k, w in enumerate(words[:5]):
        if w.boundary:
            return k + 1 if w.text == "," and k >= 1 and k + 3 < len(words) else 0
        if not w.text.isalpha() or not w.text.islower() or w.cue and w.cue != "POLITE":
            return 0
    return 0


_ADVERBS = frozenset(
    fold(w) for w in ("just", "also", "already", "også", "också", "nettopp", "precis", "allerede", "redan")
)
_REPORT_VERBS = frozenset(fold(w) for w in (
    "says", "said", "told", "wants", "asked", "thinks", "sier", "sa", "mener", "vil", "ville", "ba", "spurte",
    "synes", "säger", "tycker", "vill", "bad", "frågade",
))  # fmt: skip
_REPORT_LINKS = frozenset(
    fold(w)
    for w in ("that", "at", "att", "us", "me", "oss", "meg", "mig", "vi", "we", "du", "you", "to", "å")
)


_THIRD_PERSONS = frozenset({"they", "he", "she", "it", "de", "dom", "han", "hun", "hon", "kunden", "dei"})


def _others_needs_uncued(words: list[Word]) -> list[Word]:
    """ "they need to go in the crm": what someone else needs is not a reminder for the writer."""
    freed: set[int] = set()
    for w in words:
        if w.cue == "TASK" and w.i > 0 and (words[w.i - 1].low in _THIRD_PERSONS or w.i - 1 in freed):
            freed.add(w.i)  # (and the rest of the phrase: "need to")
    if not freed:
        return words
    return [_without_label(w, "TASK") if w.i in freed else w for w in words]


def _without_label(w: Word, label: str) -> Word:
    labels = w.labels - {label}
    return replace(w, cue=min(labels) if labels else None, labels=labels)


def _without_date_header(words: list[Word]) -> list[Word]:
    """ "by friday: send the SOW to Kvarts Digital", "yesterday: call w Ingrid …": a date (and its deadline
    word) before a colon only says when; the message is what follows it, numbered from 0."""
    colon = next((w.i for w in words[:6] if w.low == ":" or w.boundary and w.low in _DASHES), None)
    if colon is None or colon == 0 or colon + 1 == len(words):
        return words
    head = words[:colon]
    ticket = any(_TICKET.fullmatch(w.text) for w in head) and all(
        _TICKET.fullmatch(w.text) or w.low in _TICKET_WORDS for w in head
    )  # "CRM-311: …", "ref SAK-4471: …": which ticket, then the message
    if not ticket and (
        not any(BLANK in w.low for w in head)
        or not all(BLANK in w.low or w.low in _DEADLINE_WORDS for w in head)
    ):
        return words
    return [replace(w, i=n) for n, w in enumerate(words[colon + 1 :])]


_DASHES = frozenset({"-", "–", "—"})
_TICKET_WORDS = frozenset(
    fold(w) for w in ("ref", "re", "ticket", "sak", "case", "ärende", "issue", "saksnr")
)


def _extract(
    folded: str,
    language: str,
    now: datetime,
    keep: WhenResult | None = None,
    ahead: bool = False,
    muted: int = 0,
    written: str = "",
) -> tuple[entities.Extraction, WhenResult | None]:
    """The slots with a shape of their own, each blanked out of the text once found. A date in `keep` stays
    text (another date of the message, if any, is the when: one in the past, or with `ahead` one to come)."""
    ex = entities.Extraction(folded, written=written)
    entities.find_emails(ex)
    entities.find_org_numbers(ex)
    entities.find_phones(ex, language)
    probe = "#" * muted + ex.text[muted:]
    for span in keep.spans if keep is not None else ():
        if keep is not None and span == keep.clock_span and _far_from_day(keep, folded):
            continue  # ("… yesterday, … book a meeting with her on december 3 at 13:30": the time is the later day's)
        probe = probe[: span.start] + "#" * (span.end - span.start) + probe[span.end :]
    for quoted in _DEAL_QUOTED.finditer(folded):
        # 'logga mejl till X: "skickar avtalsutkastet senast fredag"': a date inside a quoted line is what was
        # said, not when (a quote that is the whole message still gives its date)
        if len(quoted.group(1).split()) >= 3 and folded[: quoted.start()].strip(" :,-"):
            probe = probe[: quoted.start()] + "#" * (quoted.end() - quoted.start()) + probe[quoted.end() :]
    when = find_when(probe, language, now)
    if when is not None and keep is not None and (when.value <= now if ahead else when.value > now):
        when = None  # (only a date of what happened, or with `ahead` of what is to come)
    if when is not None:
        for span in when.spans:
            ex.text = blank_out(ex.text, span.start, span.end)
            ex.spans.append((span.start, span.end, "when"))
        ex.slots["when"] = when.value.isoformat()
    entities.find_probability(ex)
    entities.find_amount(ex, language, bare_numbers=False)
    return ex, when


def _far_from_day(when: WhenResult, folded: str) -> bool:
    """Whether the time of day of `when` was written away from its day, with other words between them."""
    clock = when.clock_span
    days = [span for span in when.spans if span != clock]
    if clock is None or not days:
        return False
    gaps = [
        folded[d.end : clock.start] if d.end <= clock.start else folded[clock.end : d.start] for d in days
    ]
    return all(len(re.findall(r"[^\W\d_]+", gap)) > 3 for gap in gaps)


# Words that make a date in a sales message its expected close date ("forventet signert 15.12", "close by week
# 51", "flytt … til 15.01.2027").
_CLOSE_WORDS = frozenset(fold(w) for w in (
    "close", "closing", "closes", "closed", "lukket", "lukkes", "lukke", "lukking", "lukkedato", "signert", "signering",
    "signeres", "signed", "avslut", "avslutas", "avslutet", "stangs", "stangning", "stangningsdatum", "stangt",
    "forventet", "forventes", "beraknat", "beraknad", "expected", "due", "til", "till", "to", "by", "innen", "senast",
    "deadline", "klart", "ferdig", "decision", "beslut", "beslutning", "date", "dato", "datum", "stangas",
    "stanga", "avslutas", "lukkast", "vantas", "ventes", "signing", "sign", "stanger", "stenger", "closes",
    "beregnet", "avslutning", "avslutningsdato", "signera", "signere", "signeras", "signas",
    "flyttet", "flyttes", "flyttas", "flyttat", "flyttad", "moved", "pushed", "slipped", "utsatt", "skjøvet",
))  # fmt: skip


_CLOSING = frozenset(fold(w) for w in (
    "close", "closes", "closing", "lukkes", "lukke", "signeres", "signere", "avslutas", "stängs", "stängas", "signas",
))  # fmt: skip


_TODAY_WORDS = re.compile(r"today|i\s*dag|this\s+morning|i\s*formiddag|i\s*formiddags|i\s*morges|i\s*morse")


def _close_date(folded: str, ex: entities.Extraction) -> bool:
    span = next(((start, end) for start, end, slot in ex.spans if slot == "when"), None)
    if span is None:
        return True
    if _TODAY_WORDS.fullmatch(folded[span[0] : span[1]]):
        return False  # "signed this morning", "signert i dag": when it happened, not when it will close
    before = re.findall(r"[a-z]+", folded[max(0, span[0] - 40) : span[0]])[-4:]
    return any(word in _CLOSE_WORDS for word in before)


def _later_close_date(ex: entities.Extraction, folded: str, language: str, now: datetime) -> None:
    """ "… innkjøpssjefen i dag …, så kan du flytte forventet signering til 15.01.2027": when the first date is
    not the expected close, a later one the message gives it to is."""
    if "when" not in ex.slots or _close_date(folded, ex):
        return
    later = find_when(ex.text, language, now)  # (the first date is blanked out of ex.text already)
    if later is None:
        return
    spans = [(span.start, span.end, "when") for span in later.spans]
    probe = entities.Extraction(ex.text, spans=spans)
    if not _close_date(folded, probe):
        return
    ex.spans = [span for span in ex.spans if span[2] != "when"] + spans
    for span in later.spans:
        ex.text = blank_out(ex.text, span.start, span.end)
    ex.slots["when"] = later.value.isoformat()


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
    original = _unglued(clean(text))
    folded = fold(original)
    ex, _ = _extract(folded, lang, now or datetime.now(ZoneInfo(DEFAULT_TZ)), written=original)
    return _placeholders(folded, ex)


def _words(doc: Doc, original: str) -> list[Word]:
    cue_of: dict[int, str] = {}
    labels_of: dict[int, set[str]] = {}
    for span in doc.spans["cues"]:
        if span.label_ in _KIND_LABELS and _modifier(doc, span.end - 1, original):
            continue  # "the missing call-off", "møte-rommet": the first half of a compound is not the activity
        if span.label_ == "SALES_FIELD" and span.end < len(doc) and _small_number(doc[span.end].text):
            continue  # "E-handel fas 2", "phase 2": a numbered part of a name, not the stage field
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
        spaced = low in {"-", "/"} and original[start - 1 : start] == " " and original[end : end + 1] == " "
        symbol = not any(ch.isalnum() for ch in low) and low not in _NAME_JOINERS  # "→", "•", "|"
        # a full stop after a word ends the sentence ("Revisjon. Vi"), not after an abbreviation ("Co.")
        full_stop = low == "." and original[end : end + 1] == " " and _ends_word(doc, token.i)
        boundary = blanked or spaced or symbol or full_stop or (token.is_punct and low not in _NAME_JOINERS)
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
    for w in words[1:]:
        prev = words[w.i - 1]
        if (
            w.cue == "CREATE"
            and len(w.labels) > 1
            and (prev.low in _DETERMINERS or prev.i > 0 and prev.text.istitle() and w.text.islower())
        ):  # ("verify in the Brønnøysund register": a named register)
            # "check the register", "according to the register": a noun after its article, not the verb
            w.labels = w.labels - {"CREATE"}
            w.cue = min(w.labels)
        elif (
            w.cue == "CREATE"
            and w.low in {"new", "ny", "nytt", "nye", "nya"}
            and w.i + 1 < len(words)
            and words[w.i + 1].labels & {"SALES_FIELD"}
            and not words[w.i + 1].labels & {"DEAL", "CREATE"}
        ):  # "new close date 31/1", "nytt beräknat avslut": a changed value, not something created
            w.labels = (w.labels - {"CREATE"}) | {"UPDATE"}
            w.cue = min(w.labels)
        elif "DEAL" in w.labels and words[w.i - 1].low in _SAME:
            # "samma sak för X, lägg upp dem som ny kund": the same thing again, not a deal
            w.labels = w.labels - {"DEAL"}
            w.cue = min(w.labels) if w.labels else None
            w.boundary = True  # (and no name either)
        elif (
            w.labels == {"UPDATE"}
            and prev.low in _DETERMINERS
            and w.low.endswith("ed")
            and w.i + 1 < len(words)
            and words[w.i + 1].text.isalpha()
            and not words[w.i + 1].labels & {"UPDATE"}
        ):  # "re the revised offer", "the updated price list": a changed thing, not a change asked for
            w.labels = frozenset()
            w.cue = None
        elif w.cue in ("SCHEDULE", "TASK") and _in_noun_phrase(words, w):
            # "we went through the Q1 staffing plan", "send X a payment reminder": a noun of the comment or the
            # to-do, not a request to book or a reminder's trigger
            w.labels = w.labels - {w.cue}
            w.cue = min(w.labels) if w.labels else None
    return words


def _in_noun_phrase(words: list[Word], w: Word) -> bool:
    """A one-word cue at the end of "the/a/our (one or two words) <cue>", the last word not a cue of its own."""
    if w.i + 1 < len(words) and words[w.i + 1].cue == w.cue:
        return False
    between = words[max(0, w.i - 3) : w.i]
    for k in range(len(between) - 1, -1, -1):
        x = between[k]
        if x.low in _DETERMINERS:
            return (
                k < len(between) - 1
            )  # (at least one word between: "the plan" may still be a verb's object)
        if x.boundary or x.cue is not None or x.low in FILLERS:
            return False
    return False


def _introduces_self(words: list[Word], segment: Segment) -> bool:
    """ "ja hej det är Jonas, …", "hi, this is Kari": the writer saying who they are, not a contact."""
    k = segment.words[0].i
    return 2 <= k <= 5 and (words[k - 2].low, words[k - 1].low) in {
        ("det", "ar"),
        ("det", "er"),
        ("this", "is"),
    }


def _signs_off(words: list[Word], segment: Segment) -> bool:
    """ "… Tack /Eva", "… takk, Kari": the writer's name after a closing thanks, at the very end."""
    k = segment.words[0].i - 1
    while k >= 0 and words[k].boundary:
        k -= 1
    last = max((w.i for w in words if not w.boundary), default=-1)
    return k >= 0 and "POLITE" in words[k].labels and segment.words[-1].i == last and len(segment.words) <= 2


_DEMONSTRATIVES = frozenset(fold(w) for w in ("det", "dette", "detta", "this", "that", "den"))
_SAME = frozenset(fold(w) for w in ("samma", "samme", "same", "likadan", "likadant", "tilsvarende"))
_DETERMINERS = frozenset({"the", "a", "an", "our", "their"})


def _small_number(text: str) -> bool:
    """ "2" in "fas 2": the number of a part, not a sum."""
    return text.isdigit() and len(text) <= 2


_KIND_LABELS = frozenset({"CALL", "MEETING", "EMAIL", "NOTE"})


def _modifier(doc: Doc, k: int, original: str) -> bool:
    """Whether token k is the first half of a hyphenated compound ("call" in "call-off")."""
    end = doc[k].idx + len(doc[k].text)
    return original[end : end + 1] == "-" and original[end + 1 : end + 2].isalpha() and doc[k].text.isalpha()


def _ends_word(doc: Doc, k: int) -> bool:
    """Whether the token before a full stop is a word, not an abbreviation ("Revisjon." but not "Co.", "St.")."""
    return k > 0 and len(doc[k - 1].text) > 3 and doc[k - 1].text.isalpha()


# "could you", "kan du", "skulle du kunna": a request, and what comes before it is often only the story.
_REQUEST_OPENERS = frozenset({("could", "you"), ("can", "you"), ("can", "u"), ("would", "you"), ("will", "you"),
                              ("kan", "du"), ("kunne", "du"), ("kan", "dere"), ("kan", "ni"), ("skulle", "du"),
                              ("kunde", "du"), ("vil", "du"), ("vill", "du"), ("can", "someone"),
                              ("can", "somebody"), ("could", "someone"), ("could", "somebody"), ("kan", "noen"),
                              ("kunne", "noen"), ("kan", "nagon"), ("kunde", "nagon"), ("kan", "nan"),
                              ("let", "'s"), ("let", "s"), ("lets", "create"), ("lets", "book"), ("lets", "log")})  # fmt: skip
_IMPERATIVES = frozenset({"SHOW", "CREATE", "FIND", "LOG", "SCHEDULE", "TASK"})
_HEADINGS = frozenset({"TASK", "CREATE", "LOG", "NOTE", "DEAL", "CONTACT", "CUSTOMER"})
_CLAUSE_LINKS = frozenset({"so", "sa", "og", "and", "men", "but", "och", "then", "da", "sen"})


def _closing_request(words: list[Word]) -> list[Word] | None:
    """ "what stage is the X deal in? negotiation now, they accepted the scope. update it": a short last sentence
    that is a request decides what the message asks for."""
    ends = [w.i for w in words[:-1] if w.low in {".", "?", "!"} and w.text == w.low and w.i > 2]
    if not ends:
        return None
    last = words[ends[-1] + 1 :]
    opener = next((w for w in last if not w.boundary and not w.labels & {"POLITE"}), None)
    if opener is None or len(last) > 6 or not opener.labels & (_IMPERATIVES | {"UPDATE"}):
        return None
    return [replace(w, i=n) for n, w in enumerate(last)]


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
        if before.boundary or before.low in _CLAUSE_LINKS or before.low in {".", "!", "?"}:
            start = k  # (also after a full stop the boundary rules keep: "… I'd say 50%. Can somebody …")
    return start


def _ends_prefix(words: list[Word], form: Word) -> bool:
    """Whether a legal form is followed by the colon or dash of a customer-first message."""
    nxt = words[form.i + 1] if form.i + 1 < len(words) else None
    return nxt is not None and nxt.low in {":", "-", "–", "—"}


def _company_names_uncued(words: list[Word], lang: str) -> list[Word]:
    """Words of a company name that ends in a legal form are name, not cues: "Pipeline Partners AB", "Task Force
    Consulting AS", "Kontakt Bygg AB". The name is the capitalised run before the form (a cue that opens the
    message, "Vis Acme AS", stays a cue)."""
    if words and words[0].source.isupper():
        return words  # in ALL CAPS every word is capitalised and "AS" is as often the word "as"
    freed = (
        {
            k
            for first, form in _legal_spans(words, lang)
            if not form.text.islower()
            for k in range(first, form.i)
        }
        | _titled_prefix(words)
        | _named_before_deal(words)
    )
    # "Tindvik Hotell", "Grand Kino": an errand's word written with a capital inside a name is name
    freed |= {
        w.i
        for w in words[1:]
        if (
            w.labels == {"OFFTOPIC"}
            or len(w.labels) == 1
            and w.labels <= _NAME_LIKE_CUES
            and not w.text.isupper()
        )
        and w.text[:1].isupper()
        and not words[w.i - 1].boundary
        and words[w.i - 1].text[:1].isupper()
        and not words[w.i - 1].labels
    }
    # "Karin af Klint", "Pieter van Dam": a capitalised word after a name's particle is name
    freed |= {
        w.i
        for w in words[2:]
        if w.labels
        and w.text[:1].isupper()
        and not w.text.isupper()
        and words[w.i - 1].text in _NAME_PARTICLES
        and words[w.i - 2].text[:1].isupper()
        and not words[w.i - 2].labels
    }
    # "Västerbottens Skog & Mark": a capitalised word joined to a name by "&" is name
    freed |= {
        w.i
        for w in words[2:]
        if len(w.labels) == 1
        and w.labels <= _NAME_LIKE_CUES
        and w.text[:1].isupper()
        and not w.text.isupper()
        and words[w.i - 1].text == "&"
        and words[w.i - 2].text[:1].isupper()
        and not words[w.i - 2].labels
    }
    if not freed:
        return words
    return [replace(w, cue=None, labels=frozenset()) if w.i in freed else w for w in words]


# Cue words that, capitalised after a capitalised word, are part of a company's name ("send Tromsø Kaffe …").
_NAME_LIKE_CUES = frozenset(
    {"MEETING", "CALL", "NOTE", "TASK", "CONTACT", "KPI", "PIPELINE", "WHICH", "UPDATE"}
)


def _named_before_deal(words: list[Word]) -> set[int]:
    """ "Pipeline Partners deal is won": a run of capitalised words right before a lower-case deal noun is the
    customer's name, cue words and all (not a request written in capitals: "Show Acme deal")."""
    freed: set[int] = set()
    for noun in words[2:]:
        if noun.labels != {"DEAL"} or not noun.text.islower():
            continue
        k = noun.i
        while k > 0 and words[k - 1].text[:1].isupper() and not words[k - 1].text.isupper():
            k -= 1
        run = words[k : noun.i]
        if (
            len(run) >= 2
            and any(w.labels for w in run)
            and not all(w.labels for w in run)
            and not run[0].labels & _REQUEST_VERBS
        ):
            freed |= {w.i for w in run}
    return freed


def _titled_prefix(words: list[Word]) -> set[int]:
    """ "Task Force Consulting – visa allt vi har": a message that opens with a name written in capitals, then
    a dash or colon and a request of its own; the cue words in the name are name."""
    end = next((w.i for w in words[:7] if w.low == ":" or w.boundary and w.low in _DASHES), None)
    if end is None or end < 2:
        return set()
    run = words[:end]
    request = next((w for w in words[end + 1 :] if not w.boundary and not w.labels & {"POLITE"}), None)
    if (
        request is None
        or not request.labels  # ("visa allt vi har", "book a meeting": the rest opens with the request)
        or any(w.boundary or not w.text[:1].isupper() or w.text.isupper() for w in run)
        or all(w.labels for w in run)
        or not any(w.labels for w in run)
        or run[0].labels & _REQUEST_VERBS  # ("Logg Møte Acme – …": a request written in capitals)
    ):
        return set()
    return {w.i for w in run}


_REQUEST_VERBS = frozenset({"LOG", "SHOW", "FIND", "CREATE", "SCHEDULE", "CALL", "UPDATE", "CANCEL", "HELP"})


_NAMED_AFTER = frozenset(
    fold(w) for w in ("named", "called", "heter", "hette", "het", "navn", "namn", "kalt", "kallad")
)


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
        if (
            after_name_word
            and "CALL" in w.labels
            and w.i > 0
            and words[w.i - 1].labels & {"CUSTOMER", "FIND"}
        ):
            freed.add(w.i)  # "a customer called Lumen": naming, not a phone call
        taken = 0
        for nxt in words[w.i + 1 :]:
            if nxt.boundary or taken == 4 or nxt.labels & {"LOOKUP", "DETAIL", "VAGUE"}:
                break  # (an org number's word ends the name, and so does "or something like that")
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
    if has("CANCEL") and _taken_back_all(words):
        return "cancel"  # "log it as a call — actually no, forget the whole thing": the request is taken back
    first = next((w for w in content if not w.labels & {"POLITE", "SMALL_TALK"}), None)
    if (
        first is not None
        and first.low in {"what", "whats"}
        and stage
        and any(w.low in {"in", "at"} for w in words[first.i + 1 : first.i + 4])
        and not cues & {"UPDATE", "CREATE", "LOG", "TASK", "CALL", "MEETING", "SHOW", "FIND"}
        and not any(w.text[:1].isupper() for w in _free_words(words) if w is not first)
    ):
        return "pipeline_summary"  # "what's in negotiation right now?": what is at a stage
    sized = next((w for w in content if w.low in _SIZE_WORDS), None)
    if (
        sized is not None
        and any("DEAL" in w.labels or w.low == "size" for w in words[sized.i + 1 : sized.i + 4])
        and not cues & {"UPDATE", "CREATE", "LOG", "TASK", "CALL", "MEETING", "SCHEDULE", "EMAIL", "NOTE"}
        and not slots.keys() & {"amount", "probability"}
    ):  # "biggest deal still open?", "avg won deal size per quarter": a figure of open or of won deals
        opened = has("PIPELINE") or stage or any(w.low in {"open", "still", "currently"} for w in words)
        closed = any(w.low in _CLOSED_WORDS for w in words)
        return "pipeline_summary" if opened and not closed else "kpi_summary"
    if (
        has("OFFTOPIC")
        and has("FIND")
        and any(
            "FIND" in w.labels and any("OFFTOPIC" in x.labels for x in words[w.i + 1 : w.i + 4])
            for w in words
        )
        and not has("CUSTOMER")
    ):
        return "unknown"  # "can you find me a flight to Kirkenes on the 3rd": an errand we don't run
    asked_off = next((w.i for w in words if w.low == "?"), None)
    if (
        asked_off is not None
        and "org_number" not in slots
        and any(
            "OFFTOPIC" in w.labels and w.low not in {"what", "whats", "'s", "s", "vad"}
            for w in words[:asked_off]
        )
        and not any(w.labels - {"OFFTOPIC", "POLITE", "SMALL_TALK"} for w in words[:asked_off])
        and not any(
            w.labels - {"CUSTOMER", "POLITE", "SMALL_TALK", "OFFTOPIC"}
            and not ("TASK" in w.labels and w.low in {"need", "needs", "to"})
            for w in words[asked_off + 1 :]
        )
    ):  # "will it snow in Trysil this weekend? taking clients skiing": a question we don't answer, and a remark
        return "unknown"
    labelled_at = next(
        (w.i for w in words[:-1] if w.low in _TOPIC_LABELS and words[w.i + 1].low == ":"), len(words)
    )
    if (
        has("OFFTOPIC")
        and "org_number" not in slots
        and not (has("UPDATE") and stage)
        and any("OFFTOPIC" in w.labels for w in words[:labelled_at])  # ("topic: store wifi refresh")
    ):  # ("mark … closed won")
        if not (
            cues & {"CUSTOMER", "CONTACT", "DEAL", "TASK", "LOG", "KPI", "PIPELINE", "SHOW", "FIND"}
            or {"SCHEDULE", "MEETING"} <= cues  # ("… nån måste ta tag i det. vi tar ett möte med dem …")
        ):
            return "unknown"
    if (
        has("HOWTO")
        and not _possible_request(words, slots)
        or _how_question(words)
        or _asks_how_after(words)
        or has("HELP")
        and not (action & {"CREATE", "LOG", "TASK", "DEAL", "CALL", "MEETING"})
    ):
        return "help"
    if "org_number" in slots and not has("CREATE") and _customer_with(words):
        return "show_customer"  # "the customer with org nr …", "kunden med orgnr …": ours, not the register's
    if "org_number" in slots and has("LOOKUP") and not has("CREATE") and not has("SHOW"):
        return "lookup_org"
    if "org_number" in slots and "amount" not in slots and _creates_them(words):
        return (
            "create_customer"  # "vi har skrivit avtal med X, 5569913733, lägg in dem i crm:et": the company
        )
    if (
        _creates_them(words)
        and any(w.low in {"crm", "system", "systemet", "crm-et", "crmet"} for w in words)
        and not cues & {"DEAL", "TASK", "LOG", "MEETING", "CALL", "CONTACT", "SCHEDULE", "EMAIL", "NOTE"}
        and not slots.keys() & {"amount", "probability", "email", "phone", "stage"}
    ):
        return "create_customer"  # "… They're not in the CRM yet, can you create them?": the company told of
    shown = [w for w in words if w.labels == {"SHOW"}]
    if (
        len(shown) >= 3
        and all(b.i == a.i + 1 for a, b in zip(shown, shown[1:], strict=False))
        and words[-1].low == "?"
        and 0 < len(words) - shown[-1].i - 2 <= 5
        and all(not w.labels - {"CUSTOMER"} for w in words[shown[-1].i + 1 :])
        and any(w.text[:1].isupper() for w in words[shown[-1].i + 1 :])
        and not cues & {"CREATE", "LOG", "TASK", "SCHEDULE", "UPDATE", "DEAL"}
    ):
        return (
            "show_customer"  # "… totally unprepared 😅 what do we have on SELVIK PROSJEKT?": the closing ask
        )
    if _note_heading(words):
        return "log_activity"  # "anteckning Brf Solgläntan: styrelsen byts i januari, ta nya kontakter då"
    opener = next((w for w in words if not w.boundary and not w.labels & {"POLITE", "SMALL_TALK"}), None)
    if (
        opener is not None
        and opener.labels == {"KPI"}
        and opener.i + 1 < len(words)
        and words[opener.i + 1].low == ":"
    ):
        return (
            "kpi_summary"  # "snabbrapport: antal nya kunder och bokade möten i november": a report's heading
        )
    if (
        opener is not None
        and opener.labels == {"SHOW"}
        and not cues & {"KPI", "PIPELINE", "DEAL", "FIND", "TASK", "CREATE", "QUANT"}
    ):
        return (
            "show_customer"  # "Pull up everything on X, I meet them in 20 min": the first word is the request
        )
    if (
        any(w.low in _RECURRING_FIGURES for w in words)
        and any(w.low in _WON_WORDS for w in words)
        and (has("WHICH") or any(w.low == "?" for w in words))
        and not cues & {"UPDATE", "CREATE", "LOG", "TASK", "CALL", "MEETING"}
        and not slots.keys() & {"amount", "probability"}
    ):
        return "kpi_summary"  # "vad landade vunnen ARR på i oktober?": a figure of deals already won
    if (
        opener is not None
        and opener.low in _RECURRING_FIGURES
        and any(w.low in _CLOSED_WORDS for w in words)
        and not cues & {"UPDATE", "LOG", "TASK", "CALL", "MEETING", "DEAL", "CUSTOMER"}
        and not slots.keys() & {"amount", "probability", "org_number", "email", "phone"}
    ):
        return "kpi_summary"  # "ACV on new logos signed this month": a figure of deals already signed
    if (
        opener is not None
        and "SCHEDULE" in opener.labels
        and any(w.low in _FOLLOW_UPS for w in words[opener.i + 1 : opener.i + 3])
    ):
        return "schedule_meeting"  # "boka uppföljning med henne", "book a follow-up with X": a meeting booked
    if (
        has("KPI")
        and not cues & {"CREATE", "LOG", "TASK", "UPDATE", "SCHEDULE", "DEAL", "PAST"}
        and not slots.keys() & {"amount", "probability", "org_number", "email", "phone"}
        and all(w.low in _COUNTED_ACTIVITIES for w in words if w.labels & _KIND_LABELS)
        and any(w.labels & _KIND_LABELS for w in words)
    ):
        return "kpi_summary"  # "the numbers for november? revenue won, meetings booked": activities counted
    trigger = max((w.i for w in words if "TASK" in w.labels), default=None)
    told = next((w for w in words[trigger + 1 :] if not w.boundary), None) if trigger is not None else None
    done = told is not None and (
        told.low in _PAST_CALLS or told.low in _PAST_MEETINGS or told.low in _PAST_EMAILS
    )
    if has("TASK") and not ("amount" in slots or "stage" in slots) and not done:
        return "create_task"  # (not "Before I forget: emailed the onboarding checklist to …": a report)
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
    if (
        opener is not None
        and opener.labels == {"WHICH"}
        and stage
        and not cues & {"SALES_FIELD", "CUSTOMER"}
        and (not has("UPDATE") or words[-1].low == "?")  # ("hva ligger i forhandling nå?": a question)
        and not any(w.text[:1].isupper() for w in _free_words(words) if w is not opener)
    ):
        return "pipeline_summary"  # "hva har vi i forhandling nå?": what is at a stage, not a change to one
    if has("PIPELINE") and not (has("DEAL") and has("CREATE")):
        return "pipeline_summary"
    if has("FIND") and has("CUSTOMER") and not has("CREATE"):
        return "find_customer"
    prefix = _prefix(words) if future else None
    to_do_cues = cues
    if prefix is not None:
        after = [w for w in words[prefix[-1].i + 2 :] if not w.boundary]
        if after and not after[0].labels and after[0].text.islower():
            # "Skaune Gårdsmat – send ny prisliste neste uke": "ny" inside the to-do is no request of its own
            to_do_cues = cues - {"CREATE"}
    if (
        prefix is not None
        and not (
            to_do_cues
            & {"MEETING", "DEAL", "LOG", "SCHEDULE", "CREATE", "SHOW", "EMAIL", "NOTE", "SALES_FIELD"}
            or sales_signal
            and not stage
            or "amount" in slots
            or "probability" in slots
        )
        and not any(w.low in _PAST_CALLS for w in words)  # ("X: phoned this afternoon, …": a call made)
    ):
        return "create_task"  # "Lofoten Lys – ring tirsdag": the customer, then what to do and when
    logged_kind = "LOG" in cues and bool(cues & {"MEETING", "CALL", "EMAIL", "NOTE"})
    activity = cues & {"MEETING", "CALL", "LOG", "EMAIL", "NOTE"} and not (
        sales_signal and not (logged_kind and stage and not ("amount" in slots or "probability" in slots))
    )  # ("had a Teams call with X, she's chasing the revised quote. pls log": a quote talked about, logged)
    if (
        activity
        and logged_kind
        and stage
        and not has("DEAL")
        and not ("amount" in slots or "probability" in slots)
    ):
        return "log_activity"
    if (
        opener is not None
        and opener.low in {"open", "oppna", "apne"}
        and opener.i + 1 < len(words)
        and "DEAL" in words[opener.i + 1].labels
        and "amount" in slots
        and not has("UPDATE")
    ):
        return "create_sales_case"  # "öppna affärsmöjligheten X hos Y, ca 2,2 milj, …": a new one, with its value
    if opener is not None and _new_deal_heading(words, opener) and "amount" in slots and not has("UPDATE"):
        # "affärsmöjlighet, Björk och Lind Arkitekter, Kontorsflytt, 420 000 kr, …": a new deal written as a list
        return "create_sales_case"
    if (
        has("DEAL")
        and (has("CREATE") or "amount" in slots and not has("UPDATE"))
        and not stage_only(words, slots)
        and not activity
    ):
        return "create_sales_case"
    if has("DEAL") and (has("UPDATE") or sales_signal) and not activity:
        return "update_sales_case"
    if (
        has("LOG")
        and stage
        and "amount" in slots
        and not cues & {"CALL", "MEETING", "EMAIL", "NOTE", "UPDATE"}
    ):
        return "create_sales_case"  # "maybe 120k for a new booking flow — log it as a lead?": a new deal
    if (
        has("KPI")
        and not has("UPDATE")
        and not slots.keys() & {"probability", "amount"}
        and not cues & {"CREATE", "LOG", "TASK", "CALL", "MEETING", "NOTE", "EMAIL", "CUSTOMER"}
        and not (
            future and _we_should(content)
        )  # ("we should probably chase the unpaid invoice … by friday")
    ):
        return (
            "kpi_summary"  # "what's our total ARR closed won so far this year": won to date is a key figure
        )
    if (has("UPDATE") or has("SALES_FIELD")) and ("probability" in slots or stage):
        return "update_sales_case"
    if has("UPDATE") and has("SALES_FIELD") and ("amount" in slots or "when" in slots):
        return "update_sales_case"
    if (
        has("UPDATE")
        and "amount" in slots
        and not cues & {"CREATE", "LOG", "TASK", "CALL", "MEETING", "EMAIL", "NOTE", "SHOW", "FIND", "KPI"}
    ):
        return (
            "update_sales_case"  # "Dataväven AB:s supportavtal: höj från 15k till 18k/mån": a value changed
        )
    if has("DEAL") and "when" in slots and any(w.low in _CLOSING for w in words) and not activity:
        return "update_sales_case"  # "the deal with Acme should close by the 15th": its expected close
    if (
        "when" in slots
        and any(
            w.low in _CLOSING and w.i > 0 and words[w.i - 1].low in {"should", "will", "to"} for w in words
        )
        and not activity
        and not cues & {"TASK", "SCHEDULE", "KPI", "PIPELINE", "QUANT", "WHICH", "CREATE", "SHOW", "FIND"}
    ):
        return "update_sales_case"  # "dam sensor retrofit for Hovden Kraftverk should close by friday"
    if stage and not (cues & {"LOG", "CALL", "MEETING", "TASK", "CREATE", "SHOW", "FIND", "NEW_ROLE"}):
        return "update_sales_case"
    if "probability" in slots and not cues - {"POLITE"} and 0 < len(content) <= 6:
        return "update_sales_case"  # "Vestby Logistikk -> 75% pls": a name and a probability alone set it
    if stage and "probability" in slots and not cues & {"LOG", "TASK", "CREATE", "SHOW", "FIND"}:
        return (
            "update_sales_case"  # "etter møtet i dag: X → tilbud sendt, 40 prosent": the meeting is the story
        )
    if (
        has("KPI")
        and not (cues & {"CREATE", "LOG", "TASK", "CALL", "MEETING", "NOTE", "EMAIL"})
        and not (future and _we_should(content))
    ):
        return "kpi_summary"
    if has("AS_CONTACT") or has("NEW_ROLE") and _title_present(words):
        return "add_contact"
    if has("CONTACT") and (has("CREATE") or "email" in slots or "phone" in slots):
        return "add_contact"
    if (
        has("CREATE")
        and not has("CUSTOMER")
        and ("email" in slots or "phone" in slots or _title_present(words))
        and not ("email" not in slots and "phone" not in slots and future and cues & {"MEETING", "CALL"})
    ):  # (not "set up a meeting with the CFO at X next week": a booking with someone by their title)
        return "add_contact"
    happened = any(w.low in _PAST_CALLS or w.low in _PAST_MEETINGS for w in words)  # "met X on thursday"
    if has("MEETING") and (
        has("SCHEDULE") or (future and not has("PAST") and not has("LOG") and not happened)
    ):
        return "schedule_meeting"
    # "snakket med Per i dag, han ringer tilbake neste uke": a call made, and what they said will happen
    reported = any(w.low in _PAST_CALLS and "CALL" in w.labels for w in words) and any(
        w.low in _CLAUSE_SUBJECTS and w.i > 0 and words[w.i - 1].boundary for w in words
    )
    booked = opener is not None and (
        "SCHEDULE" in opener.labels
        or opener.low in {"set", "sett", "satt"}
        and opener.i + 1 < len(words)
        and words[opener.i + 1].low in {"up", "opp", "upp"}
    )  # "book a call with X monday 3pm", "set up a call with X next week": a meeting
    if (
        has("CALL")
        and future
        and not (cues & {"PAST", "LOG", "MEETING", "EMAIL", "NOTE"})
        and not reported
        and not booked
    ):
        return "create_task"  # "ring Acme tirsdag": a call still to make
    if (
        opener is not None
        and opener.low in _CALL_TO_MAKE
        and not cues & {"PAST", "LOG"}
        and "when" not in slots
    ):
        return "create_task"  # "ring Acme om fornyelsen": the imperative is a call to make, with or without a day
    if (has("SCHEDULE") or booked and cues & {"CALL", "MEETING"}) and future and not has("LOG"):
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
    if has("LOOKUP") and not all(w.low in _CHECK_VERBS for w in words if "LOOKUP" in w.labels):
        return "lookup_org"  # (a bare "kolla"/"check" with no number and no register is no register look-up)
    if has("DEAL") and has("CREATE"):
        return "create_sales_case"
    if future and _we_should(content):
        return "create_task"  # "vi borde nog räkna om MRR-kalkylen för X innan torsdag": a to-do, hedged
    if has("SMALL_TALK"):
        return "small_talk"
    if has("CANCEL"):
        return "cancel"
    if has("CUSTOMER") and _free_words(words):
        return "show_customer"
    return "unknown"


_SIZE_WORDS = frozenset({"biggest", "largest", "smallest", "average", "avg", "median"})
_FIGURE_OF = re.compile(r"\b(?:with|from|for|med|hos|fra|från|för)\s+\*?$", re.IGNORECASE)


def _one_customers_figure(words: list[Word], written: str, language: str) -> bool:
    """A money question about one named customer ("total open pipeline value for *Helgeland Kraftnett*?")."""
    if not words or not any(w.low == "?" for w in words):
        return False
    named = _names("show_customer", words, language).get("customer")
    if not isinstance(named, str) or not named[:1].isupper() or named.split()[0].lower() in _FUNCTION_WORDS:
        return False
    if all(common_english(part.lower()) for part in named.split()):
        return False  # ("what's in the pipe for December?", "… for Norway?": a month, a market)
    at = written.find(named)
    return at > 0 and _FIGURE_OF.search(written[:at]) is not None


# Words that take back what was just asked, before a cancel phrase ("actually no, forget it", "nei vent, dropp det").
_TAKING_BACK = frozenset({"actually", "no", "nah", "wait", "sorry", "oh", "nei", "nej", "vent", "vanta", "forlat", "unnskyld", "hmm", "neida", "nejdå", "nejda"})  # fmt: skip


# Small words after a verb ("landar på", "räknar vi med", "lander på", "regner vi"): never after a deal's name.
_AFTER_VERB = frozenset({"pa", "vi", "we", "med", "with", "oss", "us", "dere", "ni", "jeg", "jag", "om"})


def _verb_before_object(said: str, words: list[Word]) -> bool:
    """A one-word lower-case subject followed by a pronoun or "på"/"med": a verb of the sentence, not a name."""
    if " " in said or not said.isalpha() or not said.islower():
        return False
    for w in words:
        if w.text == said:
            nxt = next((x for x in words[w.i + 1 :] if not x.boundary), None)
            if nxt is None or nxt.low not in _AFTER_VERB or words[w.i + 1].boundary:
                return False
            later = words[nxt.i + 1] if nxt.i + 1 < len(words) else None
            # (not "lagerflytt på Acme": a deal and whose it is)
            return not (nxt.low in {"pa", "med", "with"} and later is not None and later.text[:1].isupper())
    return False


_CHECK_VERBS = frozenset({"check", "sjekk", "sjekke", "kolla"})
_WE = frozenset({"we", "vi"})
_SHOULD = frozenset({"should", "burde", "borde", "bor", "ma", "maste", "must", "need", "ought"})


def _we_should(content: list[Word]) -> bool:
    """The message opens with "we should …" ("vi burde vel …", "vi borde nog …", "we need to …")."""
    lows = [w.low for w in content[:2]]
    return len(content) > 3 and lows[0] in _WE and lows[1] in _SHOULD


def _deal_after_question(words: list[Word]) -> str | None:
    """A new deal asked for with a "?", then its items: the first capitalised item that is no sum, stage or date
    is the deal's name."""
    ask = next((w.i for w in words if w.low == "?" and w.i + 1 < len(words)), None)
    if ask is None:
        return None
    parts = _parts(words[ask + 1 :])
    if len(parts) < 2 and not any(BLANK in w.low for w in words[ask + 1 :]):
        return None  # (items, not a remark: "… for Acme? Gärna i dag")
    for part in parts:
        if any(BLANK in w.low for w in part):
            continue
        if part[0].text[:1].isupper() and len(part) <= 6 and not part[0].labels and not _stage_word(part):
            if any(w.labels for w in part) or any(_small_verb(w) for w in part):
                return None  # (a sentence, not a name: "De vill ha en offert …")
            return _span_text(words, part[0], part[-1])
        return None
    return None


def _taken_back_all(words: list[Word]) -> bool:
    """The message ends in a clause of its own that takes back the request and cancels it."""
    cut = max(
        (w.i for w in words if w.boundary and w.low in {",", "—", "–", "-", ".", ";", "!", "..."}),
        default=None,
    )
    if cut is None:
        return False
    tail = [w for w in words[cut + 1 :] if not w.boundary]
    while tail and tail[0].low in _TAKING_BACK:
        tail = tail[1:]
    back = cut > 0 and any(w.low in _TAKING_BACK for w in words[max(0, cut - 3) : cut + 2] if not w.boundary)
    return bool(tail) and back and all("CANCEL" in w.labels for w in tail)


def _creates_them(words: list[Word]) -> bool:
    """ "lägg in dem", "opprett dem", "add them": a request to create what the message points back to."""
    return any(
        "CREATE" in w.labels and w.i + 1 < len(words) and words[w.i + 1].low in {"dem", "them", "dom"}
        for w in words
    )


def _logged_comment(words: list[Word]) -> bool:
    """ "logg pa lofoten reiseliv: vil ha demo": a log request, then its comment; kind words in the comment do
    not make it a call or a meeting (but "logga: möte med …" names the kind right after the colon)."""
    colon = next((w.i for w in words if w.low == ":"), None)
    if colon is None or not any("LOG" in w.labels for w in words[:colon]):
        return False
    if any(w.labels & {"CALL", "MEETING", "EMAIL"} for w in words[:colon]):
        return False
    after = next((w for w in words[colon + 1 :] if not w.boundary), None)
    return after is not None and not after.labels & _KIND_LABELS


def _kinds_in_comment_only(words: list[Word]) -> bool:
    """ "Lofoten Reiseliv: vil ha demo i januar, logg det": a customer-first note whose only kind words are
    inside its comment (not "X: ringte i dag, …", not "…, log it as a call")."""
    prefix = _prefix(words)
    if prefix is None:
        return False
    first = next((w for w in words[prefix[-1].i + 2 :] if not w.boundary), None)
    if first is None or first.labels & (_KIND_LABELS | {"LOG"}) or first.low in _PAST_CALLS | _PAST_MEETINGS:
        return False
    log_at = next((w.i for w in words[first.i :] if "LOG" in w.labels), len(words))
    if any(w.labels & _KIND_LABELS for w in words[log_at:]):
        return False
    return any(w.labels & _KIND_LABELS for w in words[first.i : log_at])


def _customer_with(words: list[Word]) -> bool:
    """ "the customer with org nr …": a customer of ours, picked by a detail."""
    return any(
        "CUSTOMER" in w.labels
        and (w.low.startswith("kund") or w.low in {"customer", "client"})  # (not "firma", "företaget")
        and w.i + 1 < len(words)
        and words[w.i + 1].low in {"with", "med"}
        for w in words
    )


def _note_heading(words: list[Word]) -> bool:
    """A message that opens with a note word and a name before a colon: what follows is the note's text."""
    content = [w for w in words if not (w.boundary and BLANK in w.low) and not w.labels & {"POLITE"}]
    if len(content) < 4 or content[0].cue != "NOTE" or content[0].labels != {"NOTE"}:
        return False
    colon = next(
        (k for k, w in enumerate(content[:9]) if w.low == ":" or w.boundary and w.low in _DASHES), None
    )  # ("anteckning Vättern Mekaniska AB - dom vill ha demo": a spaced dash like a colon; "note for Holmestrand
    # Glass & Ramme: …": a name of four words after "for")
    return colon is not None and colon > 1 and all(not w.labels for w in content[1:colon])


_CALL_TO_MAKE = frozenset({"ring", "ringe", "ringa"})  # (imperative and infinitive: never a call made)
_PAST_CALLS = frozenset(fold(w) for w in (
    "called", "phoned", "rang", "spoke", "talked", "ringte", "ringde", "snakket", "snakka", "pratet", "pratade",
    "pratat", "talade", "snackade",
))  # fmt: skip


_PAST_MEETINGS = frozenset(
    fold(w) for w in ("met", "traff", "møtte", "träffade", "visited", "besøkte", "besökte")
)


_HOW = frozenset({"how", "hw", "hvordan", "hur", "korleis", "assen"})  # ("åssen": spoken "hvordan")
_GENERIC_PERSON = frozenset({"man", "jeg", "jag", "one"})


_POSSIBLE = ("gar det an", "gar det att", "gar det a", "er det mulig", "ar det mojligt", "is it possible")


def _possible_request(words: list[Word], slots: dict[str, Any]) -> bool:
    """ "går det an å sette avtalen med Coop Norge SA til 90 prosent?": asking whether something can be done to a
    named customer or deal is the request itself; "går det an å logge mail rett fra outlook?" asks for help."""
    howto = " ".join(w.low for w in words if "HOWTO" in w.labels)
    if not howto.startswith(_POSSIBLE):
        return False
    later = [
        w
        for w in words
        if w.i > 0 and not w.boundary and not w.labels and words[w.i - 1].text not in {".", "?", "!"}
    ]
    named = any(w.text[:1].isupper() and w.text[1:2].islower() for w in later)
    quoted = any(w.text in {"'", '"', "«", "»", "“", "”"} for w in words)
    listed = any(w.low in _LIST_WORDS for w in later) or any(
        w.low in _LIST_WORDS and "WHICH" in w.labels for w in words
    )
    # ("går det att få en lista på alla affärer i förhandling?": a list asked for is the request itself)
    return (
        named
        or quoted
        or listed
        or bool(slots.keys() & {"probability", "amount", "org_number", "email", "phone"})
    )


_LIST_WORDS = frozenset({"lista", "liste", "list", "listan", "listen", "oversikt", "oversikten"})


def _asks_how_after(words: list[Word]) -> bool:
    """ "can i attach pdfs to deals?? how": a lone "how" after the question asks how it is done."""
    content = [w for w in words if w.text not in {"?", "!", "."}]
    return len(content) > 2 and content[-1].low in _HOW and words[content[-1].i - 1].boundary


def _how_question(words: list[Word]) -> bool:
    """ "hur skapar man en affär …?", "hvordan logger jeg …": how one does something, not a request to do it."""
    content = [w for w in words if not w.boundary and not w.labels & {"POLITE", "HELP"}]  # ("hjälp, hur …")
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
            while (
                len(run) > 1
                and run[0].text.islower()
                and (run[0].low in CUSTOMER_PREPOSITIONS or run[0].low in FILLERS)
            ):
                # "closed won on Lysaker Legesenter – …", "samma för X – tappad": no part of the name
                run = run[1:]
            if any(_ticket(x) for x in run):
                return (
                    None  # "ref SAK-4471: …", "CRM-311: …": the ticket the message is about, not a customer
                )
            if run and all(not x.boundary and x.cue is None and x.low not in _MEETING_WITH for x in run):
                return run  # (not "PoC review with Lundgren AB — book a mtg": a topic and the one met)
            if w.low == ":" and run and all(x.cue is not None for x in run) and start == 0:
                # "task: Sunndal Verk – call back Karianne fri": a heading, then the customer before a dash
                after = _prefix(words[k + 1 :])
                dash = after[-1].i + 1 if after else None
                if after and dash is not None and dash < len(words) and words[dash].low in {"-", "–", "—"}:
                    return after
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
    return any(
        _looks_like_title(seg.text(words)) or _looks_like_title(_span_text(words, said[0], said[-1]))
        for seg in _segments(words, "add_contact")
        if (said := _after_copula(seg.words))
    )


_TOPIC_CONNECTORS = frozenset({"re", "about", "abt", "regarding", "angaende", "ang", "vedrorende"})
_OFFER_WORDS = frozenset({"offer", "quote", "proposal", "tilbud", "tilbudet", "offert", "offerten"})


def _topic_offer(words: list[Word], at: int) -> bool:
    """ "sent an email … re the revised offer": an offer that is what the activity was about, not a stage
    (`at` is the word's place in `words`, which may be a part of the message)."""
    if words[at].low not in _OFFER_WORDS:
        return False
    for k in range(at - 1, max(-1, at - 4), -1):
        if words[k].low in _TOPIC_CONNECTORS:
            return True
        if words[k].boundary or words[k].labels - {"UPDATE"}:
            return False
    return False


def _stage_word(words: list[Word]) -> bool:
    probe = entities.Extraction(
        " ".join("_" if _topic_offer(words, k) else w.low for k, w in enumerate(words))
    )
    entities.find_stage(probe)
    return "stage" in probe.slots


def _free_words(words: list[Word]) -> list[Word]:
    return [w for w in words if not w.boundary and w.cue is None and w.low not in FILLERS]


def _activity_kind(intent: str, words: list[Word]) -> str:
    if intent == "create_task":
        return "task"
    if intent == "schedule_meeting":
        return "meeting"
    if _note_heading(words) or _logged_comment(words) or _kinds_in_comment_only(words):
        return "note"  # "anteckning Acme: ring tilbake i januar", "logg pa X: vil ha demo": a note's text
    done = _done_kind(words)
    if done is not None:
        return done
    for label, kind in (("CALL", "call"), ("MEETING", "meeting"), ("EMAIL", "email"), ("NOTE", "note")):
        if _has(words, label):
            return kind
    return "note"


_PAST_EMAILS = frozenset(
    fold(w) for w in ("emailed", "mailed", "mejlade", "mailade", "mailet", "mejlat", "mailat")
)
_AS_KIND = frozenset({"as", "som"})


def _done_kind(words: list[Word]) -> str | None:
    """The kind a past activity verb names ("Elin … emailed back? she said yes to the workshop dates": an email),
    when it is the only such verb and no kind is named after "as"/"som" ("log that as a note")."""
    if any(
        w.labels & _KIND_LABELS and (words[k - 1].low in _AS_KIND or words[k - 2].low in _AS_KIND)
        for k, w in enumerate(words)
        if k >= 2
    ):
        return None
    done = {
        "call" if w.low in _PAST_CALLS else "meeting" if w.low in _PAST_MEETINGS else "email"
        for w in words
        if w.low in _PAST_CALLS | _PAST_MEETINGS | _PAST_EMAILS and w.labels & {"CALL", "MEETING", "EMAIL"}
    }
    return done.pop() if len(done) == 1 else None


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
_FOLLOW_UPS = frozenset({"uppfoljning", "oppfolging", "follow", "follow-up", "followup", "uppfoljningsmote",
                         "oppfolgingsmote"})  # fmt: skip
# Activities in the plural, as something counted ("meetings booked", "antall møter", "samtal per vecka").
_COUNTED_ACTIVITIES = frozenset(fold(w) for w in (
    "meetings", "calls", "emails", "notes", "møter", "møtene", "samtaler", "samtalene", "möten", "mötena",
    "samtal", "eposter", "e-poster",
))  # fmt: skip
_RECURRING_FIGURES = frozenset({"arr", "mrr", "tcv", "acv"})
_WON_WORDS = frozenset({"won", "vant", "vunnet", "vunne", "vunnen", "vunna", "vann", "vunnit"})
_CLOSED_WORDS = frozenset({"closed", "won", "win", "lukket", "lukka", "vant", "vunnet", "stangt", "stangde", "vann",
                           "vunnit", "signed", "signert"})  # fmt: skip
_LEGAL_FORM_AS = "as"
_POLITE = frozenset({"please", "pls", "plz", "takk", "tack", "thanks", "og", "and", "och", "ogsa", "too"})


def _inside_named_thing(words: list[Word], rest: list[Word], w: Word) -> bool:
    """A preposition inside a capitalised name that goes on in lower case up to its item's end ("Saksbehandling i
    skyen, 2,5 MNOK"): no customer follows it (the writer capitalises names)."""
    if not rest[0].text[:1].isupper() or w.i + 1 >= len(words):
        return False
    tail: list[Word] = []
    for x in words[w.i + 1 :]:
        if x.boundary:
            if x.low not in {",", ";"} and BLANK not in x.low:
                return False
            break
        tail.append(x)
    return (
        0 < len(tail) <= 3
        and all(x.text.isalpha() and x.text.islower() and x.cue is None for x in tail)
        and not any(
            x.low in _OBJECT_PRONOUNS or x.low in _PERSONAL_PRONOUNS or x.low in FILLERS for x in tail
        )
        and _writes_names_capitalised(words)
    )


def _between_letters(w: Word) -> bool:
    """A hyphen with letters glued on both sides ("e-Boks", "web-to-print")."""
    return 0 < w.start and w.source[w.start - 1 : w.start].isalnum() and w.source[w.end : w.end + 1].isalnum()


def _inside_hyphens(w: Word) -> bool:
    """A word with a hyphen glued on both sides ("to" in "web-to-print"): part of one hyphenated word."""
    return (
        1 < w.start
        and w.source[w.start - 1] == "-"
        and w.source[w.end : w.end + 1] == "-"
        and w.source[w.start - 2].isalnum()
    )


def _as_inside_deal(words: list[Word], w: Word) -> bool:
    """ "the kaldnes marina as booking platform deal": a lower-case "as" between "the" and a deal noun, with
    lower-case words on both sides, is the legal form that ends the customer's name, not "as"."""
    if w.text != "as" or not _numbered(words):
        return False

    def plain(x: Word) -> bool:
        return x.text.isalpha() and x.text.islower() and not x.labels and not x.boundary

    j = w.i - 1
    while j >= 0 and plain(words[j]) and words[j].low not in _DETERMINERS:
        j -= 1
    m = w.i + 1
    while m < len(words) and plain(words[m]):
        m += 1
    return (
        0 <= j < w.i - 1
        and words[j].low == "the"
        and w.i + 1 < m < len(words)
        and m - w.i <= 4
        and "DEAL" in words[m].labels
    )


def _is_marker(words: list[Word], w: Word) -> bool:
    if len(w.text) == 1 and w.low in CUSTOMER_PREPOSITIONS:
        prev = next((x for x in words if x.i == w.i - 1), None)
        if prev is not None and prev.end == w.start and prev.text[-1:].isdigit():
            return False  # ("3M Norge": a letter glued to digits is part of the name, not "m" for "med")
    if _inside_hyphens(w):
        return False  # ("the web-to-print deal", "Bed-and-Breakfast": a small word inside a hyphenated word)
    if w.low == _LEGAL_FORM_AS and _as_inside_deal(words, w):
        return False
    if w.low == _LEGAL_FORM_AS:
        # "Acme AS" (a legal form ending a name) or "as CTO" (introducing a title)?
        nxt = words[w.i + 1] if w.i + 1 < len(words) else None
        if w.text == "as" and nxt is not None and nxt.boundary and entities.STAGE.fullmatch(fold(nxt.text)):
            return True  # "mark Lyngdal Kjøl & Frys as closed won": the word "as" before the stage set
        return (
            nxt is not None
            and not nxt.boundary
            and nxt.cue is None
            and nxt.low not in _POLITE
            and nxt.low not in _VERBS_AFTER_NAME  # ("KVAM MEKANISKE AS ER TAPT": the name, then its verb)
            and not _is_marker(words, nxt)
        )
    return w.low in CUSTOMER_PREPOSITIONS or w.low in SUBJECT_MARKERS or w.low in _TITLE_INTRO


# Norwegian and Swedish verbs that follow a company's name ("Acme AS er tapt", "… AS har signert").
_VERBS_AFTER_NAME = frozenset(fold(w) for w in (
    "er", "är", "har", "hadde", "hade", "var", "ble", "blev", "vil", "vill", "skal", "ska", "gikk", "gick", "takket",
    "tackade", "valgte", "valde", "signerte", "signerade",
))  # fmt: skip


_PERSONAL_PRONOUNS = frozenset({
    "honom", "henne", "ham", "him", "her", "hun", "hon", "han", "he", "she", "they", "oss", "us", "meg", "mig", "me",
    "deg", "dig", "you", "du", "jeg", "jag", "vi", "we",
})  # fmt: skip


def _segments(words: list[Word], intent: str) -> list[Segment]:
    """Runs of words that can be names: no cue, no punctuation or blanked slot, no preposition inside."""
    segments: list[Segment] = []
    current: list[Word] = []
    before: Word | None = None
    last_marker: Word | None = None

    def close() -> None:
        nonlocal current
        trimmed = _trim(current)
        if cased and trimmed and trimmed[0].text.islower():
            # "bumped into Sanna Aalto": a person's capitalised name after lower-case verbs is where a name starts
            named_at = next(
                (k for k, w in enumerate(trimmed[:4]) if w.text[:1].isupper() and w.low in FIRST_NAMES), None
            )
            if named_at and all(w.text.isalpha() and w.text.islower() for w in trimmed[:named_at]):
                trimmed = trimmed[named_at:]
        of = next((k for k, w in enumerate(trimmed[1:-1], 1) if w.low == "of"), None)
        if (
            of is not None
            and (trimmed[0].low in FIRST_NAMES or _looks_like_title(" ".join(w.text for w in trimmed[:of])))
            and trimmed[of + 1].text[:1].isupper()
        ):  # (and "the CFO of Bexley Foods": a title, and where it is held)
            # "Pekka Virtanen of Turun Ohjelmistotalo Oy": the person, and where they work
            segments.append(Segment(trimmed[:of], before))
            segments.append(Segment(trimmed[of + 1 :], trimmed[of]))
        elif (
            trimmed
            and (trimmed[0].text not in _PERSONAL_PRONOUNS or intent == "add_contact")
            and not (len(trimmed) == 1 and trimmed[0].text in {"as", "da", "sa"})  # ("log as note": a word)
        ):
            segments.append(Segment(trimmed, before))  # (not "logga det åt honom": a pronoun names no one)
        current = []

    cased = _writes_names_capitalised(words) if _numbered(words) else False
    for w in words:
        breaks = w.boundary or w.cue is not None or _is_marker(words, w) or _ticket(w)
        if breaks and w.cue is not None and cased and not w.boundary and _inside_capitalised_name(words, w):
            breaks = (
                False  # "sett Lista Flyplass Drift til …", "Fjellheim Hotell": a capitalised word of a name
            )
        if w.low == "'" and current and w.start > current[-1].end:
            close()  # an opening quote ends a name: "Halvorsen Marine 'Fleet Tracking'" (not "O'Brien")
            last_marker = w
            continue
        if w.low in _NAME_JOINERS and current and not w.boundary:  # (not "Kari / CFO", "X – 15", "X. Vi")
            current.append(w)
            continue
        if current and current[-1].text[:1].isupper() and _particle_before_name(words, w.i):
            current.append(w)  # "Pieter van der Berg", "Karin af Klint": a particle inside a person's name
            continue
        if current and current[-1].text in _NAME_PARTICLES and w.text[:1].isupper() and not w.boundary:
            current.append(w)  # (the name after its particle, even a cue word: "af Klint")
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


_TICKET = re.compile(r"[A-Z]{2,6}-\d{2,}|[Qq][1-4]")


def _ticket(w: Word) -> bool:
    """ "SUP-2291", "JIRA-4471": a ticket id pasted into the message, or a quarter ("Q1"). It stays in a to-do's
    text, but no name has it."""
    return _TICKET.fullmatch(w.text) is not None or (
        w.low in NEVER_NAMES and not w.text.istitle()  # ("hos juridisk", "SOW:en"; but "Nordic Legal AS")
    )


def _numbered(words: list[Word]) -> bool:
    """Whether each word's index is its place in the list (not a slice of the message)."""
    return all(w.i == k for k, w in enumerate(words))


def _inside_capitalised_name(words: list[Word], w: Word) -> bool:
    """A cue word written with a capital mid-sentence, next to another capitalised word: part of a name."""
    if not _capitalised(words, w):
        return False
    if (
        w.i > 1
        and words[w.i - 1].low in LEGAL_FORMS
        and words[w.i - 1].text != "as"
        and w.labels & {"DETAIL"}
    ):
        return False  # "Närpes Grönsaksodlare Ab FO-nr …": a legal form ends the name; the label after it is none
    neighbours = [words[k] for k in (w.i - 1, w.i + 1) if 0 <= k < len(words)]
    return any(
        not n.boundary and n.text[:1].isupper() and (n.i > w.i or _capitalised(words, n)) for n in neighbours
    )


def _trim(run: list[Word]) -> list[Word]:
    while run and (run[0].low in FILLERS or run[0].low in _NAME_JOINERS):
        run = run[1:]
    while run and (
        run[-1].low in FILLERS and not _legal_form_after_name(run) or run[-1].low in _NAME_JOINERS
    ):
        run = run[:-1]
    return run


_DEADLINE_WORDS = frozenset(fold(w) for w in (
    "by", "before", "due", "until", "innen", "før", "til", "till", "senast", "före", "innan", "frist", "deadline", "for",
    "the", "på", "pa", "on", "at", "kl", "om", "in", "i",
))  # fmt: skip
_SUBJECT_LEAD = frozenset(
    fold(w) for w in ("to", "å", "att", "that", "om", "about", "me", "meg", "mig", "and")
)


_NAMING = frozenset({"called", "named", "kalt", "kallad", "heter"})


def _subject(words: list[Word], intent: str, first: int = 0) -> tuple[list[Word], set[int]]:
    """The topic: what follows a topic word ("om", "about", "angående"); failing that, what follows ":", "," or
    a dash. As written, without the words around it. Only markers from word `first` on count."""
    markers = [
        w for w in words[first:]
        if (w.cue is None or intent in SALES_INTENTS and w.low in _NAMING) and w.low in SUBJECT_MARKERS
        and not (w.i > 0 and words[w.i - 1].end == w.start and w.text[:1].isalpha())  # "theyre": not "re"
        and not (w.low in _DASHES and not w.boundary and _between_letters(w))  # "e-Boks": a hyphen, no dash
    ]  # fmt: skip
    ranked = [w for w in markers if w.low in SUBJECT_WORD_MARKERS or w.low in _NAMING] + [
        w for w in markers if w.low not in SUBJECT_WORD_MARKERS and w.low not in _NAMING
    ]
    for w in ranked:
        rest: list[Word] = []
        # "note on X: CEO is leaving in Jan, hold the upsell": a log's comment after a colon runs past commas
        comment = w.low == ":" and intent == "log_activity"
        for nxt in words[w.i + 1 :]:
            if comment and rest and nxt.low == ",":
                rest.append(nxt)
                continue
            if nxt.boundary and (
                BLANK in nxt.low or nxt.low in {",", ";", ".", "?", "!"} or nxt.low in _DASHES
            ):
                if rest:
                    break
                continue
            if rest and nxt.low == ":" and w.low in SUBJECT_WORD_MARKERS:
                rest = []  # "anteckning om Berg Bygg: ny vd från januari": the note is what follows the colon
                continue
            if intent in SALES_INTENTS and (nxt.low in CUSTOMER_PREPOSITIONS or nxt.cue is not None):
                if rest and nxt.cue is None and _inside_named_thing(words, rest, nxt):
                    rest.append(nxt)  # "Saksbehandling i skyen": a small word inside the deal's own name
                    continue
                if rest:
                    break
                continue
            rest.append(nxt)
        rest = _trim_subject(rest)
        if (
            w.low == ","
            and intent in ACTIVITY_INTENTS
            and 1 < len(rest) <= _MAX_NAME_WORDS
            and rest[-1].text in _WRITTEN_FORMS
            and all(x.text[:1].isupper() or x.low in _NAME_LINKS for x in rest)
            and all(x.boundary for x in words[rest[-1].i + 1 :] if x.low != ",")
            or w.low == ","
            and intent in ACTIVITY_INTENTS
            and 1 < len(rest) <= _MAX_NAME_WORDS
            and rest[-1].text in _WRITTEN_FORMS
            and all(x.text[:1].isupper() or x.low in _NAME_LINKS for x in rest)
            and rest[-1].i + 1 < len(words)
            and words[rest[-1].i + 1].low == ","
        ):
            continue  # "with Per Arne Holm, Trondheim Betong AS, 19/11, …": where the person works, an item
        if w.low == ":" and len(rest) > 1 and rest[0].labels & _KIND_LABELS and rest[1].low in _MEETING_WITH:
            continue  # "logga: möte med Skaraborgs Revision …": the colon introduced the activity, not a comment
        topic_word = w.low in SUBJECT_WORD_MARKERS and intent in ACTIVITY_INTENTS  # "om avtalet"
        if rest and all(x.cue is not None for x in rest) and not topic_word:
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
_NOT_A_DEAL = _CLAUSE_SUBJECTS | frozenset(
    {"og", "and", "och", "men", "but", "jeg", "jag", "i", "so", "sa", "den", "its"}
)  # ("…, den är större nu": a remark about the deal)


_COUNT_NOUNS = frozenset(fold(w) for w in (
    "consultants", "konsulenter", "konsulter", "months", "mnd", "maneder", "manader", "people", "personer", "years",
    "ar", "weeks", "uker", "veckor", "users", "brukere", "anvandare", "licenses", "lisenser", "licenser", "hours",
    "timer", "timmar", "days", "dager", "dagar", "yr", "yrs", "year", "month", "mo", "mths", "aar", "arig", "arigt",
))  # fmt: skip


def _sent_object(words: list[Word]) -> list[Word]:
    """What was sent, written after the one it was sent to: an article right after a name ("… AB the price
    list"), up to the end of the clause."""
    for w in words[2:]:
        if w.low in {"the", "a", "an"} and words[w.i - 1].text[:1].isupper() and not words[w.i - 1].boundary:
            run: list[Word] = []
            for nxt in words[w.i :]:
                if nxt.boundary:
                    break
                run.append(nxt)
            return _trim_subject(run)
    return []


def _moved_deal(words: list[Word], segment: Segment) -> bool:
    """A name between a change word and "to" ("set SCADA upgrade phase 2 to closed won"): the deal moved."""
    before, after = segment.words[0].i - 1, segment.words[-1].i + 1
    return (
        before >= 0
        and "UPDATE" in words[before].labels
        and after < len(words)
        and words[after].low in {"to", "til", "till"}
        and not _not_a_deal_name(segment.words)  # ("push it to proposal": the deal it points back to)
    )


def _item(words: list[Word], segment: Segment) -> bool:
    """A capitalised item of its own, ended by a comma or a dash ("Managed Service Desk, 24 months, …")."""
    nxt = segment.words[-1].i + 1
    return (
        segment.words[0].text[:1].isupper()
        and nxt < len(words)
        and words[nxt].boundary
        and words[nxt].low in {",", "-", ":"}
    )


_OTHER_PARTIES = frozenset(fold(w) for w in (
    "competitor", "competitors", "konkurrent", "konkurrenten", "konkurrenter", "supplier", "vendor",
    "leverandør", "leverandøren", "leverantör", "leverantören",
))  # fmt: skip


def _other_party(segment: Segment) -> bool:
    """ "went with a competitor", "valde en annan leverantör": the one the deal went to, not the customer."""
    return all(w.low in _OTHER_PARTIES or w.low in FILLERS or w.low in {"another", "annen", "annan"}
               for w in segment.words)  # fmt: skip


_ENGLISH_DEAL_NOUNS = frozenset({"deal", "deals", "opportunity", "opp", "contract", "renewal", "case"})
_WENT = frozenset(
    fold(w)
    for w in (
        "went",
        "gone",
        "goes",
        "gikk",
        "gått",
        "gick",
        "gar",
        "competing",
        "compete",
        "konkurrerer",
        "konkurrerar",
        "konkurrere",
        "konkurrera",
    )
)
_CHOSE = frozenset(fold(w) for w in ("chose", "picked", "selected", "valgte", "valde", "valt", "valgt"))


def _went_with(words: list[Word], segment: Segment) -> bool:
    """ "Bergsli Transport went with Visma", "valde Nexor": the one chosen instead, not our customer."""
    first = segment.words[0].i
    if first > 0 and words[first - 1].low in _CHOSE:
        return True
    return (
        segment.before is not None
        and segment.before.low in {"with", "for", "med", "till", "to"}
        and segment.before.i > 0
        and words[segment.before.i - 1].low in _WENT
    )


def _count(run: list[Word]) -> bool:
    """ "12 konsulter", "24 months": a number of things."""
    if len(run) == 3 and run[1].low == "-":  # ("3-yr", "24-month": a duration alone, hyphenated)
        return run[0].low.isdigit() and run[2].low in _COUNT_NOUNS
    return run[0].low.isdigit() and len(run) > 1 and run[1].low in _COUNT_NOUNS


# "Beräknat avslut … flyttas till 15 januari", "the close date was pushed": the change said in the passive.
_PASSIVE_CHANGES = frozenset(fold(w) for w in (
    "flyttes", "flyttas", "endres", "ändras", "settes", "sätts", "oppdateres", "uppdateras", "utsettes", "skyves",
    "skjuts", "moved", "changed", "updated", "pushed", "postponed",
))  # fmt: skip


_VAGUE_NOUNS = frozenset(
    {
        "thing",
        "things",
        "stuff",
        "matter",
        "greia",
        "greie",
        "grejen",
        "grejer",
        "guys",
        "folks",
        "people",
        "team",
    }
)


_AMOUNT_LABELS = frozenset(fold(w) for w in (
    "price", "pris", "prisen", "priset", "budget", "budsjett", "budsjettet", "budgeten", "amount", "beløp", "belopp",
    "beløpet", "beloppet", "value", "verdi", "verdien", "värde", "värdet",
))  # fmt: skip


def _not_a_deal_name(run: list[Word]) -> bool:
    """A remark ("de gikk for en konkurrent"), a count ("12 konsulter", "24 months") or a lone small word is not
    what a deal is called."""
    if run[0].low in _NOT_A_DEAL or run[-1].low in {"men", "but", "och", "og", "and", "so", "sa"}:
        return True  # (a name never ends in a conjunction: "tråkigt men …")
    if _count(run):
        return True
    if len(run) == 1 and re.fullmatch(r"\d+(?:[.,]\d+)?(?:k|m|mill)", run[0].low):
        return True  # ("MRR rundt 50k": a second figure, not a name)
    if run[-1].low in _AMOUNT_LABELS and all(w.text.islower() for w in run):
        return True  # ("…, final price 1.1m NOK": the label of the amount)
    if len(run) == 1 and run[0].low in _VAGUE_NOUNS:
        return True  # ("the Kvitfjell Resorts thing is dead": the customer's deal, not a name of its own)
    small = (
        run[0].low in FILLERS
        or run[0].low in _CLOSE_WORDS
        or run[0].low in _TITLE_INTRO
        or run[0].low in _REFERRING
        or run[0].low in _PAST_VERBS
        or run[0].low in _CLAUSE_TIME | {"then", "da", "yet", "enno", "annu", "already", "allerede", "redan"}
        or run[0].low in _PASSIVE_CHANGES
        or run[0].low in {"too", "also", "ogsa", "ocksa"}  # ("and Nesodden Kommune → qualified too")
    )  # ("… as lost", "create one", "skapa en då", "forventet signert flyttes til …")
    return len(run) == 1 and run[0].text.islower() and small


def _comment_to_the_end(words: list[Word], subject: list[Word]) -> list[Word]:
    """ "rang X, no answer, left a voicemail": a logged comment runs over later commas to the end of the message,
    as long as what follows is plain text (no cue, no slot, no name)."""
    k = subject[-1].i + 1
    if k >= len(words) or words[k].low != ",":
        return subject
    rest = words[k + 1 :]
    plain = [w for w in rest if not w.boundary]
    if (
        not plain
        or any(w.boundary and w.low not in {",", "."} for w in rest)
        or any(w.labels or w.text[:1].isupper() for w in plain)
    ):
        return subject
    return _trim_subject(subject + rest)


def _comment_clause(words: list[Word]) -> list[Word]:
    """In a log without a topic word, the clause that starts with a pronoun after the customer and the date:
    the comment, as if a comma were there."""
    for k in range(2, len(words)):
        w = words[k]
        if w.low not in _CLAUSE_SUBJECTS or w.cue is not None:
            continue
        if w.text in _NAME_PARTICLES and words[k - 1].text[:1].isupper() and _particle_before_name(words, k):
            continue  # "Pieter-Jan de Wit": a particle inside a person's name, not "de" (they)
        prev = words[k - 1]
        starts_clause = prev.boundary or prev.low in {",", ":"} or BLANK in prev.low
        if not (starts_clause or k >= 3 and w.low in _SUBJECT_PRONOUNS):
            continue  # "logg det som notat": "det" is the object there
        rest = [x for x in words[k:] if not (x.boundary and BLANK in x.low)]
        rest = _trim_subject(rest)
        if len([x for x in rest if not x.boundary]) >= 3:
            return rest
    return []


_MEETING_WITH = frozenset(fold(w) for w in ("with", "med", "m", "m.", "m/", "w", "w/", "hos", "at"))


def _meeting_purpose(words: list[Word]) -> list[Word]:
    """ "a meeting with Odda Kraftlag monday 10am for the design workshop": what follows "for" after the one met
    is the meeting's purpose, when it is not a name ("for the SOW kickoff", "för projektstart")."""
    met = False
    for w in words:
        if w.low in _MEETING_WITH and w.cue is None:
            met = True
        elif w.low == "for" and w.cue is None and (met or w.i > 1 and words[w.i - 1].low == "in"):
            # ("can we get X in for a walkthrough of …": the one brought in, then what for; not "in for a meeting")
            brought_in = not met
            rest: list[Word] = []
            for nxt in words[w.i + 1 :]:
                if nxt.boundary and (
                    BLANK in nxt.low or nxt.low in {",", ";", ".", "?", "!"} or nxt.low in _DASHES
                ):
                    break
                rest.append(nxt)
            rest = _trim_subject(rest)
            if brought_in and not any(x.low in {"of", "on", "about", "re"} for x in rest):
                continue
            if rest and rest[0].text[:1].islower() and not rest[0].labels & _REQUEST_CUES:
                return rest
    return []


def _topic_before_with(words: list[Word]) -> list[Word]:
    """ "kickoff for PoC-en med Brekke Analyse 3. desember", "tmrw 4pm, PoC review with Lundgren Analytics AB":
    a topic that opens the message, before "med/with/hos" and the one met, is the meeting's subject."""
    start = next((w.i for w in words if not w.boundary and not w.labels & {"POLITE", "SMALL_TALK"}), None)
    if start is None:
        return []
    for w in words[start + 1 : start + 7]:
        if w.boundary:
            return []
        if w.low in _MEETING_WITH and w.cue is None:
            run = words[start : w.i]
            if (
                run[-1].labels & {"MEETING"}
                and (
                    _GENERIC_MEETING.search(run[-1].low) or len(run) > 1
                )  # (but "kickoff med …": what it is)
                or any(x.labels - {"MEETING"} for x in run)
                or any("MEETING" in x.labels for x in run[1:])  # "ett möte behöver bokas med …": passive
                or any(x.low in _MODAL_LEAD for x in run)
            ):
                return []  # "meeting with Acme", "kan vi ta et møte med …": the request, not a topic
            if _person(Segment(run, None)) or any(x.low in _HEDGES for x in run):
                return []  # ("skulle vi kunna ses med …?": a hedged request, not a topic)
            return run
    return []


_HEDGES = frozenset(
    fold(w) for w in ("skulle", "kunna", "kunne", "could", "should", "would", "burde", "borde")
)


_GENERIC_MEETING = re.compile(
    r"(mote|moete|mtoe|mots|meet\w*|mtg|lunch\w*|lunsj\w*|middag|dinner|coffee|kaffe|call|"
    r"samtal\w*|visit|besok\w*|befaring|visning|meeting\w*|meetign|meetnig)$"
)


_ASK_VERBS = frozenset(
    fold(w) for w in ("get", "have", "arrange", "organise", "organize", "set", "ta", "få", "ha")
)


def _booked_topic(words: list[Word]) -> list[Word]:
    """ "put in a kickoff with Grimstad Bokhandel", "boka QBR med Fjällräven Logistik": what is booked, when it is
    not the word for a meeting itself ("book a meeting with …", "lunch med …"), is its subject."""
    verb = next((w.i for w in words if w.labels & {"SCHEDULE", "CREATE"}), None)
    if (
        verb is None
    ):  # "can we get a kickoff w/ Ernst & Young", "let's have a QBR with …": asked for, in other words
        verb = next(
            (
                w.i
                for w in words[1:]
                if w.low in _ASK_VERBS
                and (
                    words[w.i - 1].low in {"we", "let's", "lets", "vi"}
                    or w.i > 1
                    and words[w.i - 1].low in {"'s", "’s"}
                    and words[w.i - 2].low == "let"
                )
            ),
            None,
        )
    if verb is None:
        return []
    k = verb + 1
    while k < len(words) and (words[k].labels & {"SCHEDULE", "CREATE"} or words[k].low in _ARTICLES):
        k += 1
    run: list[Word] = []
    for w in words[k : k + 4]:
        if w.low in _MEETING_WITH and w.cue is None or BLANK in w.low and run:
            break  # (or its date: "book kickoff tue 9am")
        if run and w.low == "in" and w.i + 1 < len(words) and words[w.i + 1].low in _MEETING_WITH:
            break  # ("let's get a QBR in with …": what is got in)
        if w.boundary or w.labels - {"MEETING"}:
            return []
        run.append(w)
    else:
        if k + 4 < len(words):
            return []
    if (
        not run
        or any(_GENERIC_MEETING.search(w.low) or w.low in FILLERS for w in run)  # ("book the same with …")
        or _person(Segment(run, None))
        or run[0].low in _DEMONSTRATIVES | _REFERRING  # "book it", "boka det"
    ):
        return []
    return run


_REFERRING = frozenset(
    fold(w)
    for w in ("it", "them", "dem", "one", "en", "ett", "ei", "et", "henne", "her", "him", "ham", "honom")
)


def _topic_after_question(words: list[Word]) -> list[Word]:
    """ "can we get 30 min with Elin … tomorrow afternoon? budget review": plain words after the question are
    the topic."""
    asked = max((w.i for w in words if w.low == "?"), default=None)
    if asked is None:
        return []
    run = _trim_subject(words[asked + 1 :])
    if (
        not run
        or len(run) > 6
        or any(w.boundary or w.labels - {"KPI", "MEETING", "SALES_FIELD", "DEAL"} for w in run)
        or run[0].low in _REFERRING
    ):
        return []
    return run


def _topic_after_date(words: list[Word]) -> list[Word]:
    """ "mtg nordkust fastigheter 2/12 kl 9 budget 2027": dictated words after the customer and the date are the
    topic, as if a comma were there."""
    blanks = [w.i for w in words if BLANK in w.low]
    if not blanks or blanks[-1] + 1 >= len(words):
        return []
    run = _trim_subject([w for w in words[blanks[-1] + 1 :]])
    named_before = any(not w.boundary and not w.labels and w.i < blanks[0] for w in words)
    if (
        not run
        or not named_before
        or len(run) > 5
        or any(w.boundary or w.labels - {"MEETING", "KPI"} for w in run)
        or run[0].low in CUSTOMER_PREPOSITIONS
        or run[0].low in _MEETING_WITH
        or all(w.low in _MEETING_MODES for w in run)
    ):
        return []
    return run


_WALK_VERBS = frozenset({"walk", "go", "run", "ga"})
_THROUGH = frozenset({"through", "over", "gjennom", "igjennom", "igenom"})


def _walked_through(words: list[Word]) -> list[Word]:
    """ "… on wednesday two weeks from now to go through the podcast sponsorship package": what a meeting is
    booked to go through, after the one met and the date."""
    for w in words[1:-2]:
        if (
            words[w.i - 1].low in {"to", "a", "att"}
            and w.low in _WALK_VERBS
            and words[w.i + 1].low in _THROUGH
            and any(BLANK in x.low for x in words[: w.i])
        ):
            rest: list[Word] = []
            for nxt in words[w.i + 2 :]:
                if nxt.low in {",", ";", ".", "?", "!"} or nxt.low in _DASHES or BLANK in nxt.low:
                    break
                rest.append(nxt)
            rest = _trim_subject(rest)
            if rest and not any(x.labels & _REQUEST_CUES for x in rest):
                return rest
    return []


def _kind_after_customer(words: list[Word]) -> list[Word]:
    """ "📅 Sandnes Sparebank kickoff thursday 9:30", "📅 Tangen Bryggeri tasting session tomorrow 2pm": a meeting
    heading, the capitalised customer, then lower-case words (a kind of meeting that is not the plain word, or a
    topic) right before the date: the subject."""
    heading = {"MEETING", "SCHEDULE", "LOG", "CALL", "NOTE", "EMAIL"}
    if len(words) < 4 or not words[0].labels & heading:
        return []
    k = 1
    while k < 3 and words[k].labels & heading and words[k].text.islower():
        k += 1  # ("book meeting Sandvika Tannklinikk patient portal demo thursday 13:00", "log call X …")
    if k > 1 and words[k].low in _MEETING_WITH:
        return []  # ("book møte med X …": read the usual way)
    if words[k].low in _MEETING_WITH and not words[k].labels:  # ("mtg w NORDLANDSBANKEN Q1 budget review …")
        k += 1
    first = k
    while (
        k < len(words)
        and not words[k].labels
        and not words[k].boundary
        and not _ticket(words[k])
        and (words[k].text[:1].isupper() or words[k].text == "&" and k > first)
    ):
        k += 1
    if k == first or words[k - 1].text == "&":
        return []
    end = k
    while end < len(words) and end - k < 4 and not words[end].boundary and BLANK not in words[end].low:
        end += 1
    run = words[k:end]
    if (
        not run
        or end >= len(words)
        or BLANK not in words[end].low
        or any(
            w.labels - {"MEETING", "KPI"}
            or not (w.text.islower() or _ticket(w) and w is run[0])
            or w.low in _MEETING_WITH
            or w.low in CUSTOMER_PREPOSITIONS
            or w.low in FILLERS
            for w in run
        )
        or len(run) == 1
        and _GENERIC_MEETING.search(run[0].low)
        or all(w.low in _MEETING_MODES or _GENERIC_MEETING.search(w.low) for w in run)
    ):
        return []
    return run


# How or where a meeting is held ("… tue 2pm teams"): not what it is about.
_MEETING_MODES = frozenset(fold(w) for w in (
    "teams", "zoom", "meet", "video", "online", "digital", "digitalt", "fysisk", "fysiskt", "physical", "in-person",
    "onsite", "on-site", "hybrid", "telefon", "phone", "lunch", "lunsj",
))  # fmt: skip


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


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅÄÖ])|(?<=[^\W\d_]{3}[.!])\s+(?=[a-zæøåäö]+\s)")
# (also a lower-case sentence after a full stop: "she's sending over the signed NDA. lovely person, …")


def _subject_text(words: list[Word], run: list[Word]) -> str:
    """The subject as written, up to the end of its sentence ("gjennomgang av SLA. Kan du logge det?")."""
    text = _SENTENCE_BREAK.split(_span_text(words, run[0], run[-1]))[0].rstrip(" .!?")
    return _TOPIC_LEAD.sub("", text) or text


_TOPIC_LABELS = frozenset({"agenda", "tema", "topic", "emne", "amne", "subject", "theme"})
# A topic's own lead-in: "agenda: budsjett 2027", "det gäller underhållsplanen", "it's about the renewal".
_TOPIC_LEAD = re.compile(
    r"^(?:(?:agenda|tema|topic|emne|ämne|subject|theme)\s*(?::|\s(?:was|is|er|var|är|blir)\b)\s*|(?:det|it)\s*(?:'s|s|is|er|är)?\s*(?:gjelder|gäller|"
    r"handler om|handlar om|about)\s+|(?:we|vi)\s+(?:talked|spoke|chatted|snakket|snakka|pratet|pratade|pratat)\s+"
    r"(?:about|om)\s+)",
    re.IGNORECASE,
)  # ("… we talked about the service agreement pricing. can you log it": the topic after "about")


def _task_subject(words: list[Word]) -> tuple[list[Word], list[Word]]:
    """The to-do phrase after the task cue, and the words before a colon ("task for Acme: ...")."""
    cue_positions = [w.i for w in words if w.cue == "TASK"]
    if cue_positions:
        end = cue_positions[0]
        while end + 1 < len(words) and words[end + 1].cue == "TASK" and words[end].low != ":":
            end += 1
        rest = words[end + 1 :]
        verb = next((k for k in range(cue_positions[0], end + 1) if words[k].low in _TODO_VERBS), None)
        if verb is not None:
            # "follow up with Acme next week", "task: följ upp …": the cue is the to-do's verb
            rest = words[verb:]
    else:  # "ring Acme tirsdag": no trigger, the message (its last clause: "ringte X, ring dem …") is the to-do
        breaks = [w.i for w in words if w.low in {",", ";"} and any(not x.boundary for x in words[w.i + 1 :])]
        rest = words[breaks[-1] + 1 :] if breaks else words
    head: list[Word] = []
    colon = next((k for k, w in enumerate(rest) if w.low == ":"), None)
    comma = (
        max((k for k, w in enumerate(rest[:colon]) if w.low == "," and k > 0), default=None)
        if colon
        else None
    )
    if colon is not None and comma is not None and colon - comma <= 3:
        # "todo, uppdatera kontaktlistan för X, när: om 3 dagar": a field label, not a head
        rest = rest[:comma]
    elif colon is not None:
        head, rest = rest[:colon], rest[colon + 1 :]
    phrase = _todo_phrase(rest)
    if len(phrase) == 2 and phrase[1].low in _OBJECT_PRONOUNS:
        phrase = []  # "…, lägg in det som en uppgift åt honom": for whom, the to-do came before
    if not phrase and not head and cue_positions:
        # "check whether Granli IT has signed the call-off — add that as a to-do": the trigger follows the to-do
        cut = max((w.i for w in words[: cue_positions[0]] if w.low in _CLAUSE_BREAKS), default=0)
        phrase = _todo_phrase(words[:cut])
        while phrase and (
            phrase[0].low in _MODAL_LEAD or phrase[0].low in _SUBJECT_LEAD or phrase[0].boundary
        ):
            phrase = phrase[1:]  # "behöver kolla …", "need to chase …": the framing, not the to-do
    return phrase, head


# Task cues that are the verb of the to-do itself ("follow up with Acme", "følg opp Fjord Bygg").
_TODO_VERBS = frozenset({"follow", "followup", "folg", "folge", "folj", "folja"})
_CLAUSE_BREAKS = frozenset({",", ";", "-", "–", "—"})
_MODAL_LEAD = frozenset(
    fold(w) for w in ("need", "needs", "must", "behöver", "måste", "må", "trenger", "trengs")
)


# "a reminder should be set to …", "en oppgave må opprettes: …": the trigger said in the passive is framing.
_MODALS = frozenset(fold(w) for w in ("should", "must", "needs", "skal", "ska", "må", "måste", "bør", "bör"))
_PASSIVE_SET = frozenset(fold(w) for w in (
    "set", "created", "added", "made", "opprettes", "lages", "settes", "legges", "skapas", "läggas", "sättas",
    "göras",
))  # fmt: skip


def _without_passive_lead(rest: list[Word]) -> list[Word]:
    if not rest or rest[0].low not in _MODALS:
        return rest
    k = 1 + (len(rest) > 1 and rest[1].low in {"be", "bli"})
    if k < len(rest) and rest[k].low in _PASSIVE_SET:
        return rest[k + 1 :]
    return rest


def _todo_phrase(rest: list[Word]) -> list[Word]:
    """The to-do in the words after a trigger: from the first word that is not a lead-in to the first date."""
    rest = _without_passive_lead(rest)
    phrase: list[Word] = []
    for k, w in enumerate(rest):
        if w.boundary and BLANK in w.low and "@" in w.text and phrase:
            phrase.append(w)  # "mejla offerten till jonas@aspnas-it.se": an address stays in the to-do
            continue
        if not phrase and w.low == "get" and k + 1 < len(rest) and _object_follows(rest[k + 1]):
            phrase.append(w)  # "get the reference case … approved", "get Acme to sign": the to-do's own verb
            continue
        if w.boundary and BLANK in w.low:
            if all(x.low in _DEADLINE_WORDS or x.low in FILLERS for x in phrase):
                phrase = []  # "set a reminder for 8am thursday to prep slides": the date's "for", then the to-do
                continue
            break
        if not phrase and (w.boundary or w.low in _SUBJECT_LEAD or w.low in FILLERS or w.labels & {"POLITE"}):
            continue
        if phrase and w.cue == "TASK" and phrase[-1].boundary:
            break  # "chase Acme for the unpaid invoice, set a reminder": a second trigger ends the to-do
        if phrase and w.low in {"?", "!"}:
            break  # "… to call Ragnhild at Lyngdal Kraftlag? no rush": the question ends the to-do
        phrase.append(w)
    while (
        phrase
        and not _glued(phrase[-1])
        and (
            phrase[-1].low in _DEADLINE_WORDS
            or phrase[-1].boundary
            and "@" not in phrase[-1].text
            or phrase[-1].low in FILLERS
            and not _legal_form_after_name(phrase)
            and phrase[-1].low not in _OBJECT_PRONOUNS  # "ring dem tilbake", "call them back"
            and not (phrase[-1].low in _PARTICLES and len(phrase) > 1 and phrase[-2].low in _OBJECT_PRONOUNS)
        )
    ):
        phrase = phrase[:-1]
    return phrase


_PARTICLES = frozenset(fold(w) for w in ("back", "tilbake", "tillbaka", "up", "opp", "upp"))


def _object_follows(w: Word) -> bool:
    """An article, a possessive or a capitalised name: the object of a verb before it."""
    return not w.boundary and (
        w.low in _DETERMINERS or w.low in {"his", "her", "its"} or w.text[:1].isupper()
    )


def _glued(w: Word) -> bool:
    """A word joined to the one before by a hyphen: the ending of a compound ("PoC-en", "greenfee-systemet")."""
    return w.start > 1 and w.source[w.start - 1] == "-" and w.source[w.start - 2].isalnum()


_OBJECT_PRONOUNS = frozenset(
    {"oss", "us", "dem", "them", "henne", "her", "ham", "him", "meg", "mig", "me", "honom"}
)


_CLAUSE_TIME = frozenset({"na", "nu", "now", "ar", "again", "igjen", "igen"})
# ("… ligger hos juridisk nå", "… tidligere i år", "they want the pricing sheet again": the clause's own time)


_INSTEAD = frozenset(fold(w) for w in ("istället", "istedet", "istedenfor", "instead"))


def _legal_form_after_name(run: list[Word]) -> bool:
    """The last word is a legal form written as one ("SA", "AS") after a capitalised word: the end of a name."""
    return len(run) > 1 and run[-1].text in _WRITTEN_FORMS and run[-2].text[:1].isupper()


def _trim_subject(run: list[Word]) -> list[Word]:
    while run and run[0].low in {"to", "at", "att", "a"} and len(run) > 1 and run[0].low != "a":
        run = run[1:]
    if len(run) > 1 and run[0].low in {"er", "ar", "blir", "is", "was", "var", "ble", "blev"}:
        run = run[1:]  # "tema er serviceavtalen", "topic was the office move": the topic after its copula
    while run and (
        run[-1].low in FILLERS
        and not _glued(run[-1])
        and run[-1].text.lower() != "än"  # (Swedish "yet" folds to the English article: "inget bekräftat än")
        and not (run[-1].low in _CLAUSE_TIME and len(run) > 3)  # (the time of a clause stays in the comment)
        and not (
            run[-1].low in _INSTEAD and len(run) > 3 and run[0].low in _SUBJECT_PRONOUNS
        )  # ("they want a fixed fee instead": a clause of its own keeps its last word)
        and run[-1].low not in _OBJECT_PRONOUNS  # "… vill byta till oss"
        and not _legal_form_after_name(run)  # ("… from Coop Norge SA": the name's legal form, not "så")
        or run[-1].boundary
        or run[-1].low in _DEADLINE_WORDS
        or run[-1].labels & {"LOG", "POLITE"}  # "… klare for pilot 👍 logg pls"
    ):
        run = run[:-1]
    return run


# "head of data", "chief of staff", "leder for salg", "chef för inköp": a role over some area.
_TITLE_PREFIXES = (
    "head of ",
    "chief ",
    "director of ",
    "vp of ",
    "leder for ",
    "chef for ",
    "ansvarlig for ",
    "ansvarig for ",
    "vp ",
    "svp ",
    "evp ",
)  # fmt: skip  ("VP Nordics", "SVP Sales")


def _looks_like_title(text: str) -> bool:
    low = fold(text)
    if len(low.split()) > 3:
        return False
    return low in _FOLDED_TITLES or low.endswith(TITLE_SUFFIXES) or low.startswith(_TITLE_PREFIXES)


def _is_person(segment: Segment) -> bool:
    return segment.words[0].low in FIRST_NAMES


def _adjacent_to_deal(words: list[Word], segment: Segment) -> bool:
    nxt = segment.words[-1].i + 1
    return nxt < len(words) and words[nxt].cue == "DEAL"


_OFFER_NOUNS = frozenset(fold(w) for w in ("tilbud", "tilbudet", "offert", "offerten", "proposal", "quote"))


def _cased_split(words: list[Word], named: Segment) -> int | None:
    """In a sales message whose writer capitalises names, the last capitalised word of a customer followed by a
    lower-case deal ("the Bodø Havnevesen crane telemetry"); not a deal name with a number ("Acme renewal 2027")."""
    first = named.words[0]
    start = 0
    opens = False
    if first.i == 0 or words[first.i - 1].low not in _DETERMINERS:
        # (only a noun phrase: "Lärbro Kalk skjuter på …" is a customer and a verb; "drop the X booking engine")
        inner = next(
            (k for k, w in enumerate(named.words[:-2]) if w.low in _DETERMINERS and w.text.islower()), None
        )
        formed_at = next((k for k, w in enumerate(named.words[1:-1], 1) if w.text in _WRITTEN_FORMS), None)
        opens = inner is None and formed_at is None and _opens_deal_phrase(words, named)
        if inner is None and formed_at is None and not opens:
            return None
        # ("Kjøkken&Bad AS lisensfornyelse er nå i forhandling": a legal form ends the name before the deal)
        start = inner + 1 if inner is not None else 0
    caps = start
    formed = False  # "the Greystone Ltd CRM rollout": a legal form ends the name, whatever the deal's case
    while (
        caps < len(named.words)
        and (
            named.words[caps].text[:1].isupper()
            or named.words[caps].text.isdigit()  # ("the 3M Norge badge reader deal")
            and caps + 1 < len(named.words)
            and named.words[caps + 1].start == named.words[caps].end
            and named.words[caps + 1].text[:1].isupper()
        )
    ):
        w = named.words[caps]
        if (
            caps > start
            and w.text.isupper()
            and len(w.text) > 1
            and w.text not in _WRITTEN_FORMS
            and not named.words[start].text.isupper()
            and caps + 1 < len(named.words)
            and named.words[caps + 1].text.islower()
        ):  # "the Lysaker Gruppen ERP rollout": an acronym between a Title-case name and a lower-case deal
            formed = True
            break
        caps += 1
        if caps > start + 1 and named.words[caps - 1].text in _WRITTEN_FORMS:
            formed = True
            break
    if (
        caps == start
        or caps == len(named.words)
        or any(any(ch.isdigit() for ch in w.text) for w in named.words[caps:])
    ):
        return None
    tail = _deal_tail(named.words[caps:], acronyms=formed)
    if (
        not tail
        or opens
        and (named.words[caps - 1].low.endswith("s") or tail[0].low in LEGAL_FORMS)
        or not all(w.text.isalpha() and (w.text.islower() or formed) for w in tail)
        or _person(Segment(named.words[start:caps], None))
    ):
        return None
    return caps - 1


def _opens_deal_phrase(words: list[Word], named: Segment) -> bool:
    """ "new deal Halsnøy Fiskeoppdrett feed sensors", "mark Lindeberg Arkitekter website rebuild as won": the
    customer right after the word that opens the request (a deal word, an update or create verb, "deal for"), or
    a heading before a comma or colon ("✅ Tromsø Havnelager cold storage expansion, final price …")."""
    first, last = named.words[0], named.words[-1]
    if first.i == 0 or words[first.i - 1].boundary and first.i == 1:
        after = words[last.i + 1] if last.i + 1 < len(words) else None
        return after is not None and after.boundary and after.low in {",", ":", ";", "-", "–"}
    prev = words[first.i - 1]
    if prev.low in _DEAL_FOR and first.i > 1:
        prev = words[first.i - 2]
    return bool(prev.labels & {"DEAL", "UPDATE", "CREATE"})


def _deal_tail(run: list[Word], acronyms: bool = False) -> list[Word]:
    """The deal's words up to a verb or a small word ("medlemsportal glider …", "crane telemetry yet")."""
    out: list[Word] = []
    for w in run:
        if not _inside_hyphens(w) and (
            w.low in _SMALL_VERBS
            or w.low in _PAST_VERBS
            or w.low in FILLERS
            and not (acronyms and w.text.isupper() and len(w.text) > 1)  # ("CRM rollout")
            or w.low in _NOT_A_DEAL
            or w.low in {"yet", "enno", "annu", "now", "na", "nu"}
            or w.low in {"sin", "sitt", "sine"}  # ("sette Telemark Tannhelse sin sak til …": whose, no name)
            or w.text in {"as", "som"}  # ("mark the Bergen Bygg rollout as won")
        ):
            break
        out.append(w)
    return out


_SPLITTING_FORMS = LEGAL_FORMS - {
    "as",
    "da",
    "sa",
    "co",
    "ag",
    "lp",
    "ky",
    "hb",
    "kb",
    "ks",
    "ba",
    "sf",
}  # (not everyday words)
_NAME_LINKS = frozenset({"i", "in", "og", "and", "och", "of", "for", "för", "pa", "&"})
_ARTICLES = frozenset(
    {"the", "a", "an", "den", "det", "en", "ett", "et", "ei", "sin", "sitt", "their", "his", "her"}
)
_NUMBER_REF = re.compile(
    r"^(?:(?:cust(?:omer)?|kunde|kund)\s*)?(?:no\.?|nr\.?|#|number|nummer|kundenummer|kundnummer)?\s*#?(\d+)$",
    re.I,
)


def _genitive_deal(slots: dict[str, Any], words: list[Word]) -> None:
    """ "Norrlandsfrakts lagersystem", "Eikeli Skolers skybytte": a capitalised customer in the genitive, then the
    deal's own lower-case name (the customer without its -s, the deal as the subject)."""
    named = slots.get("customer")
    if (
        not isinstance(named, str)
        or not named.endswith("s")
        or not named[:1].isupper()
        or named.endswith("ss")
    ):
        return
    last = next((w for w in words if w.source[: w.end].endswith(named)), None)
    if last is None:
        return
    run: list[Word] = []
    for w in words[last.i + 1 : last.i + 4]:
        if w.boundary or w.labels or not w.text.isalpha() or not w.text.islower():
            break
        if w.low in _NO_DEAL_WORDS or w.low in _SMALL_VERBS or w.low in _VERBS_AFTER_NAME:
            break
        run.append(w)
    if len(run) == 1:  # (one word: "skolprojekt"; more is a remark, "… gikk til en konkurrent")
        slots["customer"] = named[:-2] if named.endswith(":s") else named[:-1]  # ("Dataväven AB:s …")
        slots["subject"] = run[0].text


def _without_genitive(name: str, lang: str, joined_by_hyphen: bool = False) -> str:
    """ "Uppsala Datas affär" names the customer "Uppsala Data" (Norwegian and Swedish genitive -s)."""
    if name.endswith(
        ("'s", "’s", ":s")
    ):  # ("Dataväven AB:s supportavtal": the genitive after an abbreviation)
        return name[:-2]
    last = name.split()[-1] if name.split() else ""
    if lang == "en" or joined_by_hyphen:
        return name
    if len(last) > 3 and last.endswith("s") and last.lower() not in LEGAL_FORMS and not last.endswith("ss"):
        return name[:-1]
    return name


_PAST_VERBS = frozenset(fold(w) for w in ("skrev", "signerte", "signerade", "signed", "accepted", "aksepterte",
                                          "accepterade", "lost", "won", "confirmed", "approved", "bekreftet",
                                          "bekräftad", "bekräftat", "godkjent", "godkänd", "godkänt"))  # fmt: skip
_SMALL_VERBS = frozenset(fold(w) for w in (
    "har", "hadde", "hade", "er", "är", "var", "blir", "blev", "vil", "vill", "skal", "ska", "kan", "må", "måste",
    "has", "have", "had", "is", "are", "was", "were", "will", "wants", "want", "can", "must",
    "went", "chose", "decided", "gikk", "gick", "valgte", "valde", "bestemte", "bestämde", "takket", "tackade",
    "said", "says", "sier", "sade", "säger",
))  # fmt: skip


def _small_verb(w: Word) -> bool:
    """One of the small verbs, also with two neighbouring letters swapped ("ranvik tekstil siad yes")."""
    if w.low in _SMALL_VERBS:
        return True
    low = w.low
    return len(low) >= 4 and any(
        low[:k] + low[k + 1] + low[k] + low[k + 2 :] in _SMALL_VERBS for k in range(len(low) - 1)
    )


def _name_words(words: list[Word], segment: Segment) -> list[Word]:
    """Where a capitalised name is followed by lower-case words ("Elverum Eiendom takket nei"), the name."""
    run = segment.words
    capital = next((k for k, w in enumerate(run) if w.text[:1].isupper()), None)
    framed = (
        capital == 1
        and run[0].i > 0
        and words[run[0].i - 1].low in _DETERMINERS
        and run[-1].i + 1 < len(words)
        and "DEAL" in words[run[-1].i + 1].labels
        and all(w.text[:1].isupper() for w in run[1:])
    )  # ("Set the strandvik Fisk deal to 65%": between "the" and "deal", one word autocorrect left lower-case)
    if (
        capital
        and not framed
        and all(w.text[:1].isalpha() and w.low not in _NAME_LINKS for w in run[:capital])
        and _writes_names_capitalised(words)
    ):
        run = run[
            capital:
        ]  # "hvor står Rognan Energi-saken": the words before the capitalised name are not it
    if not run[0].text[:1].isupper():
        # "oppdal skiheis har betalt fakturaen": a small verb ends a name written in lower case
        verb = next((k for k, w in enumerate(run[1:], 1) if _small_verb(w)), None)
        return run[:verb] if verb is not None else run
    for k, w in enumerate(run[1:], start=1):
        if (
            w.text[:1].isalpha()
            and w.text[:1].islower()
            and w.low not in LEGAL_FORMS
            and w.low not in _NAME_LINKS
            and w.low not in _ORG_NOUNS  # ("Hallstahammars kommun", "Steinsland og Dahl advokatfirma")
            and not _particle_before_name(run, k)  # ("Joost van der Linden")
        ):
            return run[:k]
    return run


# What kind of organisation a name is, written in lower case after it: part of the name, like a legal form.
_ORG_NOUNS = frozenset(fold(w) for w in (
    "kommun", "kommune", "fylkeskommune", "landsting", "region", "advokatfirma", "advokatbyrå", "advokatbyra",
    "stiftelse", "stiftelsen", "förening", "forening", "borettslag", "sameie", "idrettslag", "municipality",
    "county", "council",
))  # fmt: skip


_NAME_IT = frozenset(fold(w) for w in ("kalla", "kall", "call", "name", "döp", "døp", "døpe", "döpa"))


def _named_it(words: list[Word]) -> list[Word]:
    """ "kalla den Drönarinventering", "call it Phase 2", "døp den til Skyløft": the name given to the deal."""
    for w in words[:-2]:
        if w.low not in _NAME_IT or words[w.i + 1].low not in {"den", "det", "it", "dealen", "affaren"}:
            continue
        k = w.i + 2 + (words[w.i + 2].low in {"til", "till"})
        run: list[Word] = []
        for nxt in words[k:]:
            if nxt.boundary:
                break
            run.append(nxt)
        run = _trim_subject(run)
        if run and len(run) <= 5:
            return run
    return []


# "Petra Ek var med", "Mikael Lindroos deltog", "Sanna svarade", "Tom joined": someone taking part.
_TOOK_PART = (("var", "med"), ("var", "ogsa", "med"), ("deltog",), ("deltok",), ("joined",), ("was", "there"),
              ("svarade",), ("svarte",), ("answered",), ("was", "present"))  # fmt: skip


def _took_part(run: list[Word]) -> bool:
    """A person's name (capitalised, or a known first name) and nothing else but that they took part."""
    end = next((k for k, w in enumerate(run) if w.low in {".", "!", "?"}), len(run))
    run = run[:end]  # ("Petra Ek var med. Logga det": up to the end of the sentence)
    while len(run) > 2 and run[-1].low in {"too", "also", "ogsa", "ocksa"}:
        run = run[:-1]  # ("Jonas Eide was there too")
    for tail in _TOOK_PART:
        n = len(tail)
        if len(run) > n and tuple(w.low for w in run[-n:]) == tail:
            head = run[:-n]
            return len(head) <= 3 and (
                head[0].low in FIRST_NAMES and all(w.text[:1].isupper() or w.low in FIRST_NAMES for w in head)
            )
    return False


def _deal_name(words: list[Word], segment: Segment) -> str:
    """A deal's name is a thing, not a company: "Patient portal", "Visitor app" keep their lower-case words, up
    to a small verb ("Web relaunch er signert")."""
    run = segment.words
    verb = next((k for k, w in enumerate(run[1:], 1) if w.low in _SMALL_VERBS), None)
    if not run[0].text[:1].isupper() or verb is not None:
        return _name(words, segment)
    return _span_text(words, run[0], run[-1])


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
                and (
                    prev.words[0].text[:1].isupper() or prev.words[0].text[:1].isdigit()
                )  # ("3D-Tryckeriet i …")
                and seg.words[0].text[:1].isupper()
            ):
                joined[-1] = Segment(prev.words + gap + seg.words, prev.before)
                continue
        joined.append(seg)
    return joined


_COPULAS = frozenset({"er", "ar", "is", "som", "as", "blir", "becomes", "was", "var"})


_PRONOUNS = frozenset({"han", "hun", "hon", "he", "she", "they", "de"})


def _after_copula(run: list[Word]) -> list[Word]:
    """ "hun er innkjøpsleder", "she is the CFO": what is said of a pronoun (the run itself when it is not so)."""
    if len(run) > 2 and run[0].low in _PRONOUNS and (run[1].low in _COPULAS or run[1].low == "'s"):
        return _trim(run[2:]) or run  # ("he's the head of sales": the article goes too)
    return run


def _named_after_copula(segment: Segment) -> list[Segment]:
    """ "(ny økonomisjef hos) Bryne Bakeri er Linn Tjelta": the company, then the person the copula names."""
    run = segment.words
    k = next((k for k, w in enumerate(run[1:-1], 1) if w.low in {"er", "ar", "is"}), None)
    if k is None or not _person(Segment(run[k + 1 :], None)) or not run[k + 1].text[:1].isupper():
        return [segment]
    return [Segment(run[:k], segment.before), Segment(run[k + 1 :], run[k])]


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


# "his name's Henrik Aasen", "hun heter Kari Dahl": the words that say a name comes.
_NAME_LEADS = frozenset(fold(w) for w in (
    "his", "her", "their", "name", "name's", "'s", "is", "hans", "hennes", "hun", "hon", "han", "heter", "navn",
    "namn", "er", "är",
))  # fmt: skip


_MONTH_NAMES = frozenset({"jan", "june", "july", "april", "may", "august", "juni", "juli", "mai"})
_TIME_PREPOSITIONS = frozenset(
    fold(w) for w in ("in", "i", "by", "til", "till", "until", "from", "fra", "før", "innen")
)


def _person(segment: Segment) -> bool:
    run = segment.words
    if (
        len(run) == 1
        and run[0].low in _MONTH_NAMES
        and segment.before is not None
        and segment.before.low in _TIME_PREPOSITIONS
    ):
        return False  # "they want a workshop in Jan": the month, not a person
    if any(w.low in FIRST_NAMES for w in run[:2]):
        return True
    if (
        len(run) >= 2
        and run[0].text[:1].isupper()
        and (
            re.fullmatch(r"[A-ZÆØÅÄÖ]\.?", run[0].text) is not None  # "K. Nyström"
            and (run[1].text == "." and run[2].text[:1].isupper() or run[0].text.endswith("."))
            or _particle_before_name(run, 1)  # "Pieter van der Berg"
        )
    ):
        return True
    lead = 0
    while lead < len(run) - 1 and run[lead].low in _NAME_LEADS:
        lead += 1
    if lead >= 2 and run[lead].low in FIRST_NAMES:
        return True  # "his name's Henrik Aasen"
    # "daglig leder Anders Moe": a title, then the person
    return any(
        run[k].low in FIRST_NAMES and _looks_like_title(" ".join(w.text for w in run[:k]))
        for k in range(2, min(4, len(run)))
    )


_GROUP_NOUNS = frozenset(fold(w) for w in ("team", "teamet", "teamen", "folks", "folka", "gjengen", "gänget",
                                           "people", "folk", "gutta", "gubbarna", "guys", "crowd"))  # fmt: skip


def _pronoun(segment: Segment) -> bool:
    """ "can you show it?": a word pointing back at a name, not a name."""
    return len(segment.words) == 1 and segment.words[0].text in {"it", "them", "den", "det", "dem", "dom"}


def _moved_to(words: list[Word], origin: Segment, segment: Segment) -> bool:
    """Whether `segment` follows "from <origin> to": the place someone has moved to."""
    return (
        origin.before is not None
        and origin.before.low in {"from", "fra", "fran"}
        and segment.before is not None
        and segment.before.low in {"to", "til", "till"}
        and segment.before.i == origin.words[-1].i + 1
    )


def _titled_aside(words: list[Word], segment: Segment) -> bool:
    """ "Lotta Berg (ekonomiansvarig)": a name with the person's title in parentheses after it."""
    k = segment.words[-1].i + 1
    close = next((w.i for w in words[k + 1 : k + 5] if w.low == ")"), None)
    return (
        close is not None
        and words[k].low == "("
        and close > k + 1
        and _looks_like_title(_span_text(words, words[k + 1], words[close - 1]))
    )


def _comma_workplace(words: list[Word], segment: Segment, place: Segment) -> bool:
    """A name of two or three capitalised words, a comma, and a company with its legal form: a person there."""
    run = segment.words
    return (
        2 <= len(run) <= 3
        and all(_name_cased(w.text) and w.low not in LEGAL_FORMS for w in run)
        and run[-1].i + 2 == place.words[0].i
        and words[run[-1].i + 1].low == ","
        and len(place.words) > 1
        and place.words[-1].text in _WRITTEN_FORMS
    )


def _name_cased(text: str) -> bool:
    """Written like a person's name: each part a capital, then lower case ("Kari", "O'Neill", "Nowak-Lindqvist")."""
    return all(
        part[:1].isupper() and (part[1:].islower() or not part[1:]) for part in re.split(r"['-]", text)
    )


def _at_workplace(words: list[Word], segment: Segment, workplace: Segment) -> bool:
    """A name of one or two capitalised words right before "på/at/hos" and a workplace: a person there."""
    run = segment.words
    return (
        workplace.before is not None
        and workplace.before.low in WORKPLACE_PREPOSITIONS
        and run[-1].i + 1 == workplace.before.i
        and len(run) <= 3
        and all(_name_cased(w.text) and w.low not in LEGAL_FORMS for w in run)
        and workplace.words[0].text[:1].isupper()  # (not "purre Fjord Bygg på fakturaen")
    )


# Particles inside a person's name ("Pieter van der Berg", "Karin af Klint", "Omar al-Hashimi").
_NAME_PARTICLES = frozenset({"van", "von", "der", "den", "de", "af", "av", "da", "di", "du", "del", "della", "la", "le",
                             "ter", "ten", "bin", "al", "el", "dos", "das", "zu", "op"})  # fmt: skip


def _particle_before_name(run: list[Word], k: int) -> bool:
    """Whether run[k] is a lower-case particle that a capitalised part of the same name follows."""
    j = k
    while j < len(run) and run[j].text in _NAME_PARTICLES:
        j += 1
    return j > k and j < len(run) and run[j].text[:1].isupper() and run[j].low not in _NAME_PARTICLES


def _person_name(words: list[Word], segment: Segment) -> str:
    """The person in a segment: from the first first name, at most three words, capitalised ones if written so."""
    start = next((k for k, w in enumerate(segment.words) if w.low in FIRST_NAMES), 0)
    ws = segment.words
    while start >= 1 and ws[start].source[ws[start - 1].end : ws[start].start] in {"-", "–"}:
        if not ws[start - 1].text[:1].isupper():
            break
        start -= 1  # "Ana-Maria López": the whole double first name
    if (
        start == 1
        and ws[0].text[:1].isupper()
        and ws[0].text[1:].islower()
        and ws[0].text.isalpha()
        and ws[0].cue is None
        and not ws[0].text.isascii()
        and len(ws) <= 4
    ):
        start = 0  # "María José García": a first name written with its accent, before a known one
    run = segment.words[start : start + 3]
    if run[0].text[:1].isupper():
        run = segment.words[start : start + 6]
        end, names = 1, 1
        while end < len(run) and "\n" not in run[0].source[run[end - 1].end : run[end].start]:
            glued = run[0].source[run[end - 1].end : run[end].start] in {"-", "–"}  # ("López-Fernández")
            if not (run[end].text[:1].isupper() or _particle_before_name(run, end)):
                break
            if run[end].text[:1].isupper() and not glued:
                if names >= 3:
                    break
                names += 1
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
    return sorted(
        segments, key=lambda s: not any(_capitalised(words, w) and w.text[:1].isalpha() for w in s.words)
    )  # ("purre på faktura 4471 hos Sortland Maskin": a number is no capital)


def _last_comma(run: list[Word], k: int) -> int:
    """The message place of the last comma in run[:k], or -1."""
    return max((w.i for w in run[:k] if w.low == ","), default=-1)


def _past_blanks(words: list[Word], k: int) -> int:
    """The first word from k on that is not a blanked slot (a date, a number)."""
    while k < len(words) and words[k].boundary and BLANK in words[k].low:
        k += 1
    return k


def _names(intent: str, words: list[Word], lang: str) -> dict[str, Any]:
    if intent not in INTENT_SLOTS or intent == "lookup_org":
        return {}
    found: dict[str, Any] = {}
    used: set[int] = set()
    if (
        intent == "find_customer"
        and (quoted := _QUOTED.search(words[0].source if words else ""))
        and not _asked_after_quote(words, quoted)
    ):
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
    story: set[int] = set()
    if intent in ACTIVITY_INTENTS or intent in SALES_INTENTS:
        subject_words, used = _subject(words, intent)
        christened = _named_it(words) if intent in SALES_INTENTS else []
        if christened:  # "… lägga upp en affär och kalla den Drönarinventering?"
            subject_words, used = christened, {w.i for w in christened}
        if intent == "log_activity":
            clause = _comment_clause(words)
            talked = (
                bool(subject_words)
                and subject_words[0].i >= 2
                and words[subject_words[0].i - 2].low in _TALK_VERBS
            )
            reported = any(
                w.labels & {"CALL", "MEETING", "EMAIL", "LOG", "NOTE"} for w in subject_words
            ) or bool(
                subject_words and subject_words[0].low in {"jeg", "jag"}  # ("jag sitter i bilen, …")
            )
            if clause and (not subject_words or subject_words[0].i > clause[0].i or reported) and not talked:
                # ("…, jeg ringte Vigdis hos X i dag, de vil vente …": the report is not its own topic)
                # "…, hon återkommer om budgeten efter nyår": the whole comment, not only what follows "om"
                subject_words, used = clause, {w.i for w in clause}
        if (
            intent == "log_activity"
            and subject_words
            and subject_words[0].labels & {"CALL", "MEETING"}
            and (len(subject_words) <= 4 or subject_words[0].low in _PAST_CALLS | _PAST_MEETINGS)
            and (next_at := _past_blanks(words, subject_words[-1].i + 1)) < len(words)
            and words[next_at].low in _DASHES | {":"}
        ):  # ("called Kjell @ Aune Elektro this morning – wants …": past the blanked date too)
            # "…, snakket med Bente – vil flytte oppstarten til januar": who was talked to, then the comment
            later, later_used = _subject(words, intent, subject_words[-1].i + 1)
            if later:
                subject_words, used = later, later_used
        if intent == "log_activity" and subject_words and _took_part(subject_words):
            # "…, Petra Ek var med", "Mikael Lindroos deltog": who was there is the contact, not the topic
            rest = [w for w in words[subject_words[-1].i + 1 :] if not w.boundary or w.low == ","]
            comma = bool(rest) and rest[0].low == "," and len(rest) > 1
            clause = _comment_clause(words) if comma else []
            asked_at = _request_start(words)
            clause = [w for w in clause if w.i > subject_words[-1].i and (asked_at is None or w.i < asked_at)]
            while clause and clause[-1].boundary:  # ("…, they want to pilot it - can someone log that")
                clause = clause[:-1]
            subject_words, used = clause, {w.i for w in clause}
        if intent == "log_activity" and subject_words:
            subject_words = _comment_to_the_end(words, subject_words)
            used = used | {w.i for w in subject_words}
        if intent in SALES_INTENTS and subject_words and _not_a_deal_name(subject_words):
            subject_words, used = [], set()  # "…, de gikk for en konkurrent": a remark, not the deal's name
        if intent == "log_activity" and subject_words and not subject_words[0].labels & _REQUEST_CUES:
            # "…, he wants a demo of the app, pls log as meeting": the comment, up to the request after it
            asked_at = next(
                (
                    k
                    for k, w in enumerate(subject_words[1:], 1)
                    if w.labels & {"SCHEDULE", "LOG"}
                    and all(
                        x.labels & {"POLITE"} or x.low in _POLITE
                        for x in subject_words[1:k]
                        if x.i > _last_comma(subject_words, k)
                    )
                    and _last_comma(subject_words, k) > subject_words[0].i
                ),
                None,
            )
            if asked_at is not None:
                comment = [w for w in subject_words[:asked_at] if w.i < _last_comma(subject_words, asked_at)]
                if len(comment) >= 2:
                    subject_words, used = comment, {w.i for w in comment}
        if (
            subject_words
            and subject_words != christened
            and (  # (a name given: "call it Open Banking API")
                subject_words[0].labels & _REQUEST_CUES
                or subject_words[0].i > 0
                and words[subject_words[0].i - 1].low == ","
                and any(w.labels & {"SCHEDULE", "LOG"} for w in subject_words)
            )
        ):
            subject_words, used = [], set()  # "…, put it in the calendar!": the request, not the topic
        request = _request_start(words)
        if (
            subject_words
            and request is not None
            and subject_words[-1].i < request
            and intent in ACTIVITY_INTENTS
        ):
            # "Vi har pratat om att ses …, så kan du boka … om deras nya intranät": the request's own topic
            asked, asked_used = _subject(words, intent, request)
            if asked:
                subject_words, used = asked, asked_used
            elif subject_words[0].low in _DEMONSTRATIVES or (
                intent == "schedule_meeting" and subject_words[0].low in _SUBJECT_PRONOUNS
            ):  # ("…, dom verkade intresserade sist. kan du boka nåt …": a remark in the story, no topic)
                subject_words, used = (
                    [],
                    set(),
                )  # "vi pratade om det här …, så kan du boka ett möte": no topic
        ends = [w.i for w in words[2:-1] if w.low in {".", "?", "!"} and w.text == w.low]
        asking = ends[-1] + 1 if ends and words[ends[-1] + 1].labels & _IMPERATIVES else None
        if (
            request is None
            and intent == "schedule_meeting"
            and asking is not None
            and subject_words
            and subject_words[0].low in _SUBJECT_PRONOUNS
            and subject_words[-1].i < asking
        ):  # "bra samtal med X nyss, de vill träffas på plats. boka ett möte …": what they said, no topic
            story = set(used)  # (the remark names no one either)
            asked = _subject(words, intent, asking)[0]
            subject_words, used = asked, {w.i for w in asked}
        labelled = bool(subject_words) and (
            subject_words[0].i > 0
            and words[subject_words[0].i - 1].low in _TOPIC_LABELS
            and subject_words[0].low == ":"
            or len(subject_words) > 1
            and subject_words[0].low in _TOPIC_LABELS
            and subject_words[1].low == ":"
        )  # ("tema: ny serviceavtale", "agenda: new pricing model": the topic, whatever words it has)
        if (
            subject_words
            and request is not None
            and subject_words[0].i <= request <= subject_words[-1].i
            and not labelled
        ):
            subject_words = _trim_subject(
                [w for w in subject_words if w.i < request]
            )  # "…, kan du logga det"
            used = {w.i for w in subject_words}
        if intent == "schedule_meeting" and subject_words:
            met = next(
                (k for k, w in enumerate(subject_words[1:], 1) if w.low in _MEETING_WITH and not w.cue), None
            )
            if met is not None:  # "PoC review with Lundgren AB": the topic, then the one met
                subject_words = _trim_subject(subject_words[:met])
                used = {w.i for w in subject_words}
        if intent == "log_activity" and not subject_words and not labelled:
            # "logcall w haugsbakk eiendom yday 2pm budget frozen til march": dictated words after the date
            subject_words = _topic_after_date(words) or _kind_after_customer(words)
            used = {w.i for w in subject_words}
        if intent == "schedule_meeting" and not subject_words:
            subject_words = (
                _meeting_purpose(words)
                or _walked_through(words)
                or _topic_after_question(words)
                or _topic_before_with(words)
                or _topic_after_date(words)
                or _booked_topic(words)
                or _kind_after_customer(words)
            )
            used = {w.i for w in subject_words} | (
                {subject_words[0].i - 1}
                if subject_words and (words[subject_words[0].i - 1].labels or not subject_words[0].i)
                else set()
            )  # (the word before a topic, unless it is a name: "📅 Sandnes Sparebank kickoff …")
        if subject_words:
            found["subject"] = _subject_text(words, subject_words)
    segments = _without_words(_segments(words, intent), used | story)
    if intent == "add_contact":
        for seg in list(segments):
            told = _after_copula(seg.words)  # "hon är ekonomichef": the title without "hon är"
            if told is not seg.words and _looks_like_title(_span_text(words, told[0], told[-1])):
                found.setdefault("title", _span_text(words, told[0], told[-1]))
                segments.remove(seg)
                continue
            text = seg.text(words)
            if _looks_like_title(text) and _person_words(seg) is None:
                k = seg.words[0].i - 1
                if (
                    k >= 0
                    and words[k].labels
                    and not words[k].boundary
                    and words[k].text[:1].isupper()
                    and text[:1].isupper()
                    and _looks_like_title(f"{words[k].text} {text}")
                ):  # "Account Director": a capitalised cue word that starts the title
                    text = _span_text(words, words[k], seg.words[-1])
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
                lead = seg.words[0].low
                said = len(tail) < len(seg.words) - cut or lead in FIRST_NAMES or lead in _PRONOUNS
                if not said:
                    continue  # "3B Konsult", "ekström konsult": a company whose name ends in a trade
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
    quoted = (
        next(
            (q for q in _DEAL_QUOTED.finditer(words[0].source if words else "") if _name_like(q.group(1))),
            None,
        )
        if intent in SALES_INTENTS
        else None
    )  # (not a pasted sentence: '"Thanks, but we have decided to go with another vendor." … set that to lost')
    if quoted is not None:
        # "create deal 'Substation study 2027' for Odda Kraftlag": the quotes name the deal
        found["subject"] = quoted.group(1).strip()
        segments = [  # every other segment is back in play, also one the subject rules had taken
            s for s in _segments(words, intent) if not quoted.start() <= s.words[0].start < quoted.end()
        ]
    if intent == "add_contact":
        segments = [part for s in segments for part in _named_after_copula(s)]
    workplace = [s for s in segments if s.before is not None and s.before.low in WORKPLACE_PREPOSITIONS]
    with_prep = [s for s in segments if s.before is not None and s.before.low in CUSTOMER_PREPOSITIONS]
    free = [s for s in segments if s not in with_prep]

    if intent == "add_contact":
        people = [s for s in segments if _person(s)] or [s for s in segments if _titled_aside(words, s)]
        contact = people[0] if people else next((s for s in free), None)
        customer = next((s for s in workplace if s is not contact), None) or next(
            (s for s in with_prep if s is not contact), None
        )
        if customer is None:
            customer = next((s for s in free if s is not contact), None)
        moved_to = next((s for s in segments if customer is not None and _moved_to(words, customer, s)), None)
        if moved_to is not None:  # "Erik Sand moved from Odda Kraftlag to North42 Labs": where they are now
            customer = moved_to
        if contact is not None:
            found["contact_name"] = (
                _person_name(words, contact) if _person(contact) else _name(words, contact)
            )
        if customer is not None:
            found["customer"] = _name(words, customer)
        return found
    if intent in ACTIVITY_INTENTS:
        asked_from = _request_start(words)
        if asked_from is not None and any(s.words[0].i > asked_from for s in with_prep):
            # "Vi har pratat länge …, så kan du boka in ett möte med Gunilla på Ekerö Kommunservice": the request
            # names them; the story before it does not
            workplace = [s for s in workplace if s.words[0].i > asked_from]
            with_prep = [s for s in with_prep if s.words[0].i > asked_from]
            free = [s for s in free if s.words[0].i > asked_from]
        # "med Kari hos Acme": Kari is the contact, Acme the customer; "med Acme": Acme is the customer.
        companions = [
            s
            for s in with_prep
            if s.before is not None
            and s.before.low not in WORKPLACE_PREPOSITIONS
            and not all(w.low in _GROUP_NOUNS | {"over", "down", "up", "there"} for w in s.words)
            # "with the team at Vardø Havbruk", "the folks over at Nordic Foods"
        ]
        if workplace and companions:
            found["contact_name"] = (
                _person_name(words, companions[0]) if _person(companions[0]) else _name(words, companions[0])
            )
            found["customer"] = _name(words, workplace[0])
            return found
        free = [s for s in free if not all(w.low in _TALK_VERBS for w in s.words)]  # ("pratade i telefon …")
        people = [
            s
            for s in with_prep + free
            if _person(s) and not _introduces_self(words, s) and not _signs_off(words, s)
        ]
        if not people and workplace:  # "ringte Bergfrid på Hadeland Glassverk": someone at the workplace
            people = [s for s in free if any(_at_workplace(words, s, place) for place in workplace)]
        if not people and not workplace:  # "meeting w Ewa Nowak-Lindqvist, Granit & Betong Nord AB, …"
            people = [s for s in with_prep if any(_comma_workplace(words, s, place) for place in free)]
        others = _names_first(words, [s for s in with_prep + free if not _person(s) and s not in people])
        companies = [s for s in workplace if not _person(s)] or others
        if (
            companies
            and others
            and companies[0] is not others[0]
            and not _capitalised(words, companies[0].words[0])
            and _capitalised(words, others[0].words[0])
        ):
            companies = others  # "ringte Fjord Bygg på mobilen": the capitalised name, not where it happened
        if people:
            found["contact_name"] = _person_name(words, people[0])
        if intent == "log_activity" and "subject" not in found and _has(words, "EMAIL"):
            sent = _sent_object(words)  # "emailed Henrik at Tre Kroner Logistik AB the updated price list"
            if sent:
                found["subject"] = _subject_text(words, sent)
        if companies:
            found["customer"] = _name(words, companies[0])
        elif subject_words and not people:
            opening = _name_words(words, Segment(subject_words, None))
            # "notat: Larvik Havn vil vente …": the comment names the customer first
            if 1 < len(opening) < len(subject_words) and all(
                w.text[:1].isupper() and not w.cue for w in opening
            ):
                found["customer"] = _span_text(words, opening[0], opening[-1])
                if (
                    len(opening) >= 4
                    and opening[-2].low in FIRST_NAMES
                    and opening[0].low not in FIRST_NAMES
                    and not opening[-1].text.isupper()
                    and opening[-2].end < opening[-1].start
                ):  # "note: Grønli Bakeri Aksel Tveit new opening hours …": the customer, then who said it
                    found["customer"] = _span_text(words, opening[0], opening[-3])
                    found["contact_name"] = _span_text(words, opening[-2], opening[-1])
                    rest = _trim_subject(subject_words[len(opening) :])
                    if rest:
                        found["subject"] = _subject_text(words, rest)
        return found
    if intent in SALES_INTENTS:
        # "for 6 consultants through 2027", "went with a competitor": not the customer
        free = [s for s in free if not _count(s.words) and not _other_party(s) and not _went_with(words, s)]
        with_prep = [
            s for s in with_prep if not _count(s.words) and not _other_party(s) and not _went_with(words, s)
        ]
        numbered_deal = _numbered_deal(words) if "subject" not in found else None
        if (
            numbered_deal is not None
        ):  # "push close on the Sørli Bygg Phase 2 deal", "mark the Lønn 2027 deal"
            owners, deal_words = numbered_deal
            found["subject"] = _span_text(words, deal_words[0], deal_words[-1])
            if owners:
                found["customer"] = _span_text(words, owners[0], owners[-1])
                return found
            taken = {w.i for w in deal_words}
            segments = [s for s in segments if not any(w.i in taken for w in s.words)]
            free = [s for s in free if not any(w.i in taken for w in s.words)]
            with_prep = [s for s in with_prep if not any(w.i in taken for w in s.words)]
        titled = next((s for s in segments if _after_definite_deal(words, s)), None)
        if titled is not None and "subject" not in found:  # "salgsmuligheten Kjølelager er tapt"
            found["subject"] = _deal_name(
                words, titled
            )  # ("affären Förstudie logistik": lower-case words too)
            segments = [s for s in segments if s is not titled]
            free = [s for s in free if s is not titled]
            with_prep = [s for s in with_prep if s is not titled]
        owned = _deal_of(words, segments) if "subject" not in found else None
        if (
            owned is not None
        ):  # "beløpet på Nettverksløft-saken for Sørli IKT", "the Smart metering deal with X"
            found["subject"] = _deal_name(words, owned[0])
            found["customer"] = _name(words, owned[1])
            return found
        all_segments = _segments(words, intent)
        dashed = _dashed_deal(words, all_segments)
        if dashed is not None and found.get("subject", "") in _span_text(
            words, dashed[1][0], dashed[1][-1]
        ):  # "Heddal Bygdetun - Visitor app: …", "closed won on X – Patient portal"
            found["customer"] = _name(words, dashed[0])
            found["subject"] = _span_text(words, dashed[1][0], dashed[1][-1])
            return found
        formed = _formed_deal(words, all_segments) if "subject" not in found else None
        if formed is not None:  # "Set Haugland Kraft AS Wind Monitoring To Negotiation"
            found["customer"] = _name(words, formed[0])
            found["subject"] = _span_text(words, formed[1][0], formed[1][-1])
            return found
        at = next((s for s in segments if s.before is not None and s.before.low in _DEAL_AT), None)
        if at is None and intent == "update_sales_case" and "subject" not in found:
            at = next((s for s in segments if _named_deal_for(words, segments, s)), None)
            deal = next((s for s in segments if at is not None and s.words[-1].i + 1 == at.before.i), None)  # type: ignore[union-attr]
            if at is not None and deal is not None:  # "bump Data Warehouse 2.0 for Sirdal Bank to 80%"
                found["subject"] = deal.text(words)
                found["customer"] = _name(words, at)
                return found
        if at is None:  # "skapa affär Lagerflytt för Hedberg Logistik": the deal noun, its name, for whom
            at = next((s for s in segments if _deal_for(words, segments, s)), None)
        deal = next((s for s in segments if at is not None and s.words[-1].i + 1 == at.before.i), None)  # type: ignore[union-attr]
        if at is not None and deal is not None and "subject" not in found:
            # "vi vant Skyflytting hos Brekke Bygg": the deal, then where it is
            found["subject"] = _deal_name(words, deal)
            found["customer"] = _name(words, at)
            return found
        cased = _writes_names_capitalised(words)  # (then "Vi aksepterer tilbudet" names no customer)
        deal_named = [
            s for s in segments if _adjacent_to_deal(words, s) and not (cased and s.text(words).islower())
        ]
        lowered = next(
            (
                s
                for s in segments
                if cased
                and _adjacent_to_deal(words, s)
                and s.text(words).islower()
                and not _person(s)
                and (
                    s.words[0].low in _DETERMINERS
                    or s.words[0].i > 0
                    and words[s.words[0].i - 1].low in _DETERMINERS
                )
            ),
            None,
        )
        if lowered is not None and "subject" not in found and not _not_a_deal_name(lowered.words):
            # "mark the feed system deal as won" (the customer written with capitals elsewhere): the deal's name
            run = lowered.words
            while len(run) > 1 and run[0].low in _DETERMINERS:
                run = run[1:]
            found["subject"] = _span_text(words, run[0], run[-1])
            segments = [s for s in segments if s is not lowered]
            free = [s for s in free if s is not lowered]
            with_prep = [s for s in with_prep if s is not lowered]
        named: Segment | None = None
        if intent == "update_sales_case":
            before_colon = [
                s for s in free if s.words[-1].i + 1 < len(words) and words[s.words[-1].i + 1].low == ":"
            ]
            numbered = [s for s in segments if _YEAR.search(s.text(words)) and not _not_a_deal_name(s.words)]
            if numbered and "subject" not in found and not deal_named:
                found["subject"] = numbered[0].text(words)
                segments = [s for s in segments if s is not numbered[0]]
                free = [s for s in free if s is not numbered[0]]
                with_prep = [s for s in with_prep if s is not numbered[0]]
            named = next(
                iter(deal_named or before_colon or _people_last(_names_first(words, with_prep + free))), None
            )
        else:
            named = next(iter(_people_last(_names_first(words, with_prep + deal_named + free))), None)
        split_at = (
            next(
                (
                    k
                    for k, w in enumerate(named.words[1:-1], 1)
                    if w.low in _SPLITTING_FORMS and w.text.islower() or _as_inside_deal(words, w)
                ),
                None,
            )
            if named is not None and "subject" not in found and named.text(words).islower()
            else None
        )
        if named is not None and split_at is None and "subject" not in found and cased:
            # "a deal for the Bodø Havnevesen crane telemetry": the customer, then its deal in lower case
            split_at = _cased_split(words, named)
            if split_at is not None:
                tail = _deal_tail(
                    named.words[split_at + 1 :],
                    acronyms=named.words[split_at].text in _WRITTEN_FORMS
                    or named.words[split_at + 1].text.isupper(),
                )
                head_at = next(
                    k
                    for k in range(split_at, -1, -1)
                    if k == 0
                    or not named.words[k - 1].text[:1].isupper()
                    and not (
                        named.words[k - 1].text.isdigit() and named.words[k - 1].end == named.words[k].start
                    )
                )
                found["customer"] = _span_text(words, named.words[head_at], named.words[split_at])
                if tail and not _not_a_deal_name(tail):  # ("the Kvitfjell Resorts thing is dead")
                    found["subject"] = _span_text(words, tail[0], tail[-1])
                return found
        if named is not None and split_at is not None:
            # "bump the skybase ab cloud move to 80%": a lower-case customer ends at its legal form, the deal follows
            found["customer"] = _span_text(words, named.words[0], named.words[split_at])
            found["subject"] = _span_text(words, named.words[split_at + 1], named.words[-1])
            return found
        if named is not None:
            name = _name(words, named)
            source = words[0].source
            before_quote = quoted is not None and not source[named.words[-1].end : quoted.start()].strip()
            kept = _name_words(words, named)
            offer = len(kept) < len(named.words) and named.words[len(kept)].low in _OFFER_NOUNS
            english_deal = (
                named in deal_named and words[named.words[-1].i + 1].low in _ENGLISH_DEAL_NOUNS
            )  # ("the Storfjord Laks deal": English has no bare genitive -s)
            if (
                named in deal_named and not english_deal or before_quote or offer
            ):  # "Nacka Medias ”Webbyte 3.0”", "Xs tilbud er tapt"
                name = _without_genitive(name, lang, _hyphen_before(words, named))
            found["customer"] = name
            owner = next((k for k, w in enumerate(named.words[1:-1], 1) if w.low == "'s"), None)
            if (
                owner is not None
                and "subject" not in found
                and (named in deal_named or not named.words[owner + 1].text[:1].isupper())
            ):  # "3sixty media's brand refresh" (but "Larsen's Trafikkskole signed": one name)
                found["customer"] = _span_text(words, named.words[0], named.words[owner - 1])
                found["subject"] = _span_text(words, named.words[owner + 1], named.words[-1])
                return found
            last = named.words[-1]
            if (
                named in deal_named
                and "subject" not in found
                and len(named.words) >= 3
                and not _hyphen_before(words, named)  # ("Sundbyberg IT-dealen": the customer's deal)
                and 2 <= len(last.text) <= 5
                and last.text.isalpha()
                and last.text.isupper()
                and last.low not in LEGAL_FORMS
                and all(w.text[:1].isupper() and not w.text.isupper() for w in named.words[:-1])
            ):  # "move the Atlas Foods ERP deal to negotiation": the customer, then the deal's acronym
                found["customer"] = _span_text(words, named.words[0], named.words[-2])
                found["subject"] = last.text
                return found
            glued = next(
                (k for k, w in enumerate(named.words) if len(w.text) > 2 and w.low.endswith(":s")), None
            )
            if glued is not None:  # "Datavärdet AB:s molnflytt": the genitive after an abbreviation
                found["customer"] = _span_text(words, named.words[0], named.words[glued])[:-2]
                if glued + 1 < len(named.words) and "subject" not in found:
                    found["subject"] = _span_text(words, named.words[glued + 1], named.words[-1])
                return found
            first_item = next(
                (s for s in free if s.words[0].i == 0 and s is not named and _item(words, s)), None
            )
            if (
                intent == "create_sales_case"
                and named in with_prep
                and first_item is not None
                and "subject" not in found
            ):
                if not _not_a_deal_name(first_item.words) and not _stage_word(first_item.words):
                    # "Managed Service Desk, 24 months, 1.2m — new deal for Nordkapp Logistics": the deal first
                    found["subject"] = _name(words, first_item)
            moved = next((s for s in free if s is not named and _moved_deal(words, s)), None)
            if moved is not None and "subject" not in found:
                # "that's from Vestbris, set SCADA upgrade to closed won": the deal between "set" and "to"
                found["subject"] = moved.text(words)
            if (
                named in deal_named
                and len(kept) < len(named.words)
                and "subject" not in found
                and named.words[len(kept)].low not in {"sin", "sitt", "sine"}  # ("X sin sak": whose, no name)
            ):
                # "the Osprey Maritime renewal deal": the customer, then what the deal is about
                found["subject"] = _span_text(words, named.words[len(kept)], named.words[-1])
        elif intent == "create_sales_case" and "subject" in found:
            found["customer"] = found.pop("subject")  # "ny deal: Skagerak Rør AS, 300 000 kr": a customer
        elif subject_words and subject_words[0].text[:1].isupper() and _writes_names_capitalised(words):
            opening = _name_words(words, Segment(subject_words, None))
            if (
                len(opening) < len(subject_words)
                and subject_words[len(opening)].low in _SMALL_VERBS | _PAST_VERBS
            ):
                # "…, Bømlo Båt gikk for en konkurrent, marker den som tapt": who did it, not a deal's name
                found.pop("subject", None)
                found["customer"] = _span_text(words, opening[0], opening[-1])
        return found
    # create / find / show customer: the name is what follows the cue.
    if intent == "create_customer":
        segments = _joined_names(words, segments)
        free = [s for s in segments if s.before is None or s.before.low not in CUSTOMER_PREPOSITIONS]
        with_prep = [s for s in segments if s not in free]
    target = _names_first(words, free + with_prep) if intent != "find_customer" else free or with_prep
    if intent == "find_customer":
        searched_for = [s for s in with_prep if _searched_for(words, s)]
        if searched_for and (not free or searched_for[0].words[0].i < free[0].words[0].i):
            # "search customers for Lofoten and see what comes up": what is searched for, as a name
            target = [Segment(_name_words(words, searched_for[0]), searched_for[0].before)]
            while len(target[0].words) > 1 and target[0].words[-1].low in _NAME_LINKS:
                target = [Segment(target[0].words[:-1], target[0].before)]
    if intent == "find_customer":
        # "kunder med navn Solberg", "som heter noe med Havbruk", "containing the word marine": after the naming
        after_naming = [s for s in segments if _after_naming(words, s) or _in_it(words, s)]
        target = after_naming or target
    if intent == "show_customer" and len(target) > 1 and _person(target[0]):
        # "Mette spør etter Hallingdal Tre …, kan du vise kundekortet?": the customer, not the colleague
        target = [s for s in target if not _person(s)] + [s for s in target if _person(s)]
    request = _request_start(words)
    if request is not None and intent in ("create_customer", "show_customer"):
        # the customer to create or show is the object of the request, not someone in the story before it
        cased = _writes_names_capitalised(words)
        target = [
            s
            for s in target
            if s.words[0].i > request
            and not _pronoun(s)
            and not (cased and not s.words[0].text[:1].isupper())  # ("… visa kunden så jag kan svara honom")
        ] or target
    if target:
        found["customer"] = (
            _name(words, target[0]) if intent != "find_customer" else _search_text(words, target[0])
        )
        kept = _name_words(words, target[0])
        after = target[0].words[len(kept)] if len(kept) < len(target[0].words) else None
        if intent == "show_customer" and after is not None and after.low in _CARD_NOUNS:
            found["customer"] = _without_genitive(found["customer"], lang)  # "visa Ekbackens kort"
    number = _CUSTOMER_NUMBER.search(words[0].source) if words and intent == "show_customer" else None
    if number is not None:
        found["customer"] = number.group(1)  # "kan jeg få se kunde #20377?"
    return found


_CARD_NOUNS = frozenset(fold(w) for w in ("kort", "kortet", "kundkort", "kundekort", "profil", "profile", "side",
                                          "sida", "sidan", "siden", "card", "info", "historikk", "historik"))  # fmt: skip
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


def _name_like(quoted: str) -> bool:
    """Whether quoted text can be what a deal is called: a few words, not a sentence."""
    return len(quoted.split()) <= 6 and not quoted.rstrip().endswith((".", "!", "?"))


def _new_deal_heading(words: list[Word], opener: Word) -> bool:
    """A message that opens with the deal noun, indefinite, as a heading ("opportunity Acme – …, 250k")."""
    return opener.labels == {"DEAL"} and not _definite(opener)


def _definite(noun: Word) -> bool:
    """ "salgsmuligheten", "affären": the definite form (not "salgsmulighet", "affär", "opportunity")."""
    return len(noun.low) > 5 and noun.low.endswith(("en", "et")) and not noun.low.endswith("het")


def _after_definite_deal(words: list[Word], segment: Segment) -> bool:
    """A name right after the deal noun in its definite form ("salgsmuligheten Kjølelager", "affären Molnflytt")
    is what the deal is called (after "affär", "opportunity" or "ny deal:" comes the customer)."""
    k = segment.words[0].i - 1
    if k < 0 or segment.words[0].boundary:
        return False
    noun = words[k]
    return noun.labels == {"DEAL"} and noun.text.islower() and _definite(noun)


def _deal_for(words: list[Word], segments: list[Segment], segment: Segment) -> bool:
    """ "affär Lagerflytt för Hedberg Logistik": the segment after "för" whose previous segment follows a deal noun."""
    before = segment.before
    if before is None or before.low not in _DEAL_FOR:
        return False
    return any(
        p.words[-1].i + 1 == before.i and p.words[0].i > 0 and "DEAL" in words[p.words[0].i - 1].labels
        for p in segments
    )


def _named_deal_for(words: list[Word], segments: list[Segment], segment: Segment) -> bool:
    """ "Skytrack migration for Namsos Trelast slipped …": a capitalised segment that opens the message (or follows
    the request's verb), then "for" and a capitalised customer: the deal's name, and whose deal it is."""
    before = segment.before
    if before is None or before.low not in _DEAL_FOR or not _capitalised(words, segment.words[0]):
        return False
    for p in segments:
        if p.words[-1].i + 1 != before.i or not _writes_names_capitalised(words):
            continue
        opens = p.words[0].i == 0 or words[p.words[0].i - 1].labels & {"UPDATE"}
        if opens and p.words[0].text[:1].isupper() and not _stage_word(p.words) and not _person(p):
            return True
    return False


def _dashed_deal(words: list[Word], segments: list[Segment]) -> tuple[Segment, list[Word]] | None:
    """ "Heddal Bygdetun - Visitor app", "new deal Haugesund Sveis — Robot cell integration — $120k": a customer,
    a spaced dash, and the deal's capitalised name up to the next break."""
    for seg in segments:
        k = seg.words[-1].i + 1
        if k + 1 >= len(words) or words[k].low not in _DASHES | {"|"} or not words[k].boundary:
            continue  # (also a pipe: "Söderlinds Måleri | Fasadrenovering etapp 2 -> tappad")
        if words[k].low == "|" and (sum(w.low == "|" for w in words) > 1 or _person(seg)):
            continue  # ("Kristoffer Dahl | Head of IT | Ørnes Havn AS", "Henrik Salo | Head of IT": a signature)
        name: list[Word] = []
        for w in words[k + 1 :]:
            if w.boundary:
                break
            name.append(w)
        while len(name) > 1 and name[-1].low in _DEADLINE_WORDS | {"to"} and name[-1].text.islower():
            name.pop()  # "Viken Vannrens - UV upgrade to next week"
        plain = bool(name) and not _not_a_deal_name(name) and _deal_tail(name) == name
        if (
            name
            and len(name) <= 6
            and (name[0].text[:1].isupper() or plain)  # ("Kongsvinger Energi – smart meter analytics")
            and seg.words[0].text[:1].isupper()
            and not _stage_word(name)
            and not any(
                w.labels & {"UPDATE", "SALES_FIELD", "CREATE", "LOG", "TASK"}
                and not (  # ("Voss Fjellheis – Nytt billettsystem": an adjective that opens the deal's name)
                    w is name[0]
                    and w.labels == {"CREATE"}
                    and w.text[:1].isupper()
                    and len(name) > 1
                    and not name[1].labels
                    and name[1].text.islower()
                )
                for w in name
            )
            and not (words[k].low == "|" and _looks_like_title(fold(" ".join(w.text for w in name))))
        ):
            return seg, name
    return None


def _numbered_deal(words: list[Word]) -> tuple[list[Word], list[Word]] | None:
    """ "the Sørli Bygg Phase 2 deal", "mark the Lønn 2027 deal as lost": after "the", a capitalised word and a
    number before "deal" name the deal; capitalised words before them are the customer."""
    for w in words:
        k = w.i
        if w.low not in {"deal", "deals"} or k < 3 or not _numbered(words):
            continue
        number, word = words[k - 1], words[k - 2]
        if (
            not number.text.isdigit()
            or len(number.text) > 4
            or number.boundary
            or word.boundary
            or not word.text.isalpha()
            or not word.text[:1].isupper()
            or word.text.isupper()
        ):
            continue
        j = k - 2
        while (
            j > 0
            and not words[j - 1].boundary
            and (words[j - 1].text[:1].isupper() or words[j - 1].text in _NAME_JOINERS)
        ):
            j -= 1
        if j == 0 or words[j - 1].low not in _DETERMINERS:
            continue
        owner = words[j : k - 2]
        if owner and (
            owner[0].text in _NAME_JOINERS or owner[-1].text in _NAME_JOINERS or _person(Segment(owner, None))
        ):
            continue
        return owner, [word, number]
    return None


_DEAL_ENDS = frozenset({"to", "as", "til", "till", "som", "deal", "from", "fra", "från"})


def _formed_deal(words: list[Word], segments: list[Segment]) -> tuple[Segment, list[Word]] | None:
    """ "Set Haugland Kraft AS Wind Monitoring To Negotiation": a capitalised customer that ends in its legal form,
    then straight after it the deal's capitalised name up to "to"/"as" or a break."""
    for seg in segments:
        k = seg.words[-1].i + 1
        if (
            k + 1 >= len(words)
            or words[k].text not in _WRITTEN_FORMS
            or not words[k].text.isupper()
            or not all(w.text[:1].isupper() for w in seg.words if w.text not in _NAME_JOINERS)
        ):
            continue
        name: list[Word] = []
        for w in words[k + 1 :]:
            if w.boundary or w.cue is not None or w.low in _DEAL_ENDS:
                break
            name.append(w)
        end = k + 1 + len(name)
        if (
            name
            and len(name) <= 4
            and end < len(words)
            and (words[end].boundary or words[end].low in _DEAL_ENDS)
            and all(w.text[:1].isupper() and w.text.isalpha() for w in name)
            and not name[0].text.isupper()
            and not _person(Segment(name, None))
            and not _stage_word(name)
            and not _not_a_deal_name(name)
        ):
            return seg, name
    return None


def _people_last(segments: list[Segment]) -> list[Segment]:
    """ "jag pratade med Henrik igår … Stensö Energi har valt …": a deal is a company's, not a person's."""
    return [s for s in segments if not _person(s)] + [s for s in segments if _person(s)]


def _deal_of(words: list[Word], segments: list[Segment]) -> tuple[Segment, Segment] | None:
    """A deal's name, the deal noun, then "for/hos/with" and a capitalised customer: the deal and whose it is."""
    for deal, owner in zip(segments, segments[1:], strict=False):
        k = deal.words[-1].i + 1
        if (
            owner.before is not None
            and owner.before.i == k + 1
            and owner.before.low in _DEAL_FOR | _DEAL_AT | {"with", "med"}
            and k < len(words)
            and "DEAL" in words[k].labels
            and (_glued(words[k]) or deal.words[0].text[:1].isupper())
            and owner.words[0].text[:1].isupper()
            and not _not_a_deal_name(deal.words)
            and not _person(owner)
        ):
            return deal, owner
    return None


def _searched_for(words: list[Word], segment: Segment) -> bool:
    """A segment after "for/etter/efter" that follows a search cue ("search customers for X", "søk etter X")."""
    before = segment.before
    if before is None or before.low not in {"for", "etter", "efter"}:
        return False
    k = before.i - 1
    return k >= 0 and bool(words[k].labels & {"FIND", "CUSTOMER"})


def _asked_after_quote(words: list[Word], quoted: re.Match[str]) -> bool:
    """'hon sa "vi heter typ Ljus-nånting" – sök på Ljus': the quote is what someone said; the search asked for
    after it (and nothing asked before it) is the search text."""
    outside = [w for w in words if "FIND" in w.labels and not quoted.start() <= w.start < quoted.end()]
    after = next((w for w in words if w.start >= quoted.end()), None)
    return (
        after is not None
        and after.boundary  # (not "'kraft' in the name": the quote is the searched text)
        and bool(outside)
        and all(w.start >= quoted.end() for w in outside)
    )


_QUOTED = re.compile(r"[\"“”«»']([^\"“”«»']{2,60})[\"“”«»']")


_SEARCH_NAMING = frozenset(fold(w) for w in (
    "heter", "named", "called", "navn", "namn", "name", "ordet", "word", "like", "matching", "starting",
    "starter", "börjar", "begynner", "containing", "inneholder", "innehåller", "med", "with", "på", "som", "typ",
    "noe", "något", "nåt", "something", "navnet", "namnet", "benämningen", "betegnelsen", "beteckningen",
))  # fmt: skip


_IN_IT = frozenset({"it", "seg", "sig", "navnet", "namnet"})


def _in_it(words: list[Word], segment: Segment) -> bool:
    """ "a company with Berg in it", "navnet hadde Offshore i seg": the text the name contains."""
    k = segment.words[-1].i + 1
    return k + 1 < len(words) and words[k].low in {"in", "i"} and words[k + 1].low in _IN_IT


def _after_naming(words: list[Word], segment: Segment) -> bool:
    """Whether a segment follows the words that say "named …" ("med navn", "som heter noe med", "the word")."""
    k = segment.words[0].i - 1
    seen = False
    while k >= 0 and (words[k].low in _SEARCH_NAMING or words[k].labels & {"VAGUE", "FIND"} and not seen):
        if words[k].low in _NAMING or words[k].low in {"navn", "namn", "name", "ordet", "word", "matching",
                                                       "starting", "starter", "borjar", "begynner", "containing",
                                                       "inneholder", "innehaller", "like", "navnet", "namnet",
                                                       "benamningen", "betegnelsen", "beteckningen"}:  # fmt: skip
            return True
        seen = True
        k -= 1
    return False


def _after_heading(parts: list[list[Word]]) -> list[list[Word]]:
    """The first part split after a heading of cues and a colon when a bare item follows ("ny deal: Acme")."""
    first = parts[0]
    source = first[0].source
    colon = next(
        (k for k, w in enumerate(first[:-1]) if ":" in source[w.end : first[k + 1].start]), None
    )  # (also past a blanked stage: "new lead: Brattli Energi, …")
    if colon is None:
        return parts[:1]
    head, item = first[: colon + 1], first[colon + 1 :]
    if not all(w.cue is not None or w.low in FILLERS for w in head) or any(
        w.cue is not None or w.low in CUSTOMER_PREPOSITIONS for w in item
    ):
        return parts[:1]
    return [head, item]


def _parts(words: list[Word]) -> list[list[Word]]:
    """The message split at commas (blanked slots and punctuation inside a part are dropped)."""
    parts: list[list[Word]] = [[]]
    piped = sum(w.text == "|" for w in words) >= 2  # ("note | X AS | price list too high, will revert")
    for w in words:
        if (
            w.low == "," and not piped or w.text == "|" or w.boundary and w.low in _DASHES and parts[-1]
        ):  # (a spaced dash and a pipe separate items too; in a pipe list a comma is inside an item)
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
    if intent in SALES_INTENTS and parts:
        parts = _after_heading(parts) + parts[1:]  # "ny salgsmulighet: Varanger Kraft, Datavarehus 2027, …"
    if intent in ACTIVITY_INTENTS and len(parts) >= 3:
        # "📞 Tornvik Data, Henrik Ståhl, i eftermiddags: …": a heading word with the customer, then the items
        k = next((k for k, w in enumerate(parts[0]) if w.cue is None and w.low not in FILLERS), 0)
        if (
            k
            and parts[0][k].text[:1].isupper()
            and all(w.cue is None for w in parts[0][k:])
            and any(p[0].low in FIRST_NAMES and p[0].text[:1].isupper() and len(p) <= 3 for p in parts[1:-1])
        ):  # (with a person among the items: "rang X, no answer, left a voicemail" is a sentence, not a form)
            parts = [parts[0][:k], parts[0][k:], *parts[1:]]
    two = (
        len(parts) == 2
        and len(parts[1]) <= 4
        and parts[1][0].cue is None
        and not any(w.low in SUBJECT_MARKERS or w.low in _MEETING_WITH or w.labels for w in parts[1])
        and any(BLANK in w.low for w in words[parts[1][-1].i + 1 :])
    )  # "møte -> brevik trafikkskole -> i morgen til lunsj": the heading, who, and when
    if len(parts) < 3 and not two or not all(w.cue is not None or w.low in FILLERS for w in parts[0]):
        return None
    if not any(w.labels & _HEADING_CUES[intent] for w in parts[0]):
        return None  # ("ok, så, når jeg er tilbake …, minn meg på …": a spoken lead-in, no heading)
    fields, unlabelled = _labelled_parts(words, parts[1:])
    if fields:
        return _fielded_names(intent, words, fields, unlabelled)
    content = [p for p in parts[1:] if not all(w.cue is not None or w.low in FILLERS for w in p)]
    if not content or content[0][0].cue is not None:
        return None  # ("new task, follow up with Jake at Moorland, week 49": a sentence after the heading)
    quoted = [p for p in content if _quoted(words, p)] if intent in SALES_INTENTS else []
    if quoted:  # "ny affär: Lindholmen Konsult, ”Säkerhetsrevision”, 350 000 kr": the quotes name the deal
        content = [p for p in content if p is not quoted[0]]
    if not content:
        return None
    if re.search(r"[?!]", words[0].source[content[0][0].start : content[0][-1].end]):
        return None  # ("gärna ett möte, när passar det er? svarade Henrik …": sentences, not a form's items)
    found: dict[str, Any] = {"customer": _span_text(words, content[0][0], content[0][-1])}
    head = content[0]
    tail_at = next((k for k, w in enumerate(head) if w.text.isalpha() and w.text.islower()), None)
    if (
        tail_at is not None
        and tail_at >= 3
        and head[tail_at - 1].text.isupper()
        and len(head[tail_at - 1].text) > 1
        and head[tail_at - 1].text not in _WRITTEN_FORMS
        and not head[0].text.isupper()
    ):  # "new opp: Nordre Follo Kommune HR system": an acronym between a Title Case name and a lower-case deal
        tail_at -= 1
    if (
        intent in SALES_INTENTS
        and not quoted
        and tail_at
        and all(w.text[:1].isupper() or w.low in {"&", "-"} for w in head[:tail_at])
        and all(
            w.text.isalpha() and (w.text.islower() or w is head[tail_at]) and not w.labels
            for w in head[tail_at:]
        )
        and len(head) - tail_at <= 3
        and not _not_a_deal_name(head[tail_at:])
        and _writes_names_capitalised(words)
    ):  # "new opportunity: Hovden Hotell booking engine, …": the customer, then the deal in lower case
        found["customer"] = _span_text(words, head[0], head[tail_at - 1])
        found["subject"] = _span_text(words, head[tail_at], head[-1])
        return found
    if quoted:
        found["subject"] = _span_text(words, quoted[0][0], quoted[0][-1])
        return found
    rest = content[1:]
    people = [p for p in rest if p[0].low in FIRST_NAMES and len(p) <= 3]
    if people and intent in ACTIVITY_INTENTS:
        person = people[0]
        if len(person) > 1 and _took_part(person):  # "Emily Ward answered": the person
            person = next(
                person[: -len(t)] for t in _TOOK_PART if tuple(w.low for w in person[-len(t) :]) == t
            )
        found["contact_name"] = _span_text(words, person[0], person[-1])
        rest = [p for p in rest if p is not people[0]]
    if rest:
        chosen = rest[0] if intent in SALES_INTENTS else rest[-1]
        if (
            intent in SALES_INTENTS
        ):  # "Hydraulic service 2027 is now in negotiation": the name, not the change
            verb = next((k for k, w in enumerate(chosen[1:], 1) if w.labels or w.low in _SMALL_VERBS), None)
            chosen = chosen[:verb] if verb is not None else chosen
        found["subject"] = _span_text(words, chosen[0], chosen[-1])
    return found


# The cues a form's heading names its request with ("møte, Acme AS, …", "ny affär: …").
_HEADING_CUES: dict[str, frozenset[str]] = {
    "log_activity": frozenset({"LOG", "CALL", "MEETING", "EMAIL", "NOTE"}),
    "create_task": frozenset({"TASK", "CREATE", "CALL"}),
    "schedule_meeting": frozenset({"MEETING", "SCHEDULE", "CREATE"}),
    "create_sales_case": frozenset({"DEAL", "CREATE", "SALES_FIELD"}),
    "update_sales_case": frozenset({"DEAL", "UPDATE", "SALES_FIELD"}),
}

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
        source = words[0].source
        aside = next(
            (k for k in range(1, len(person)) if "(" in source[person[k - 1].end : person[k].start]), None
        )
        if aside is not None:  # "with: Ylva Strand (Björkö Design AB)": the person, and where they work
            found["contact_name"] = text(person[:aside])
            found.setdefault("customer", text(person[aside:]))
        elif person[0].low in FIRST_NAMES or intent == "add_contact":
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
            found["customer"] = text(_without_title(words, part))
        elif part[0].low in FIRST_NAMES and "contact_name" not in found:
            found["contact_name"] = text(part)
    return found


def _without_title(words: list[Word], part: list[Word]) -> list[Word]:
    """ "CFO @ Moltke Revisjon", "daglig leder hos X": the workplace after a title and its preposition."""
    source = words[0].source
    for k in range(1, min(4, len(part))):
        at = "@" in source[part[k - 1].end : part[k].start]
        if not (at or part[k].low in WORKPLACE_PREPOSITIONS) or not _looks_like_title(
            _span_text(words, part[0], part[k - 1])
        ):
            continue
        place = part[k:] if at else part[k + 1 :]
        if place:
            return place
    return part


def _prefixed_names(intent: str, words: list[Word], prefix: list[Word]) -> dict[str, Any]:
    """ "Acme AS: sendte e-post i dag om oppstartsmøtet", "Lofoten Lys – ring tirsdag": the customer first."""
    found: dict[str, Any] = {"customer": _name(words, Segment(prefix, None))}  # "Luleå Kraft tackade nej – …"
    rest = [replace(w, i=n) for n, w in enumerate(words[prefix[-1].i + 2 :])]  # numbered from 0, as a message
    if intent in SALES_INTENTS:
        named = [
            s for s in _segments(rest, intent) if not _not_a_deal_name(s.words) and not _stage_word(s.words)
        ]
        if named:  # "Brattøra Digital: web relaunch → proposal sent", "X: bump the Data Platform deal to …"
            found["subject"] = _deal_name(rest, named[0])
        kept = _name_words(words, Segment(prefix, None))
        tail = prefix[len(kept) :]
        if (
            "subject" not in found
            and kept
            and tail
            and kept[0].text[:1].isupper()
            and not kept[-1].low.endswith("s")  # (a genitive: "Dataväven AB:s supportavtal: …", done below)
            and len(tail) <= 4
            and all(w.text.isalpha() and w.text.islower() and not w.labels for w in tail)
            and _deal_tail(tail) == tail
            and not _not_a_deal_name(tail)
            and _writes_names_capitalised(words)
        ):  # "Fjeldstad IT hosting renewal: ARR now 380k NOK, closed won": the customer, then its deal
            found["subject"] = _span_text(words, tail[0], tail[-1])
        return found
    opening = next((w for w in rest if not w.boundary), None)
    if intent == "create_task" and opening is not None and "TASK" in opening.labels:
        # "#kaldvell todo til torsdag: oppdatere kontaktlista": the to-do after its own trigger
        own = _task_names(rest)
        if own.get("subject"):
            found["subject"] = own["subject"]
            if own.get("contact_name"):
                found["contact_name"] = own["contact_name"]
            return found
    subject, _ = _subject(rest, intent) if rest and intent != "create_task" else ([], set())
    if intent == "log_activity" and opening is not None and opening.labels == {"NOTE"}:
        # "#fjellnett 📝 CFO leaving at new year, new contact TBD. log pls": the note's text follows its word
        note: list[Word] = []
        for w in rest[opening.i + 1 :]:
            if (
                w.low in {".", "?", "!"}
                or w.labels & {"LOG", "POLITE"}
                or w.boundary
                and w.low not in {",", "-"}
            ):
                break
            note.append(w)
        note = _trim_subject(note)
        if len(note) >= 3 and note[0].low not in _MEETING_WITH and note[0].low not in SUBJECT_MARKERS:
            subject = note
    if not subject and intent == "schedule_meeting":
        subject = _booked_topic(rest)  # "#holmvik-auto book kickoff tue 9am"
    if intent == "log_activity":
        clause = _comment_clause(rest)
        if clause and (not subject or subject[0].i > clause[0].i):
            subject = (
                clause  # "Fjord Data AS: ringte i dag, de vil ha et møte om lisenser": the whole comment
            )
        if not subject and opening is not None and not opening.labels and opening.text.islower():
            # "Lofoten Reiseliv: vil ha demo i januar, logg det": the comment up to the request
            comment: list[Word] = []
            for w in rest[opening.i :]:
                if w.low in {".", "?", "!"} or w.labels & {"LOG", "POLITE"} or w.boundary and BLANK in w.low:
                    break
                comment.append(w)
            comment = _trim_subject(comment)
            if len(comment) >= 2:
                subject = comment
    if subject:  # (a task's subject is its whole to-do: "Kungsbacka Plåt – ring om garantin nästa vecka")
        found["subject"] = _span_text(words, subject[0], subject[-1])
    elif intent == "create_task":
        phrase = _todo_phrase([w for w in rest if not w.boundary])
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
    while len(phrase) > 2 and phrase[0].low in CUSTOMER_PREPOSITIONS and phrase[1].low in _OBJECT_PRONOUNS:
        phrase = phrase[2:]  # "en påminnelse for meg om å kontakte …": for whom, then the to-do
        while len(phrase) > 1 and (phrase[0].low in _SUBJECT_LEAD):
            phrase = phrase[1:]
    if phrase and phrase[0].low in CUSTOMER_PREPOSITIONS and phrase[0].low not in SUBJECT_MARKERS:
        phrase = []  # "same for Nordvik Bygg, remind me …", "en task på det samme for X": whom, but no to-do
    if phrase:
        found["subject"] = _span_text(words, phrase[0], phrase[-1])
    head_segments = [  # (not "en uppgift skapas: …": a lone lower-case verb right after the task word)
        s
        for s in (_segments(head, "create_task") if head else [])
        if not (
            len(s.words) == 1
            and s.before is None
            and s.words[0].text.islower()
            and _after_task_word(words, s)
        )
    ]
    if head_segments:
        found["customer"] = _name(words, head_segments[0])
    inner = [_before_article(s) for s in (_segments(phrase, "create_task") if phrase else [])]
    candidates = _names_first(  # ("oppdatere CV-ene til avropet fra Vestland Innkjøp": the capitalised one)
        words,
        [
            s
            for s in inner
            if s.before is not None
            and s.before.low in CUSTOMER_PREPOSITIONS
            and s.before.low not in SUBJECT_MARKERS
            and not _definite_thing(s)  # ("gjennomgang av konsulentavtalen": a thing)
            and not (s.words[0].low in _QUANTIFIERS and all(w.text.islower() for w in s.words))
            # ("til de største kundene", "to all our customers": which ones, not a name)
            and (
                words[s.words[0].i - 1].low not in {"the", "a", "an"}  # "for the unpaid invoice": a thing
                or _capitalised(words, s.words[0])
                and _writes_names_capitalised(words)  # ("for the Acme workshop")
            )
        ],
    )
    if inner and (not candidates or inner[0].words[0].i < candidates[0].words[0].i):
        first: Segment | None = inner[0]
        if (
            first is not None
            and first.words[0].i == phrase[0].i
            and first.words[0].cue is None
            and (
                not (_capitalised(words, first.words[0]) and _writes_names_capitalised(words))
                or first.words[0].low in _THING_VERBS  # ("Remind Me To Send Ellingsen Rør The …": Title Case)
            )
            # (but "the Acme contract needs …, remind me": a name, not a verb)
        ):
            rest = first.words[1:]  # the to-do's verb ("ringe", "send") is not a name
            first = Segment(rest, first.before) if rest and rest[0].low not in _POSSESSIVES else None
        if first is not None and first.words[0].i > 0:
            verb = words[first.words[0].i - 1]
            if (
                verb.low in _THING_VERBS
                and verb.i == phrase[0].i
                and all(w.text.islower() for w in first.words)
                and not _person(first)
                and not (first.words[-1].i + 1 < len(words) and words[first.words[-1].i + 1].low in _ARTICLES)
            ):
                first = None  # "oppdatere prislista", "sende julekort": a thing made or sent, not a name
        if (
            first is not None
            and first.words[0].text.islower()
            and first.words[0].i > 0
            and words[first.words[0].i - 1].low in _DETERMINERS
            and not (first.words[-1].i + 1 < len(words) and words[first.words[-1].i + 1].labels)
        ):  # (but "update the quayside foods forecast": a name before the noun it qualifies)
            first = None  # "update the resource plan": a thing after its article, not a name
        # The verb's object is the name when nothing else is ("send Oakridge Dental the pack"), or a person
        # ("følge opp Ane på Nordmøre Energi").
        at_work = bool(candidates) and first is not None and _at_workplace(words, first, candidates[0])
        named_object = (  # "purre Fjord Bygg på fakturaen": the capitalised object, not the thing after "på"
            bool(candidates)
            and first is not None
            and _capitalised(words, first.words[0])
            and not _capitalised(words, candidates[0].words[0])
        )
        if first is not None and _definite_thing(first):
            first = (
                None  # "oppdatere prislisten", "uppdatera forecasten": a thing in its definite form, no name
            )
        if first is not None and (not candidates or _person(first) or at_work or named_object):
            candidates.insert(0, first)
    else:
        at_work = False
    for n, seg in enumerate(candidates[:2]):
        works_at = n + 1 < len(candidates) and _at_workplace(
            words, seg, candidates[n + 1]
        )  # "Dale at Keswick Ltd"
        if _person(seg) or at_work and n == 0 or works_at:
            found.setdefault("contact_name", _person_name(words, seg))
        else:
            found.setdefault("customer", _name(words, seg))
    if not phrase and not head_segments:
        segments = _segments(words, "create_task")
        named = [
            seg for seg in segments if seg.before is not None and seg.before.low in CUSTOMER_PREPOSITIONS
        ]
        if segments:  # ("gör en likadan task för Örnsköldsviks Hamn": the one after the preposition)
            found["customer"] = _name(words, (named or segments)[0])
    elif phrase and "customer" not in found and "contact_name" not in found:
        # "… från Sandvikens Rör …, så kan du lägga in en uppgift att mejla deras inköpare": the story names them
        inside = {w.i for w in phrase}
        story = [
            seg
            for seg in _segments(words, "create_task")
            if seg.words[0].i not in inside
            and (seg.before is None or seg.before.low in CUSTOMER_PREPOSITIONS)
            and _capitalised(words, seg.words[0])
        ]
        if story:
            found["customer"] = _name(words, story[0])
    if (
        phrase
        and "customer" not in found
        and "contact_name" not in found
        and _writes_names_capitalised(words)
    ):
        owner = _owner_before_noun(words, phrase)
        if owner:  # "renew the Acme contract", "send the Vik Bygg quote": the customer whose thing it is
            found["customer"] = _span_text(words, owner[0], owner[-1])
    return found


_CALENDAR_NAMES = frozenset({
    "christmas", "xmas", "easter", "new", "year", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "q1", "q2", "q3", "q4",
})  # fmt: skip


def _owner_before_noun(words: list[Word], phrase: list[Word]) -> list[Word]:
    """A capitalised name between an article and a lower-case noun inside a to-do ("the Acme contract")."""
    for k, w in enumerate(phrase[:-2]):
        if w.low not in {"the", "our", "their"}:
            continue
        run: list[Word] = []
        for x in phrase[k + 1 :]:
            if x.boundary or x.cue is not None or not (_capitalised(words, x) or x.text in _NAME_JOINERS):
                break
            run.append(x)
        nxt = phrase[k + 1 + len(run)] if k + 1 + len(run) < len(phrase) else None
        if (
            run
            and not all(x.text.isupper() for x in run)  # ("the CRM notes", "the Q4 numbers": no company)
            and not any(
                x.low in _CALENDAR_NAMES for x in run
            )  # ("the Christmas cards", "the Monday meeting")
            and nxt is not None
            and nxt.text.isalpha()
            and nxt.text.islower()
            and not _person(Segment(run, None))
        ):
            return run
    return []


# To-do verbs whose object is a thing ("oppdatere prislista", "send the deck", "skicka offerten").
_THING_VERBS = frozenset(fold(w) for w in (
    "oppdatere", "oppdater", "update", "uppdatera", "sende", "send", "skicka", "lage", "lag", "make", "skrive",
    "skriv", "write", "prep", "prepare", "forberede", "förbereda", "fikse", "fix", "bestille", "order", "beställa",
    "levere", "deliver", "leverera", "göra", "gjøre", "finish", "fullføre", "avsluta",
))  # fmt: skip
# Words that say which or how many ("de største", "alle", "our biggest"): never a name.
_QUANTIFIERS = frozenset(fold(w) for w in (
    "de", "dei", "alle", "alla", "all", "våre", "vore", "våra", "our", "samtlige", "samtliga", "every", "hver",
    "varje", "noen", "några", "some", "flere", "fler", "several",
))  # fmt: skip


def _after_task_word(words: list[Word], segment: Segment) -> bool:
    k = segment.words[0].i - 1
    return k >= 0 and words[k].cue == "TASK"


_DEFINITE = re.compile(r"[a-zæøåäö]{3,}(?:en|et|ene|na|erna|arna|orna)")


def _definite_thing(segment: Segment) -> bool:
    """A single lower-case noun with a Norwegian or Swedish definite ending ("prislisten", "avtalet")."""
    return len(segment.words) == 1 and _DEFINITE.fullmatch(segment.words[0].text) is not None


_POSSESSIVES = frozenset(fold(w) for w in ("deras", "deres", "their", "hans", "hennes", "his", "her", "its", "our",
                                           "vår", "våre", "våra", "min", "mine", "mina", "my", "sin", "sine", "sina"))  # fmt: skip


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
    """Company names that end in a legal form, as written ("Bygg & Anläggning i Mälardalen AB")."""
    return [_span_text(words, words[first], form) for first, form in _legal_spans(words, lang)]


def _opens_sentence(words: list[Word], k: int) -> bool:
    return (
        k == 0
        or words[k - 1].low in {".", "!", "?"}
        or "\n" in words[k].source[words[k - 1].end : words[k].start]
    )


def _legal_spans(words: list[Word], lang: str) -> list[tuple[int, Word]]:
    """Where each company name that ends in a legal form starts, with its form. Lower-case "as" is also the
    English word, so it counts only at the end of a Norwegian or Swedish name."""
    spans: list[tuple[int, Word]] = []
    for w in words:
        form = w.text.rstrip(".")
        written = form in _WRITTEN_FORMS or (
            form == "as"
            and lang != "en"
            and (w.i + 1 == len(words) or words[w.i + 1].boundary or words[w.i + 1].low in _POLITE)
        )
        if written and w.i > 0:
            first = _name_start(words, w)
            if first < w.i:
                spans.append((first, w))
    return spans


def _name_start(words: list[Word], form: Word) -> int:
    """Where the name before a legal form starts: walking left, the capitalised words (all words when the form
    is lower case), and the small words that join them ("Tromsø Fisk og Vilt AS"). A preposition, a filler, a
    boundary or a cue that starts the sentence ("Kan", "Legg", "Vis Acme AS") ends the walk; a cue opening a
    customer-first message is name ("Oppgave Partner AS – purre på faktura")."""
    # A name is written in one case: "lumo studio ApS" is all lower case before its form, like "acme as".
    lower = form.text.rstrip(".").islower() or words[form.i - 1].text.islower()
    start = form.i
    for k in range(form.i - 1, max(-1, form.i - 1 - _MAX_NAME_WORDS), -1):
        prev = words[k]
        if prev.boundary and prev.low not in _NAME_JOINERS or prev.low in CUSTOMER_PREPOSITIONS:
            break
        if prev.low in _NAME_JOINERS or prev.low in _NAME_LINKS:
            glued = (
                k > 0
                and prev.low == "-"
                and words[k - 1].end == prev.start
                and prev.end == words[k + 1].start
            )
            if k == 0 or not (words[k - 1].text[:1].isupper() or lower or glued):  # ("e-Fakt AS": one word)
                break
            if prev.low == "of" and k >= 2 and words[k - 2].low in FIRST_NAMES:
                break  # "Pekka Virtanen of Turun Ohjelmistotalo Oy": a person, then where they work
            if prev.low == "of" and k >= 1 and _looks_like_title(words[k - 1].text):
                break  # "met the CTO of Kraftlag AS": a role, then where it is held
            start = k  # "Tromsø Fisk og Vilt AS"
            continue
        capital = prev.text[:1].isupper() or prev.text[:1].isdigit() or _glued(prev)  # ("Region-konsulterna")
        capital = (
            capital
            or re.match(r"[a-zæøåäö]+-[A-ZÆØÅÄÖ]", prev.text) is not None
            or prev.source[prev.end : prev.end + 1] == "-"
            and prev.source[prev.end + 1 : prev.end + 2].isupper()
        )  # ("e-Fakt AS", "e-Boks AS": a lower-case prefix glued to a capitalised name)
        if prev.low in FILLERS and not _capitalised(words, prev):  # (but "Region-konsulterna Mitt AB")
            break
        if not (capital or lower and prev.text[:1].isalpha() and not prev.labels):
            break
        if prev.labels and _opens_sentence(words, k) and not (k == 0 and _ends_prefix(words, form)):
            break  # "Kan", "Legg", "Vis Acme AS": a cue opening the sentence, not part of the name
        start = k
    while start < form.i and (words[start].low in _NAME_JOINERS or words[start].low in _NAME_LINKS):
        start += 1
    return start


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
        ended = [n for n in legal if customer.startswith(n + " ")]
        if ended:  # "lumo studio ApS as new customer": the legal form ends the name
            slots["customer"] = ended[0]
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
