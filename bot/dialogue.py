"""The dialogue manager (SPEC §5.2): from parsed messages to confirmed writes, one question at a time.

A request's state (intent, slots, what the bot is waiting for) lives in the store per user and conversation,
so a restart in the middle of "Which customer?" loses nothing. Missing required slots are asked for one at a
time; customers are resolved fuzzily among what the user may see, with a choice when two are close; every
write is confirmed first and can be undone for ten minutes ("undo", "angre", "ångra").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rapidfuzz import fuzz, process

from bot.context import Context
from bot.i18n import error_text, keyed_text, say, value_name
from bot.intents import entities, parse
from bot.intents.text import clean, fold
from bot.intents.when import find_when
from bot.replies import Choice, Confirm, Reply, Text, Tone
from store.errors import Ambiguous, DuplicateCustomer, NotFound, SimilarCustomersExist
from store.models import ActivityKind, Source
from store.services import activities, contacts, customers, sales
from store.services import dialogue as states

YES = frozenset({"yes", "y", "ja", "j", "ok", "okay", "okei", "yep", "jepp", "japp", "sure", "absolutely", "gjor det",
                 "kor", "do it", "go", "yes please", "ja takk", "ja tack", "jo", "javisst", "visst"})  # fmt: skip
NO = frozenset({"no", "n", "nei", "nej", "nope", "nah", "ikke", "inte"})
# The word asking for undo, and the language it is in: the answer comes in that language, since the conversation
# that made the change (and its language) is over by then.
UNDO = {
    "undo": "en", "undo that": "en",
    "angre": "nb", "angre det": "nb", "gjor om": "nb", "ta tilbake": "nb",
    "angra": "sv", "angra det": "sv",
}  # fmt: skip
CANCEL = frozenset({"cancel", "avbryt", "glem det", "glom det", "strunt i det", "never mind", "nevermind", "stop",
                    "stopp", "abort", "forget it", "drop it", "dropp det", "lat bli", "la vare"})  # fmt: skip

WRITES = ("create_customer", "add_contact", "log_activity", "create_task", "schedule_meeting",
          "create_sales_case", "update_sales_case")  # fmt: skip
MEETING_LENGTH = timedelta(hours=1)


def _word(text: str) -> str:
    return " ".join(fold(clean(text)).strip(" .!?").split())


@dataclass
class Dialogue:
    """One user's conversation in one place (console, DM, channel or thread), keyed by `conversation`."""

    ctx: Context
    conversation: str
    reads: Any  # bot.conversation.Reads: the read-only answers (cards, lists, KPIs, help)

    @property
    def actor_lang(self) -> str:
        return self.ctx.actor.language.value

    # --- entry ------------------------------------------------------------------------------------------

    async def handle(self, text: str, *, now: datetime | None = None) -> list[Reply]:
        word = _word(text)
        async with self.ctx.store.reading() as s:
            state = await states.load_state(s, self.ctx.actor, self.conversation)
        if word in UNDO:
            return await self._undo(UNDO[word])
        if state is not None:
            return await self._continue(state, text, word, now)
        return await self._start(text, now)

    async def _start(self, text: str, now: datetime | None) -> list[Reply]:
        parsed = parse(text, lang=self.actor_lang, now=now, tz=self.ctx.actor.time_zone)
        state: dict[str, Any] = {
            "intent": parsed.intent,
            "lang": parsed.lang,
            "slots": parsed.slots,
            "ids": {},
        }
        if parsed.intent not in WRITES:
            return await self.reads.answer(parsed)
        return await self._advance(state)

    async def _continue(
        self, state: dict[str, Any], text: str, word: str, now: datetime | None
    ) -> list[Reply]:
        lang = state["lang"]
        awaiting = state.get("awaiting") or {}
        if word in CANCEL or (awaiting.get("kind") == "confirm" and word in NO):
            await self._clear()
            return [Text(say(lang, "cancelled"))]
        kind = awaiting.get("kind")
        if kind == "confirm":
            if word in YES:
                return await self._execute(state)
            return await self._or_new_request(state, text, now, say(lang, "repeat_confirm"))
        if kind == "choice":
            picked = self._pick(awaiting, word)
            if picked is None:
                return await self._or_new_request(state, text, now, say(lang, "pick_number"))
            state["ids"][awaiting["slot"]] = picked
            return await self._advance(state)
        if kind == "slot":
            if word in NO:
                await self._clear()
                return [Text(say(lang, "cancelled"))]
            if self._is_new_request(state, text, now):
                await self._clear()  # a whole new request, not the answer to the question
                return await self._start(text, now)
            if not self._fill(state, awaiting["slot"], text, now):
                return [Text(say(lang, f"ask.{awaiting['question']}"))]
            return await self._advance(state)
        await self._clear()
        return await self._start(text, now)

    async def _or_new_request(
        self, state: dict[str, Any], text: str, now: datetime | None, reminder: str
    ) -> list[Reply]:
        """A message that is not an answer: a new request replaces the pending one, anything else reminds."""
        parsed = parse(text, lang=state["lang"], now=now, tz=self.ctx.actor.time_zone)
        if parsed.intent in ("unknown", "small_talk"):
            return [Text(reminder)]
        await self._clear()
        return await self._start(text, now)

    def _is_new_request(self, state: dict[str, Any], text: str, now: datetime | None) -> bool:
        """ "la til Kari som kontakt hos Acme, kari@acme.no" while "Which customer?" waits: a request of its own
        (an intent, and more than a name's worth of words or slots besides the one asked for)."""
        parsed = parse(text, lang=state["lang"], now=now, tz=self.ctx.actor.time_zone)
        if parsed.intent in ("unknown", "small_talk", "cancel", "help"):
            return False
        asked = state["awaiting"]["slot"]
        others = [slot for slot in parsed.slots if slot not in (asked, "activity_kind")]
        return len(text.split()) >= 4 and bool(others)

    @staticmethod
    def _pick(awaiting: dict[str, Any], word: str) -> int | None:
        options: list[list[Any]] = awaiting["options"]
        if word.isdigit() and 1 <= int(word) <= len(options):
            return int(options[int(word) - 1][0])
        labels = {i: fold(label) for i, (_, label) in enumerate(options)}
        best = process.extractOne(word, labels, scorer=fuzz.WRatio, score_cutoff=85)
        return int(options[best[2]][0]) if best else None

    def _fill(self, state: dict[str, Any], slot: str, text: str, now: datetime | None) -> bool:
        """Put the user's answer into the slot that was asked for; False when it is not a usable answer."""
        answer = clean(text).strip()
        slots = state["slots"]
        if not answer:
            return False
        if slot == "when":
            moment = now.astimezone(self.ctx.actor.tz) if now else datetime.now(self.ctx.actor.tz)
            found = find_when(fold(answer), state["lang"], moment)
            if found is None:
                return False
            slots["when"] = found.value.isoformat()
        elif slot == "org_number":
            extraction = entities.Extraction(fold(answer))
            entities.find_org_numbers(extraction)
            if "org_number" not in extraction.slots:
                return False
            slots["org_number"] = extraction.slots["org_number"]
        elif slot == "update":
            extraction = entities.Extraction(fold(answer))
            entities.find_probability(extraction)
            entities.find_stage(extraction)
            entities.find_amount(extraction, state["lang"], bare_numbers=True)
            changes = {k: v for k, v in extraction.slots.items() if k in ("stage", "probability", "amount")}
            if not changes:
                return False
            slots.update(changes)
        else:
            slots[slot] = answer
            if slot == "customer":
                state["ids"].pop("customer", None)
        return True

    # --- the next step of a write -----------------------------------------------------------------------

    async def _advance(self, state: dict[str, Any]) -> list[Reply]:
        intent, slots, ids, lang = state["intent"], state["slots"], state["ids"], state["lang"]
        required = {
            "create_customer": ["customer_name"],
            "add_contact": ["customer", "contact_name"],
            "log_activity": ["customer", "subject"],
            "create_task": ["customer", "task_subject"],
            "schedule_meeting": ["customer", "when"],
            "create_sales_case": ["customer"],
            "update_sales_case": ["customer", "case", "update"],
        }[intent]
        for need in required:
            if need == "customer_name":
                if not slots.get("customer"):
                    return await self._ask(state, "customer", "customer_name")
                continue
            if need == "customer":
                if "customer" not in ids:
                    if not slots.get("customer"):
                        return await self._ask(state, "customer", "customer")
                    replies = await self._resolve_customer(state)
                    if replies is not None:
                        return replies
                continue
            if need == "case":
                if "case" not in ids:
                    replies = await self._resolve_case(state)
                    if replies is not None:
                        return replies
                continue
            if need == "update":
                if not any(k in slots for k in ("stage", "probability", "amount")):
                    return await self._ask(state, "update", "update")
                continue
            slot = "subject" if need == "task_subject" else need
            if not slots.get(slot):
                if slot == "subject" and intent == "log_activity":
                    slots["subject"] = say(lang, f"kind.{slots.get('activity_kind', 'note')}").capitalize()
                    continue
                return await self._ask(state, slot, need)
        return await self._confirm(state)

    async def _ask(self, state: dict[str, Any], slot: str, question: str) -> list[Reply]:
        state["awaiting"] = {"kind": "slot", "slot": slot, "question": question}
        await self._save(state)
        return [Text(say(state["lang"], f"ask.{question}"))]

    async def _resolve_customer(self, state: dict[str, Any]) -> list[Reply] | None:
        reference = state["slots"]["customer"]
        lang = state["lang"]
        try:
            async with self.ctx.store.reading() as s:
                customer = await customers.resolve_customer(s, self.ctx.actor, reference)
        except Ambiguous as exc:
            options = [[cid, label] for cid, label in exc.choices]
            state["awaiting"] = {"kind": "choice", "slot": "customer", "options": options}
            await self._save(state)
            question = say(lang, "ask.which_customer", reference=reference)
            return [Choice(question, [str(label) for _, label in options])]
        except NotFound:
            state["slots"].pop("customer", None)
            reply = await self._ask(state, "customer", "customer")
            return [Text(say(lang, "not_found.customer", reference=reference), Tone.ERROR), *reply]
        state["ids"]["customer"] = customer.id
        return None

    async def _resolve_case(self, state: dict[str, Any]) -> list[Reply] | None:
        lang = state["lang"]
        async with self.ctx.store.reading() as s:
            customer = await customers.get_customer(s, self.ctx.actor, state["ids"]["customer"])
            cases = await sales.open_cases_for_customer(s, self.ctx.actor, customer.id)
            stages = [value_name(lang, "stage", c.stage.name) if c.stage else "" for c in cases]
            options = [
                [c.id, f"{c.name} ({stage}, {c.value:,.0f} {c.currency})"]
                for c, stage in zip(cases, stages, strict=True)
            ]
        if not cases:
            await self._clear()
            return [Text(say(lang, "no_open_cases", customer=customer.name), Tone.ERROR)]
        subject = state["slots"].get("subject")
        if subject and len(cases) > 1:
            names = {c.id: fold(c.name) for c in cases}
            best = process.extractOne(fold(subject), names, scorer=fuzz.WRatio, score_cutoff=80)
            if best is not None:
                state["ids"]["case"] = best[2]
                return None
        if len(cases) == 1:
            state["ids"]["case"] = cases[0].id
            return None
        state["awaiting"] = {"kind": "choice", "slot": "case", "options": options}
        await self._save(state)
        return [
            Choice(say(lang, "ask.which_case", customer=customer.name), [str(label) for _, label in options])
        ]

    # --- confirmation and the write itself --------------------------------------------------------------

    async def _confirm(self, state: dict[str, Any]) -> list[Reply]:
        intent, slots, lang = state["intent"], state["slots"], state["lang"]
        customer_name = await self._customer_name(state)
        when = self._when_text(slots)
        if intent == "create_customer":
            org = f" (org {slots['org_number']})" if slots.get("org_number") else ""
            question = say(lang, "confirm.create_customer", name=slots["customer"], org=org)
        elif intent == "add_contact":
            details = ", ".join(str(slots[k]) for k in ("title", "email", "phone") if slots.get(k))
            question = say(
                lang, "confirm.add_contact", contact=slots["contact_name"], customer=customer_name,
                details=f" ({details})" if details else "",
            )  # fmt: skip
        elif intent == "log_activity":
            kind = say(lang, f"kind.{slots.get('activity_kind', 'note')}")
            question = say(
                lang,
                "confirm.log_activity",
                kind=kind,
                customer=customer_name,
                subject=slots["subject"],
                when=when,
            )
        elif intent == "create_task":
            question = say(
                lang, "confirm.create_task", customer=customer_name, subject=slots["subject"], when=when
            )
        elif intent == "schedule_meeting":
            contact = f" ({slots['contact_name']})" if slots.get("contact_name") else ""
            subject = slots.get("subject") or say(lang, "kind.meeting").capitalize()
            question = say(
                lang,
                "confirm.schedule_meeting",
                customer=customer_name,
                contact=contact,
                when=when,
                subject=subject,
            )
        elif intent == "create_sales_case":
            question = say(
                lang, "confirm.create_sales_case", name=self._case_name(state, customer_name),
                customer=customer_name, details=self._case_details(slots),
            )  # fmt: skip
        else:
            async with self.ctx.store.reading() as s:
                case = await sales.get_sales_case(s, self.ctx.actor, state["ids"]["case"])
                name = case.name
            question = say(
                lang, "confirm.update_sales_case", name=name, customer=customer_name,
                changes=self._case_details(slots).strip(" ()"),
            )  # fmt: skip
        state["awaiting"] = {"kind": "confirm"}
        await self._save(state)
        return [Confirm(question, lang)]

    async def _execute(self, state: dict[str, Any]) -> list[Reply]:
        intent, slots, ids, lang = state["intent"], state["slots"], state["ids"], state["lang"]
        actor = self.ctx.actor
        if intent == "schedule_meeting":
            return await self._book_meeting(state)
        try:
            async with self.ctx.store.transaction() as s:
                if intent == "create_customer":
                    created = await customers.create_customer(
                        s, actor, slots["customer"], org_number=slots.get("org_number"),
                        allow_similar=bool(state.get("allow_similar")),
                    )  # fmt: skip
                    org = customers.display_org(created)
                    done = say(
                        lang, "done.create_customer", name=created.name, number=created.customer_number,
                        org=f", org {org}" if org else "",
                    )  # fmt: skip
                    undo = ({"kind": "delete_customer", "id": created.id}, f"{created.name}")
                elif intent == "add_contact":
                    first, last = contacts.split_name(slots["contact_name"])
                    contact = await contacts.add_contact(
                        s, actor, customer_id=ids["customer"], first_name=first, last_name=last,
                        title=slots.get("title"), emails=[slots["email"]] if slots.get("email") else [],
                        phones=[slots["phone"]] if slots.get("phone") else [],
                    )  # fmt: skip
                    customer = await customers.get_customer(s, actor, ids["customer"])
                    done = say(
                        lang, "done.add_contact", contact=slots["contact_name"], customer=customer.name
                    )
                    undo = ({"kind": "delete_contact", "id": contact.id}, slots["contact_name"])
                elif intent in ("log_activity", "create_task", "schedule_meeting"):
                    done, undo = await self._record_activity(s, state)
                elif intent == "create_sales_case":
                    customer = await customers.get_customer(s, actor, ids["customer"])
                    when = self._when(slots)
                    case = await sales.create_sales_case(
                        s, actor, customer_id=customer.id, name=self._case_name(state, customer.name),
                        value=slots.get("amount", 0), currency=slots.get("currency", "NOK"),
                        stage=slots.get("stage"), probability=slots.get("probability"),
                        expected_order_date=when.date() if when else None,
                    )  # fmt: skip
                    done = say(lang, "done.create_sales_case", name=case.name, customer=customer.name)
                    undo = ({"kind": "delete_sales_case", "id": case.id}, case.name)
                else:
                    case = await sales.get_sales_case(s, actor, ids["case"])
                    previous = sales.case_snapshot(case)
                    case = await sales.update_sales_case(
                        s, actor, case.id, stage=slots.get("stage"), probability=slots.get("probability"),
                        value=slots.get("amount"),
                    )  # fmt: skip
                    changes = self._case_details(slots).strip(" ()")
                    done = say(lang, "done.update_sales_case", name=case.name, changes=changes)
                    undo = ({"kind": "restore_sales_case", "id": case.id, "previous": previous}, case.name)
                await states.record_undo(s, actor, self.conversation, undo[1], undo[0])
                await states.clear_state(s, actor, self.conversation)
        except SimilarCustomersExist as exc:
            state["allow_similar"] = True
            await self._save(state)
            return [
                Text(error_text(lang, exc)),
                Confirm(say(lang, "confirm.create_customer", name=slots["customer"], org=""), lang),
            ]
        except DuplicateCustomer as exc:
            await self._clear()
            replies: list[Reply] = [Text(error_text(lang, exc), Tone.ERROR)]
            if exc.existing_id is not None:
                replies += await self.reads.card(exc.existing_id)
            return replies
        except Exception:
            await self._clear()
            raise
        return [Text(done, Tone.SUCCESS)]

    async def _record_activity(self, s: Any, state: dict[str, Any]) -> tuple[str, tuple[dict[str, Any], str]]:
        intent, slots, ids, lang = state["intent"], state["slots"], state["ids"], state["lang"]
        actor = self.ctx.actor
        customer = await customers.get_customer(s, actor, ids["customer"])
        when = self._when(slots)
        kind = ActivityKind(slots.get("activity_kind") or ("task" if intent == "create_task" else "note"))
        contact_ids = await self._contact_ids(s, customer.id, slots.get("contact_name"))
        subject = slots.get("subject") or say(lang, f"kind.{kind.value}").capitalize()
        fields: dict[str, Any] = {}
        if kind is ActivityKind.TASK:
            fields = {"due_date": when.date() if when else None, "assignee_id": actor.user_id, "done": False}
        elif kind is ActivityKind.MEETING and intent == "schedule_meeting":
            assert when is not None
            fields = {"start_at": when, "end_at": when + MEETING_LENGTH, "done": False}
        else:
            fields = {"start_at": when or datetime.now(actor.tz), "done": True}
        activity = await activities.log_activity(
            s, actor, kind=kind, subject=subject, customer_id=customer.id, contact_ids=contact_ids,
            source=Source.SLACK if self.conversation.startswith("slack:") else Source.CONSOLE, **fields,
        )  # fmt: skip
        kind_name = say(lang, f"kind.{kind.value}")  # the undo's text names it in the user's language too
        what = f"{kind_name} “{activity.subject}”"
        return (
            say(lang, "done.activity", what=what, customer=customer.name),
            ({"kind": "delete_activity", "id": activity.id}, f"{kind_name}: {activity.subject}"),
        )

    async def _book_meeting(self, state: dict[str, Any]) -> list[Reply]:
        """A meeting booked from chat: the activity, and the event in the user's CalDAV calendar (same UID,
        so the next calendar sync does not bring it back as a second meeting)."""
        from calendar_sync.service import book_meeting

        slots, ids, lang = state["slots"], state["ids"], state["lang"]
        when = self._when(slots)
        assert when is not None
        async with self.ctx.store.reading() as s:
            customer = await customers.get_customer(s, self.ctx.actor, ids["customer"])
            contact_ids = await self._contact_ids(s, customer.id, slots.get("contact_name"))
        subject = slots.get("subject") or say(lang, "kind.meeting").capitalize()
        booked = await book_meeting(
            self.ctx.store, self.ctx.actor, subject=subject, start=when, end=when + MEETING_LENGTH,
            customer_id=customer.id, contact_ids=contact_ids,
        )  # fmt: skip
        async with self.ctx.store.transaction() as s:
            await states.record_undo(
                s, self.ctx.actor, self.conversation, f"{say(lang, 'kind.meeting')}: {subject}",
                {"kind": "delete_activity", "id": booked.activity_id},
            )  # fmt: skip
            await states.clear_state(s, self.ctx.actor, self.conversation)
        what = f"{say(lang, 'kind.meeting')} “{subject}”"
        replies: list[Reply] = [
            Text(say(lang, "done.activity", what=what, customer=customer.name), Tone.SUCCESS)
        ]
        if booked.error:
            message = keyed_text(lang, f"booking.{booked.error_key}", booked.error_values, booked.error)
            replies.append(Text(message, Tone.ERROR))
        return replies

    async def _contact_ids(self, s: Any, customer_id: int, name: str | None) -> list[int]:
        """The customer's contact the user named ("med Kari"), when one matches clearly."""
        if not name:
            return []
        found = await contacts.find_contacts(s, self.ctx.actor, name, customer_id=customer_id, limit=2)
        return [found[0].id] if len(found) == 1 else []

    async def _undo(self, lang: str) -> list[Reply]:
        try:
            async with self.ctx.store.transaction() as s:
                undone = await states.undo_last(s, self.ctx.actor, self.conversation)
        except NotFound as exc:
            return [Text(error_text(lang, exc), Tone.ERROR)]
        return [Text(say(lang, "undone", what=undone.description), Tone.SUCCESS)]

    # --- helpers ----------------------------------------------------------------------------------------

    async def _save(self, state: dict[str, Any]) -> None:
        async with self.ctx.store.transaction() as s:
            await states.save_state(s, self.ctx.actor, self.conversation, state)

    async def _clear(self) -> None:
        async with self.ctx.store.transaction() as s:
            await states.clear_state(s, self.ctx.actor, self.conversation)

    async def _customer_name(self, state: dict[str, Any]) -> str:
        if "customer" not in state["ids"]:
            return str(state["slots"].get("customer", ""))
        async with self.ctx.store.reading() as s:
            return (await customers.get_customer(s, self.ctx.actor, state["ids"]["customer"])).name

    def _when(self, slots: dict[str, Any]) -> datetime | None:
        return datetime.fromisoformat(slots["when"]) if slots.get("when") else None

    def _when_text(self, slots: dict[str, Any]) -> str:
        when = self._when(slots)
        if when is None:
            return ""
        local = when.astimezone(self.ctx.actor.tz)
        return f" ({local:%Y-%m-%d %H:%M})"

    @staticmethod
    def _case_name(state: dict[str, Any], customer_name: str) -> str:
        return str(state["slots"].get("subject") or customer_name)

    @staticmethod
    def _case_details(slots: dict[str, Any]) -> str:
        parts = []
        if "amount" in slots:
            parts.append(f"{slots['amount']:,} {slots.get('currency', 'NOK')}".replace(",", " "))
        if "stage" in slots:
            parts.append(str(slots["stage"]))
        if "probability" in slots:
            parts.append(f"{slots['probability']} %")
        return f" ({', '.join(parts)})" if parts else ""
