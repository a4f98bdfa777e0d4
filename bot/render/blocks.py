"""Block Kit rendering of replies for Slack: the counterpart of `bot.render.console`, same information.

`render(reply)` turns one reply into one `Message`; `render_all(replies)` renders a handler's replies as one
message each, in order (the app posts them one after another, so a question stays the last thing the user
sees and its buttons answer the conversation's pending question).

Every message stays within Slack's limits, whatever the data: long values are cut with "…", long lists are
cut and summarised ("and 190 more contacts"), and a last pass keeps the whole message within the block count
and a total text budget. User data is escaped for mrkdwn (&, <, >) and every mrkdwn text object is `verbatim`,
so a customer called "<!channel>" or "@here" shows as text and pings nobody.

Buttons carry the action ids the Slack app listens for: `kundebot_yes` / `kundebot_no` / `kundebot_choice_<n>`
/ `kundebot_choice` (a click becomes the same "yes", "no" or "<n>" text the console reads), `customer_open`,
`customer_add_contact`, `customer_log_activity`, `customer_open_register`, `register_add` and
`customer_find_more`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import say
from bot.render import digest as digest_text
from bot.render.formats import money, percent
from bot.replies import (
    CaptureNotice,
    Choice,
    Confirm,
    CustomerCardReply,
    CustomerList,
    DigestReply,
    Help,
    KpiReply,
    PipelineReply,
    RegisterCard,
    Reply,
    Text,
    Tone,
    WaitingEmails,
)
from registry.model import RegisterUnit
from store.services.dashboard import Pipeline

Block = dict[str, Any]

# Slack's limits. Sources: the Block Kit reference (api.slack.com/reference/block-kit/blocks, .../block-elements,
# .../composition-objects), as also enforced by slack_sdk 3.x's block models (SectionBlock.text_max_length,
# fields_max_length, HeaderBlock.text_max_length, ActionsBlock.elements_max_length, ButtonElement.text/value,
# InteractiveElement.action_id, Option.label/value, StaticSelectElement.options, placeholder); the 40,000
# character message text from Slack's changelog "2018-04-truncating-really-long-messages".
MAX_BLOCKS = 50  # blocks per message
SECTION_TEXT = 3000  # section text
SECTION_FIELDS = 10  # fields per section
FIELD_TEXT = 2000  # each field's text
HEADER_TEXT = 150  # header text (plain_text)
CONTEXT_ELEMENTS = 10  # elements per context block
CONTEXT_TEXT = 3000  # a text object in a context block
ACTIONS_ELEMENTS = 25  # elements per actions block
BUTTON_TEXT = 75  # button text (plain_text)
BUTTON_VALUE = 2000  # button value
ACTION_ID = 255  # action_id of any interactive element
BLOCK_ID = 255  # block_id (not set by this module)
SELECT_OPTIONS = 100  # options of a static_select
OPTION_TEXT = 75  # option text (plain_text)
OPTION_VALUE = 150  # option value
PLACEHOLDER_TEXT = 150  # placeholder of a select
MESSAGE_TEXT = 40_000  # the message's top-level `text` (Slack truncates beyond this)
# Not documented, but Slack refuses messages whose blocks hold much more text than ~13,000 characters in total
# with `msg_blocks_too_long` (slackapi/bolt-js#2509), even when every single block is within its limits.
TOTAL_TEXT = 12_000

# Our own, tighter budgets: a message is read on a phone, not scrolled through.
FALLBACK_TEXT = 1000  # the notification text
LIST_TEXT = 2000  # one list section of the card (contacts, sales cases, activities)
CARD_ROWS = 10  # rows per list on the card; the rest is summarised
NAME = 150  # a name in a list or a field
SUBJECT = 200  # an activity subject
VALUE = 300  # a fact on the card (address, website, groupings)
BUTTONS_INLINE = 5  # a choice with more options becomes a select menu

ELLIPSIS = "…"
ERROR_MARK = ":warning:"
SUCCESS_MARK = ":white_check_mark:"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_EMAIL = re.compile(r"^[^\s<>|&@`*_~]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_WEBSITE = re.compile(r"^(https?://)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/[A-Za-z0-9._~/%-]*)?$")


@dataclass
class Message:
    """One Slack message: `text` is the notification fallback, `blocks` the Block Kit body (JSON-ready)."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    ephemeral: bool = False  # errors and questions are meant only for the asker


# --- text ------------------------------------------------------------------------------------------------


def length(text: str) -> int:
    """Length as Slack may count it: UTF-16 code units, never less than Python's code points."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _clean(text: object, *, one_line: bool = True) -> str:
    s = _CONTROL.sub("", str(text)).replace("\r", "")
    return " ".join(s.split()) if one_line else s


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` (UTF-16) characters, ending in "…" when cut."""
    if length(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    while cut and length(cut) + 1 > limit:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS


def escape(text: str) -> str:
    """Escape the three characters mrkdwn gives meaning to: & < > (Slack's "Escaping text")."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md(value: object, limit: int = NAME, *, one_line: bool = True) -> str:
    """User data made safe for mrkdwn and cut to `limit` characters after escaping (never inside an entity)."""
    raw = _clean(value, one_line=one_line)
    out = escape(raw)
    if length(out) <= limit:
        return out
    pieces: list[str] = []
    used = length(ELLIPSIS)
    for char in raw:
        piece = escape(char)
        used += length(piece)
        if used > limit:
            break
        pieces.append(piece)
    return "".join(pieces).rstrip() + ELLIPSIS


def _code(value: object, limit: int) -> str:
    return "`" + md(str(value).replace("`", "'"), limit - 2) + "`"


def _clip_markup(text: str, limit: int) -> str:
    """Cut already-escaped mrkdwn without leaving half an entity (&am…) or half a link (<mailto:…)."""
    if length(text) <= limit:
        return text
    cut = clip(text, limit)[:-1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    lt = cut.rfind("<")
    if lt != -1 and ">" not in cut[lt:]:
        cut = cut[:lt]
    return cut + ELLIPSIS


def _plain_text(value: object, limit: int) -> dict[str, Any]:
    text = clip(_clean(value), limit) or "-"
    return {"type": "plain_text", "text": text, "emoji": True}


def _mrkdwn(text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _clip_markup(text, limit) or " ", "verbatim": True}


def _more(count: int, noun: str) -> str:
    return f"_and {count} more {noun}_"


def _day(value: date | datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _mailto(email: str | None) -> str:
    if not email:
        return ""
    email = _clean(email)
    if _EMAIL.match(email) and length(email) <= 100:
        return f"<mailto:{email}|{email}>"
    return md(email, 100)


def _website(url: str | None) -> str:
    if not url:
        return ""
    url = _clean(url)
    if _WEBSITE.match(url) and length(url) <= VALUE // 2 - 10:
        target = url if url.startswith(("http://", "https://")) else f"https://{url}"
        return f"<{target}|{url}>"
    return md(url, VALUE)


# --- blocks ----------------------------------------------------------------------------------------------


def _header(value: object) -> Block:
    return {"type": "header", "text": _plain_text(value, HEADER_TEXT)}


def _section(text: str, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": _mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def _context(text: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(text, CONTEXT_TEXT)]}


def _fields(facts: Sequence[tuple[str, str]]) -> list[Block]:
    """Label/value pairs (values already mrkdwn) as sections of at most ten fields each."""
    facts = [(label, value) for label, value in facts if value]
    return [
        {
            "type": "section",
            "fields": [
                _mrkdwn(f"*{label}*\n{value}", FIELD_TEXT) for label, value in facts[i : i + SECTION_FIELDS]
            ],
        }
        for i in range(0, len(facts), SECTION_FIELDS)
    ]


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": _plain_text(text, BUTTON_TEXT),
        "action_id": action_id[:ACTION_ID],
        "value": value[:BUTTON_VALUE],
    }
    if style:
        button["style"] = style
    return button


def _actions(elements: Sequence[Block]) -> list[Block]:
    return [
        {"type": "actions", "elements": list(elements[i : i + ACTIONS_ELEMENTS])}
        for i in range(0, len(elements), ACTIONS_ELEMENTS)
    ]


def _list_section(title: str, lines: Sequence[str], total: int, noun: str, *, rows: int = CARD_ROWS) -> Block:
    """A titled list of (escaped) lines packed into one section: at most `rows` lines and LIST_TEXT
    characters; whatever is left out is summarised as "and N more …", and the title then gives the count."""
    budget = LIST_TEXT - length(f"*{title}* ({total})")
    kept: list[str] = []
    for line in lines[:rows]:
        left = total - len(kept) - 1
        tail = f"\n{_more(left, noun)}" if left else ""
        if length("\n".join(["", *kept, line]) + tail) > budget:
            break
        kept.append(line)
    head = f"*{title}*" if len(kept) == total else f"*{title}* ({total})"
    if total > len(kept):
        kept.append(_more(total - len(kept), noun))
    return _section("\n".join([head, *kept]))


def text_size(blocks: Iterable[Any]) -> int:
    """The characters of every string in the blocks: what TOTAL_TEXT limits."""
    total = 0
    for item in blocks:
        if isinstance(item, str):
            total += length(item)
        elif isinstance(item, dict):
            total += text_size(item.values())
        elif isinstance(item, list):
            total += text_size(item)
    return total


def _fit(body: list[Block], tail: Sequence[Block] = ()) -> list[Block]:
    """Drop trailing body blocks until body + note + tail fit MAX_BLOCKS and TOTAL_TEXT; the tail (the
    buttons) always stays."""
    blocks = [*body, *tail]
    if len(blocks) <= MAX_BLOCKS and text_size(blocks) <= TOTAL_TEXT:
        return blocks
    note = _context("_Shortened to fit in a Slack message._")
    kept = list(body)
    while kept and (len(kept) + 1 + len(tail) > MAX_BLOCKS or text_size([*kept, note, *tail]) > TOTAL_TEXT):
        kept.pop()
    return [*kept, note, *tail]


def _message(
    fallback: str, body: list[Block], tail: Sequence[Block] = (), *, ephemeral: bool = False
) -> Message:
    return Message(md(fallback, FALLBACK_TEXT) or "kundebot", _fit(body, tail), ephemeral)


# --- replies ---------------------------------------------------------------------------------------------


def render_all(replies: Iterable[Reply]) -> list[Message]:
    """One message per reply, in order."""
    return [render(reply) for reply in replies]


def render(reply: Reply) -> Message:
    match reply:
        case Text():
            return _text(reply)
        case Confirm():
            return _confirm(reply)
        case Choice():
            return _choice(reply)
        case CustomerCardReply():
            return _card(reply)
        case CustomerList():
            return _list(reply)
        case KpiReply():
            return _kpi(reply)
        case PipelineReply():
            return _pipeline(reply)
        case RegisterCard():
            return _register(reply)
        case Help():
            return _help(reply)
        case CaptureNotice():
            return _capture_notice(reply)
        case WaitingEmails():
            return _waiting(reply)
        case DigestReply():
            return _digest(reply)
    raise TypeError(f"cannot render {type(reply).__name__}")


def _text(reply: Text) -> Message:
    mark = {Tone.ERROR: ERROR_MARK + " ", Tone.SUCCESS: SUCCESS_MARK + " "}.get(reply.tone, "")
    body = mark + md(reply.message, SECTION_TEXT - len(mark), one_line=False)
    return _message(reply.message, [_section(body)], ephemeral=reply.tone is Tone.ERROR)


def _confirm(reply: Confirm) -> Message:
    buttons = [
        _button("Yes", "kundebot_yes", "yes", "primary"),
        _button("No", "kundebot_no", "no"),
    ]
    question = md(reply.question, SECTION_TEXT, one_line=False)
    return _message(f"{reply.question} (yes/no)", [_section(question)], _actions(buttons), ephemeral=True)


def _choice(reply: Choice) -> Message:
    options = reply.options
    lines = [f"{i}. {md(option, NAME)}" for i, option in enumerate(options, 1)]
    body = [_list_section(md(reply.question, 500), lines, len(options), "options", rows=20)]
    elements: list[Block]
    if len(options) <= BUTTONS_INLINE:
        elements = [
            _button(f"{i}. {_clean(option)}", f"kundebot_choice_{i}", str(i))
            for i, option in enumerate(options, 1)
        ]
    else:
        elements = [
            {
                "type": "static_select",
                "action_id": "kundebot_choice",
                "placeholder": _plain_text("Pick one", PLACEHOLDER_TEXT),
                "options": [
                    {"text": _plain_text(f"{i}. {_clean(option)}", OPTION_TEXT), "value": str(i)}
                    for i, option in enumerate(options[:SELECT_OPTIONS], 1)
                ],
            }
        ]
        if len(options) > SELECT_OPTIONS:
            body.append(
                _context(f"The menu holds the first {SELECT_OPTIONS}; answer with a number for the rest.")
            )
    elements.append(_button("Cancel", "kundebot_no", "no"))
    fallback = f"{reply.question} " + "; ".join(f"{i}. {o}" for i, o in enumerate(options[:10], 1))
    return _message(fallback, body, _actions(elements), ephemeral=True)


def _card(reply: CustomerCardReply) -> Message:
    card = reply.card
    c = card.customer
    owner_only = c.visibility.value == "owner"
    facts = [
        ("Customer no.", f"#{c.customer_number}"),
        ("Org. no.", md(f"{reply.org_formatted} ({c.org_country})", NAME) if reply.org_formatted else ""),
        ("Kind", md(c.kind.value) + (" · :lock: owner only" if owner_only else "")),
        ("Owner", md(c.owner.name) if c.owner else "-"),
        ("Industry", md(c.industry.name) if c.industry else ""),
        ("Relation level", md(c.relation_level.value) if c.relation_level else ""),
        ("Head office", md(card.head_office.one_line(), VALUE) if card.head_office else ""),
        ("Website", _website(c.website)),
        ("Groupings", md(", ".join(g.name for g in card.groupings), VALUE) if card.groupings else ""),
    ]
    body = [_header(c.name), *_fields(facts)]
    if card.contacts:
        lines = []
        for p in card.contacts[:CARD_ROWS]:
            parts = [f"*{md(p.full_name)}*", md(p.title or ""), _mailto(p.primary_email)]
            parts.append(md(p.phones[0].number, 40) if p.phones else "")
            lines.append("• " + " · ".join(x for x in parts if x))
        body.append(_list_section("Contacts", lines, len(card.contacts), "contacts"))
    if card.open_sales_cases:
        lines = []
        for sc in card.open_sales_cases[:CARD_ROWS]:
            parts = [f"*{md(sc.name)}*", md(sc.stage.name, 100), money(sc.value), f"{sc.probability} %"]
            if sc.expected_order_date:
                parts.append(f"expected {_day(sc.expected_order_date)}")
            lines.append("• " + " · ".join(parts))
        body.append(_list_section("Open sales cases", lines, len(card.open_sales_cases), "sales cases"))
    if card.latest_activities:
        lines = []
        for a in card.latest_activities[:CARD_ROWS]:
            when = _day(a.start_at or a.created_at)
            lines.append("• " + " · ".join(x for x in (when, a.kind.value, md(a.subject, SUBJECT)) if x))
        body.append(_list_section("Latest activities", lines, len(card.latest_activities), "activities"))
    buttons = [
        _button("Add contact", "customer_add_contact", str(c.id)),
        _button("Log activity", "customer_log_activity", str(c.id)),
        _button("Edit", "customer_edit", str(c.id)),
    ]
    if c.org_number:
        buttons.append(_button("Open in register", "customer_open_register", c.org_number))
    fallback = f"{c.name} (#{c.customer_number})" + (" · owner only" if owner_only else "")
    return _message(fallback, body, _actions(buttons))


def _find_more_value(query: str, offset: int) -> str:
    raw = query
    while True:
        value = json.dumps({"query": raw, "offset": offset}, ensure_ascii=False)
        if length(value) <= BUTTON_VALUE:
            return value
        raw = raw[: len(raw) - max(length(value) - BUTTON_VALUE, 1)]


def _list(reply: CustomerList) -> Message:
    total = len(reply.hits) + len(reply.register_hits)
    title = (
        f"Customers matching *{md(reply.query)}*" if reply.hits else f"No customers match *{md(reply.query)}*"
    )
    body = [_section(title)]
    tail = (
        _actions(
            [
                _button(
                    "More",
                    "customer_find_more",
                    _find_more_value(reply.query, reply.offset + len(reply.hits)),
                )
            ]
        )
        if reply.more
        else []
    )
    room = MAX_BLOCKS - 2 - len(tail)  # title, and a possible "and N more" note
    rows: list[Block] = []
    for hit in reply.hits:
        c = hit.customer
        parts = [
            f"*#{c.customer_number} {md(c.name)}*",
            md(f"org {c.org_number}") if c.org_number else "",
            c.kind.value,
        ]
        rows.append(_section(" · ".join(x for x in parts if x), _button("Open", "customer_open", str(c.id))))
    for unit in reply.register_hits:
        text = f"*{md(unit.name)}* · org {md(unit.number, 40)} · in the register, not a customer yet"
        rows.append(_section(text, _button("Add from register", "register_add", unit.number)))
    body += rows[:room]
    if total > room:
        body.append(_context(_more(total - room, "matches: refine the search")))
    elif reply.more:
        body.append(_context("More matches: refine the search, or show the next page."))
    names = ", ".join(h.customer.name for h in reply.hits[:5])
    return _message(f"Customers matching {reply.query!r}: {names}", body, tail)


def _local(moment: datetime | None, time_zone: str) -> str:
    if moment is None:
        return ""
    try:
        zone: tzinfo = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime("%H:%M")


def _kpi(reply: KpiReply) -> Message:
    s, d = reply.summary, reply.dashboard
    lang = reply.lang
    cash = functools.partial(money, lang=lang)  # in the user's format

    def label(key: str) -> str:
        return say(lang, f"kpi.{key}")

    change = ""
    if s.month_change is not None:
        change = f" ({percent(s.month_change, lang, signed=True)} {label('vs_last_month')})"
    weighted = label("weighted")
    facts = [
        (label("margin_year"), cash(s.margin_this_year)),
        (label("invoicing_year"), cash(s.invoicing_this_year)),
        (label("costs_year"), cash(s.costs_this_year)),
        (label("invoicing_month"), cash(s.invoicing_this_month) + change),
        (label("invoicing_last_month"), cash(s.invoicing_last_month)),
        (label("active"), str(s.active_customers)),
        (label("prospects"), str(s.prospects_in_progress)),
        (
            label("sales_month"),
            f"{cash(d.sales_this_month.won_value)} ({d.sales_this_month.won_count} {label('won')})",
        ),
        (
            label("pipeline_month"),
            f"{cash(d.pipeline_month.open_value)} ({weighted} {cash(d.pipeline_month.weighted_value)})",
        ),
        (
            label("pipeline_quarter"),
            f"{cash(d.pipeline_quarter.open_value)} ({weighted} {cash(d.pipeline_quarter.weighted_value)})",
        ),
    ]
    body = [_header(say(lang, "kpi.title", date=f"{s.today:%d.%m.%Y}")), *_fields(facts)]
    meetings = [
        f"• {_local(m.start_at, reply.time_zone)} {md(m.subject, SUBJECT)}".rstrip()
        for m in d.todays_meetings
    ]
    if meetings:
        body.append(_list_section(label("meetings"), meetings, len(meetings), "meetings"))
    else:
        body.append(_section(f"*{label('meetings')}*\n{label('no_meetings')}"))
    if d.top_sellers:
        sellers = [
            f"• {md(t.name)} · {cash(t.won_value)} · {t.won_count} {label('won')}" for t in d.top_sellers
        ]
        body.append(_list_section(label("top_sellers"), sellers, len(sellers), "sellers"))
    if d.latest_customers:
        latest = [f"• #{c.customer_number} {md(c.name)}" for c in d.latest_customers]
        body.append(_list_section(label("latest"), latest, len(latest), "customers"))
    fallback = f"{say(lang, 'kpi.title', date=f'{s.today:%d.%m.%Y}')}: {label('margin_year')} {cash(s.margin_this_year)}"
    return _message(fallback, body, [file_actions("kpi")])


def _pipeline(reply: PipelineReply) -> Message:
    cash = functools.partial(money, lang=reply.lang)  # in the user's format

    stages = [
        f"• *{md(st.stage, 100)}* · {st.count} cases · {cash(st.value)} · weighted {cash(st.weighted_value)}"
        for st in reply.stages
    ]
    body = [_header("Pipeline")]
    if stages:
        body.append(_list_section("Open sales cases by stage", stages, len(stages), "stages", rows=25))
    else:
        body.append(_section("*Open sales cases by stage*\nNo open sales cases."))
    mine = [
        (label, f"{p.count} cases · {cash(p.open_value)} (weighted {cash(p.weighted_value)})")
        for label, p in (("My pipeline this month", reply.month), ("My pipeline this quarter", reply.quarter))
    ]
    body += _fields(mine)
    total = sum((st.value for st in reply.stages), Decimal(0))
    count = sum(st.count for st in reply.stages)
    return _message(f"Pipeline: {count} open sales cases, {cash(total)}", body, [file_actions("pipeline")])


def file_actions(kind: str) -> Block:
    """Charts and the spreadsheet under `kpi` and `pipeline` (the app uploads them to the user's DM)."""
    buttons = [
        ("Pipeline chart", "kundebot_chart", "pipeline"),
        ("Invoicing chart", "kundebot_chart", "invoicing"),
        ("Export (XLSX)", "kundebot_export", "kpi xlsx"),
    ]
    if kind == "pipeline":
        buttons = buttons[:1] + buttons[2:]
    return {"type": "actions", "elements": [_button(t, f"{a}_{i}", v) for i, (t, a, v) in enumerate(buttons)]}


def _status(unit: RegisterUnit) -> str:
    status = unit.status + (f" ({unit.deleted_on:%d.%m.%Y})" if unit.deleted_on else "")
    return status if status == "active" else f"{ERROR_MARK} *{status}*"


def _register(reply: RegisterCard) -> Message:
    unit = reply.unit
    facts = [
        ("Org. no.", md(f"{reply.formatted_number} ({unit.country})", NAME)),
        ("Status", _status(unit)),
        ("Form", md(f"{unit.org_form or ''} {unit.org_form_name or ''}".strip(), NAME)),
        ("Industry", md(f"{unit.industry_code or ''} {unit.industry_name or ''}".strip(), VALUE)),
        ("Employees", str(unit.employees) if unit.employees is not None else ""),
        ("Business address", md(unit.business_address.one_line(), VALUE) if unit.business_address else ""),
        ("Postal address", md(unit.postal_address.one_line(), VALUE) if unit.postal_address else ""),
        ("Website", _website(unit.website)),
    ]
    source = "local copy of the register" if reply.source in ("local", "cache") else reply.source
    origin = f"from the {source}".replace("the the", "the")
    body = [_header(unit.name), *_fields(facts), _context(md(origin, 300))]
    return _message(f"{unit.name} ({reply.formatted_number}): {unit.status}", body)


def _help(reply: Help) -> Message:
    lines = [f"{_code(usage, 300)} {md(text, 500)}" for usage, text in reply.entries]
    title = f"Help: {md(reply.topic, 100)}" if reply.topic else "What kundebot can do"
    body: list[Block] = [_section(f"*{title}*")]
    chunk: list[str] = []
    for line in lines:
        if chunk and length("\n".join([*chunk, line])) > LIST_TEXT:
            body.append(_section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        body.append(_section("\n".join(chunk)))
    fallback = f"Help: {reply.topic}" if reply.topic else "kundebot commands"
    return _message(fallback, body)


# --- captured email ------------------------------------------------------------------------------------------

RULE_TEXT = {
    "plus_address": "the capture address named the customer",
    "contact_email": "a contact's address",
    "thread": "the thread it belongs to",
    "domain": "the sender's domain",
    "manual": "your choice",
}
EMAIL_BUTTONS = 4  # link choices shown as buttons; the rest by `/crm link`


def _capture_notice(reply: CaptureNotice) -> Message:
    """A DM to the capturing user: linked (with the card one click away), or the choices to make."""
    subject = md(reply.subject or "(no subject)", NAME)
    sender = f" from {md(reply.original_from, NAME)}" if reply.original_from else ""
    if reply.customer_id is not None:
        why = RULE_TEXT.get(reply.rule or "", reply.rule or "")
        text = (
            f"{SUCCESS_MARK} Your email *{subject}*{sender} is on *{md(reply.customer_name, NAME)}*'s card."
        )
        body = [_section(text), _context(f"Linked by {why}. Email #{reply.email_id}.")]
        buttons = [_button("Open card", "customer_open", str(reply.customer_id))]
        return _message(f"Email {reply.subject!r} linked to {reply.customer_name}", body, _actions(buttons))
    text = f"Your email *{subject}*{sender} needs a decision: which customer is it about?"
    body = [_section(text)]
    elements = [
        _button(f"Link to {_clean(label)}", f"email_link_{i}", f"{reply.email_id}:{customer_id}")
        for i, (customer_id, label) in enumerate(reply.candidates[:EMAIL_BUTTONS], 1)
    ]
    if reply.candidates:
        first_id, first_label = reply.candidates[0]
        elements.append(
            _button(f"New contact at {_clean(first_label)}", "email_contact", f"{reply.email_id}:{first_id}")
        )
    elements.append(_button("Ignore", "email_ignore", str(reply.email_id)))
    body.append(
        _context(
            f"Or link it to any customer: `/crm link {reply.email_id} CUSTOMER` (`contact CUSTOMER` adds the sender)."
        )
    )
    return _message(f"Email {reply.subject!r} needs a decision", body, _actions(elements))


def _waiting(reply: WaitingEmails) -> Message:
    if not reply.emails:
        return _message("No captured email waits for you.", [_section("No captured email waits for you.")])
    lines = [
        f"#{e.email_id} *{md(e.subject or '(no subject)', NAME)}*"
        + (f" from {md(e.original_from, NAME)}" if e.original_from else "")
        for e in reply.emails
    ]
    body = [_list_section("Captured emails waiting for you", lines, len(lines), "emails", rows=20)]
    body.append(_context("Link one with `/crm link NUMBER CUSTOMER`, or `/crm link NUMBER ignore`."))
    return _message(f"{len(lines)} captured emails wait for you", body, ephemeral=True)


def _digest(reply: DigestReply) -> Message:
    title = digest_text.title(reply.digest, reply.lang)
    parts = digest_text.sections(reply.digest, reply.lang, reply.time_zone)
    if not parts:
        return _message(
            say(reply.lang, "digest.empty"), [_section(md(say(reply.lang, "digest.empty"), SECTION_TEXT))]
        )
    body: list[Block] = [_header(title)]
    for heading, lines in parts:
        body.append(
            _list_section(f"*{md(heading, 200)}*", [md(line, NAME * 2) for line in lines], len(lines), "more")
        )
    return _message(title, body, [_context(say(reply.lang, "digest.footer"))])


def home_view(reply: DigestReply, month: Pipeline, quarter: Pipeline) -> dict[str, Any]:
    """The App Home tab (issue #8): the user's day (the digest's parts, always shown) and their pipeline."""
    cash = functools.partial(money, lang=reply.lang)
    body: list[Block] = [_header(digest_text.title(reply.digest, reply.lang))]
    parts = digest_text.sections(reply.digest, reply.lang, reply.time_zone)
    if not parts:
        body.append(_section(md(say(reply.lang, "digest.empty"), SECTION_TEXT)))
    for heading, lines in parts:
        body.append(
            _list_section(f"*{md(heading, 200)}*", [md(line, NAME * 2) for line in lines], len(lines), "more")
        )
    body += _fields(
        [
            (label, f"{p.count} · {cash(p.open_value)} ({cash(p.weighted_value)})")
            for label, p in (("My pipeline this month", month), ("My pipeline this quarter", quarter))
        ]
    )
    body.append(
        _context("Try `/crm kpi`, `/crm pipeline`, `/crm link` or just write to me in the Messages tab.")
    )
    return {"type": "home", "blocks": _fit(body)}
