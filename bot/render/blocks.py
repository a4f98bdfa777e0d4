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

from bot.i18n import quoted, register_source, say, value_name
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


def _more(count: int, noun: str, lang: str) -> str:
    """ "and 190 more contacts": `noun` names the catalogue's "more." key."""
    return "_" + say(lang, f"more.{noun}", count=count) + "_"


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


def _list_section(
    title: str, lines: Sequence[str], total: int, noun: str, lang: str, *, rows: int = CARD_ROWS
) -> Block:
    """A titled list of (escaped) lines packed into one section: at most `rows` lines and LIST_TEXT
    characters; whatever is left out is summarised as "and N more …" (`noun`: a "more." key of the
    catalogue), and the title then gives the count."""
    budget = LIST_TEXT - length(f"*{title}* ({total})")
    kept: list[str] = []
    for line in lines[:rows]:
        left = total - len(kept) - 1
        tail = f"\n{_more(left, noun, lang)}" if left else ""
        if length("\n".join(["", *kept, line]) + tail) > budget:
            break
        kept.append(line)
    head = f"*{title}*" if len(kept) == total else f"*{title}* ({total})"
    if total > len(kept):
        kept.append(_more(total - len(kept), noun, lang))
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


def _fit(body: list[Block], tail: Sequence[Block] = (), lang: str = "en") -> list[Block]:
    """Drop trailing body blocks until body + note + tail fit MAX_BLOCKS and TOTAL_TEXT; the tail (the
    buttons) always stays."""
    blocks = [*body, *tail]
    if len(blocks) <= MAX_BLOCKS and text_size(blocks) <= TOTAL_TEXT:
        return blocks
    note = _context(f"_{say(lang, 'slack.shortened')}_")
    kept = list(body)
    while kept and (len(kept) + 1 + len(tail) > MAX_BLOCKS or text_size([*kept, note, *tail]) > TOTAL_TEXT):
        kept.pop()
    return [*kept, note, *tail]


def _message(
    fallback: str, body: list[Block], tail: Sequence[Block] = (), *, ephemeral: bool = False, lang: str = "en"
) -> Message:
    return Message(md(fallback, FALLBACK_TEXT) or "kundebot", _fit(body, tail, lang), ephemeral)


# --- replies ---------------------------------------------------------------------------------------------
# `lang` is the reading user's language (bot.i18n): the labels, buttons and notes are in it. KpiReply and
# DigestReply carry their own and use it for both words and numbers; PipelineReply's is its numbers' format.


def render_all(replies: Iterable[Reply], lang: str = "en") -> list[Message]:
    """One message per reply, in order."""
    return [render(reply, lang) for reply in replies]


def render(reply: Reply, lang: str = "en") -> Message:
    match reply:
        case Text():
            return _text(reply, lang)
        case Confirm():
            return _confirm(reply, lang)
        case Choice():
            return _choice(reply, lang)
        case CustomerCardReply():
            return _card(reply, lang)
        case CustomerList():
            return _list(reply, lang)
        case KpiReply():
            return _kpi(reply)
        case PipelineReply():
            return _pipeline(reply, lang)
        case RegisterCard():
            return _register(reply, lang)
        case Help():
            return _help(reply, lang)
        case CaptureNotice():
            return _capture_notice(reply, lang)
        case WaitingEmails():
            return _waiting(reply, lang)
        case DigestReply():
            return _digest(reply)
    raise TypeError(f"cannot render {type(reply).__name__}")


def _text(reply: Text, lang: str) -> Message:
    mark = {Tone.ERROR: ERROR_MARK + " ", Tone.SUCCESS: SUCCESS_MARK + " "}.get(reply.tone, "")
    body = mark + md(reply.message, SECTION_TEXT - len(mark), one_line=False)
    return _message(reply.message, [_section(body)], ephemeral=reply.tone is Tone.ERROR, lang=lang)


def _confirm(reply: Confirm, lang: str) -> Message:
    lang = reply.lang or lang  # (the buttons in the question's language)
    buttons = [
        _button(say(lang, "button.yes"), "kundebot_yes", "yes", "primary"),
        _button(say(lang, "button.no"), "kundebot_no", "no"),
    ]
    question = md(reply.question, SECTION_TEXT, one_line=False)
    fallback = f"{reply.question} {say(lang, 'confirm.yes_no')}"
    return _message(fallback, [_section(question)], _actions(buttons), ephemeral=True, lang=lang)


def _choice(reply: Choice, lang: str) -> Message:
    options = reply.options
    lines = [f"{i}. {md(option, NAME)}" for i, option in enumerate(options, 1)]
    body = [_list_section(md(reply.question, 500), lines, len(options), "options", lang, rows=20)]
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
                "placeholder": _plain_text(say(lang, "choice.pick_one"), PLACEHOLDER_TEXT),
                "options": [
                    {"text": _plain_text(f"{i}. {_clean(option)}", OPTION_TEXT), "value": str(i)}
                    for i, option in enumerate(options[:SELECT_OPTIONS], 1)
                ],
            }
        ]
        if len(options) > SELECT_OPTIONS:
            body.append(_context(say(lang, "choice.menu_first", count=SELECT_OPTIONS)))
    elements.append(_button(say(lang, "button.cancel"), "kundebot_no", "no"))
    fallback = f"{reply.question} " + "; ".join(f"{i}. {o}" for i, o in enumerate(options[:10], 1))
    return _message(fallback, body, _actions(elements), ephemeral=True, lang=lang)


def _card(reply: CustomerCardReply, lang: str) -> Message:
    card = reply.card
    c = card.customer
    owner_only = c.visibility.value == "owner"

    def label(key: str) -> str:
        return say(lang, f"card.{key}")

    kind = md(value_name(lang, "customer_kind", c.kind))
    facts = [
        (label("customer_number"), f"#{c.customer_number}"),
        (
            label("org_number"),
            md(f"{reply.org_formatted} ({c.org_country})", NAME) if reply.org_formatted else "",
        ),
        (label("kind"), kind + (f" · :lock: {label('owner_only')}" if owner_only else "")),
        (label("owner"), md(c.owner.name) if c.owner else "-"),
        (label("industry"), md(c.industry.name) if c.industry else ""),
        (
            label("relation_level"),
            md(value_name(lang, "relation_level", c.relation_level)) if c.relation_level else "",
        ),
        (label("head_office"), md(card.head_office.one_line(), VALUE) if card.head_office else ""),
        (label("website"), _website(c.website)),
        (label("groupings"), md(", ".join(g.name for g in card.groupings), VALUE) if card.groupings else ""),
    ]
    body = [_header(c.name), *_fields(facts)]
    if card.contacts:
        lines = []
        for p in card.contacts[:CARD_ROWS]:
            parts = [f"*{md(p.full_name)}*", md(p.title or ""), _mailto(p.primary_email)]
            parts.append(md(p.phones[0].number, 40) if p.phones else "")
            lines.append("• " + " · ".join(x for x in parts if x))
        body.append(_list_section(label("contacts"), lines, len(card.contacts), "contacts", lang))
    if card.open_sales_cases:
        lines = []
        for sc in card.open_sales_cases[:CARD_ROWS]:
            stage = value_name(lang, "stage", sc.stage.name)
            parts = [f"*{md(sc.name)}*", md(stage, 100), money(sc.value), f"{sc.probability} %"]
            if sc.expected_order_date:
                parts.append(say(lang, "card.expected", date=_day(sc.expected_order_date)))
            lines.append("• " + " · ".join(parts))
        cases = len(card.open_sales_cases)
        body.append(_list_section(label("sales_cases"), lines, cases, "sales_cases", lang))
    if card.latest_activities:
        lines = []
        for a in card.latest_activities[:CARD_ROWS]:
            when = _day(a.start_at or a.created_at)
            what = value_name(lang, "kind", a.kind)
            lines.append("• " + " · ".join(x for x in (when, what, md(a.subject, SUBJECT)) if x))
        body.append(
            _list_section(label("activities"), lines, len(card.latest_activities), "activities", lang)
        )
    buttons = [
        _button(say(lang, "button.add_contact"), "customer_add_contact", str(c.id)),
        _button(say(lang, "button.log_activity"), "customer_log_activity", str(c.id)),
        _button(say(lang, "button.edit"), "customer_edit", str(c.id)),
    ]
    if c.org_number:
        buttons.append(_button(say(lang, "button.open_register"), "customer_open_register", c.org_number))
    fallback = f"{c.name} (#{c.customer_number})" + (f" · {label('owner_only')}" if owner_only else "")
    return _message(fallback, body, _actions(buttons), lang=lang)


def _find_more_value(query: str, offset: int) -> str:
    raw = query
    while True:
        value = json.dumps({"query": raw, "offset": offset}, ensure_ascii=False)
        if length(value) <= BUTTON_VALUE:
            return value
        raw = raw[: len(raw) - max(length(value) - BUTTON_VALUE, 1)]


def _list(reply: CustomerList, lang: str) -> Message:
    total = len(reply.hits) + len(reply.register_hits)
    query = f"*{md(reply.query)}*"
    title = say(lang, "list.matching" if reply.hits else "list.none", query=query)
    body = [_section(title)]
    tail = (
        _actions(
            [
                _button(
                    say(lang, "button.more"),
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
            md(say(lang, "list.org", number=c.org_number)) if c.org_number else "",
            value_name(lang, "customer_kind", c.kind),
        ]
        button = _button(say(lang, "button.open"), "customer_open", str(c.id))
        rows.append(_section(" · ".join(x for x in parts if x), button))
    for unit in reply.register_hits:
        org = say(lang, "list.org", number=md(unit.number, 40))
        text = f"*{md(unit.name)}* · {org} · {say(lang, 'list.register_only')}"
        rows.append(
            _section(text, _button(say(lang, "button.add_from_register"), "register_add", unit.number))
        )
    body += rows[:room]
    if total > room:
        body.append(_context(_more(total - room, "matches", lang)))
    elif reply.more:
        body.append(_context(say(lang, "list.more_page")))
    names = ", ".join(h.customer.name for h in reply.hits[:5])
    fallback = say(lang, "list.matching", query=quoted(lang, reply.query)) + f": {names}"
    return _message(fallback, body, tail, lang=lang)


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
        body.append(_list_section(label("meetings"), meetings, len(meetings), "meetings", lang))
    else:
        body.append(_section(f"*{label('meetings')}*\n{label('no_meetings')}"))
    if d.top_sellers:
        sellers = [
            f"• {md(t.name)} · {cash(t.won_value)} · {t.won_count} {label('won')}" for t in d.top_sellers
        ]
        body.append(_list_section(label("top_sellers"), sellers, len(sellers), "sellers", lang))
    if d.latest_customers:
        latest = [f"• #{c.customer_number} {md(c.name)}" for c in d.latest_customers]
        body.append(_list_section(label("latest"), latest, len(latest), "customers", lang))
    fallback = f"{say(lang, 'kpi.title', date=f'{s.today:%d.%m.%Y}')}: {label('margin_year')} {cash(s.margin_this_year)}"
    return _message(fallback, body, [file_actions("kpi", lang)], lang=lang)


def _pipeline(reply: PipelineReply, lang: str) -> Message:
    cash = functools.partial(money, lang=reply.lang)  # in the user's format

    stages = [
        f"• *{md(value_name(lang, 'stage', st.stage), 100)}* · "
        + say(
            lang,
            "pipeline.stage_line",
            count=st.count,
            value=cash(st.value),
            weighted=cash(st.weighted_value),
        )
        for st in reply.stages
    ]
    body = [_header(say(lang, "pipeline.title"))]
    by_stage = say(lang, "pipeline.by_stage")
    if stages:
        body.append(_list_section(by_stage, stages, len(stages), "stages", lang, rows=25))
    else:
        body.append(_section(f"*{by_stage}*\n{say(lang, 'pipeline.no_cases')}"))
    mine = [
        (
            say(lang, key),
            say(
                lang,
                "pipeline.mine_line",
                count=p.count,
                value=cash(p.open_value),
                weighted=cash(p.weighted_value),
            ),
        )
        for key, p in (("kpi.pipeline_month", reply.month), ("kpi.pipeline_quarter", reply.quarter))
    ]
    body += _fields(mine)
    total = sum((st.value for st in reply.stages), Decimal(0))
    count = sum(st.count for st in reply.stages)
    fallback = say(lang, "pipeline.fallback", count=count, total=cash(total))
    return _message(fallback, body, [file_actions("pipeline", lang)], lang=lang)


def file_actions(kind: str, lang: str = "en") -> Block:
    """Charts and the spreadsheet under `kpi` and `pipeline` (the app uploads them to the user's DM)."""
    buttons = [
        (say(lang, "button.pipeline_chart"), "kundebot_chart", "pipeline"),
        (say(lang, "button.invoicing_chart"), "kundebot_chart", "invoicing"),
        (say(lang, "button.export_xlsx"), "kundebot_export", "kpi xlsx"),
    ]
    if kind == "pipeline":
        buttons = buttons[:1] + buttons[2:]
    return {"type": "actions", "elements": [_button(t, f"{a}_{i}", v) for i, (t, a, v) in enumerate(buttons)]}


def _status(unit: RegisterUnit, lang: str) -> str:
    status = value_name(lang, "status", unit.status) + (
        f" ({unit.deleted_on:%d.%m.%Y})" if unit.deleted_on else ""
    )
    return status if unit.status == "active" else f"{ERROR_MARK} *{status}*"


def _register(reply: RegisterCard, lang: str) -> Message:
    unit = reply.unit

    def label(key: str) -> str:
        return say(lang, key)

    facts = [
        (label("card.org_number"), md(f"{reply.formatted_number} ({unit.country})", NAME)),
        (label("reg.status"), _status(unit, lang)),
        (label("reg.form"), md(f"{unit.org_form or ''} {unit.org_form_name or ''}".strip(), NAME)),
        (label("card.industry"), md(f"{unit.industry_code or ''} {unit.industry_name or ''}".strip(), VALUE)),
        (label("reg.employees"), str(unit.employees) if unit.employees is not None else ""),
        (
            label("reg.business_address"),
            md(unit.business_address.one_line(), VALUE) if unit.business_address else "",
        ),
        (
            label("reg.postal_address"),
            md(unit.postal_address.one_line(), VALUE) if unit.postal_address else "",
        ),
        (label("card.website"), _website(unit.website)),
    ]
    body = [_header(unit.name), *_fields(facts), _context(md(register_source(lang, reply.source), 300))]
    status = value_name(lang, "status", unit.status)
    return _message(f"{unit.name} ({reply.formatted_number}): {status}", body, lang=lang)


def _help(reply: Help, lang: str) -> Message:
    lines = [f"{_code(usage, 300)} {md(text, 500)}" for usage, text in reply.entries]
    title = say(lang, "help.topic", topic=md(reply.topic, 100)) if reply.topic else say(lang, "help.title")
    body: list[Block] = [_section(f"*{title}*")]
    chunk: list[str] = []
    for line in lines:
        if chunk and length("\n".join([*chunk, line])) > LIST_TEXT:
            body.append(_section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        body.append(_section("\n".join(chunk)))
    fallback = say(lang, "help.topic", topic=reply.topic) if reply.topic else say(lang, "help.fallback")
    return _message(fallback, body, lang=lang)


# --- captured email ------------------------------------------------------------------------------------------

EMAIL_BUTTONS = 4  # link choices shown as buttons; the rest by `/crm link`


def _capture_notice(reply: CaptureNotice, lang: str) -> Message:
    """A DM to the capturing user: linked (with the card one click away), or the choices to make."""
    subject = "*" + md(reply.subject or say(lang, "capture.no_subject"), NAME) + "*"
    sender = (
        " " + say(lang, "capture.from", sender=md(reply.original_from, NAME)) if reply.original_from else ""
    )
    if reply.customer_id is not None:
        why = value_name(lang, "capture.rule", reply.rule or "")
        customer = f"*{md(reply.customer_name, NAME)}*"
        text = (
            SUCCESS_MARK
            + " "
            + say(lang, "capture.linked", subject=subject, sender=sender, customer=customer)
        )
        body = [_section(text), _context(say(lang, "capture.linked_by", why=why, number=reply.email_id))]
        buttons = [_button(say(lang, "button.open_card"), "customer_open", str(reply.customer_id))]
        fallback = say(lang, "capture.linked_fallback", subject=reply.subject, customer=reply.customer_name)
        return _message(fallback, body, _actions(buttons), lang=lang)
    text = say(lang, "capture.decision", subject=subject, sender=sender)
    body = [_section(text)]
    elements = [
        _button(
            say(lang, "button.link_to", label=_clean(label)),
            f"email_link_{i}",
            f"{reply.email_id}:{customer_id}",
        )
        for i, (customer_id, label) in enumerate(reply.candidates[:EMAIL_BUTTONS], 1)
    ]
    if reply.candidates:
        first_id, first_label = reply.candidates[0]
        new_contact = say(lang, "button.new_contact_at", label=_clean(first_label))
        elements.append(_button(new_contact, "email_contact", f"{reply.email_id}:{first_id}"))
    elements.append(_button(say(lang, "button.ignore"), "email_ignore", str(reply.email_id)))
    body.append(_context(say(lang, "capture.link_any", number=reply.email_id)))
    fallback = say(lang, "capture.decision_fallback", subject=reply.subject)
    return _message(fallback, body, _actions(elements), lang=lang)


def _waiting(reply: WaitingEmails, lang: str) -> Message:
    if not reply.emails:
        none = say(lang, "capture.none")
        return _message(none, [_section(none)], lang=lang)
    lines = [
        f"#{e.email_id} *{md(e.subject or say(lang, 'capture.no_subject'), NAME)}*"
        + (" " + say(lang, "capture.from", sender=md(e.original_from, NAME)) if e.original_from else "")
        for e in reply.emails
    ]
    title = say(lang, "digest.emails")
    body = [_list_section(title, lines, len(lines), "emails", lang, rows=20)]
    body.append(_context(say(lang, "capture.link_how_slack")))
    fallback = say(lang, "capture.waiting_fallback", count=len(lines))
    return _message(fallback, body, ephemeral=True, lang=lang)


def _digest(reply: DigestReply) -> Message:
    lang = reply.lang
    title = digest_text.title(reply.digest, lang)
    parts = digest_text.sections(reply.digest, lang, reply.time_zone)
    if not parts:
        return _message(
            say(lang, "digest.empty"), [_section(md(say(lang, "digest.empty"), SECTION_TEXT))], lang=lang
        )
    body: list[Block] = [_header(title)]
    for heading, lines in parts:
        body.append(
            _list_section(
                f"*{md(heading, 200)}*", [md(line, NAME * 2) for line in lines], len(lines), "lines", lang
            )
        )
    return _message(title, body, [_context(say(lang, "digest.footer"))], lang=lang)


def home_view(reply: DigestReply, month: Pipeline, quarter: Pipeline) -> dict[str, Any]:
    """The App Home tab (issue #8): the user's day (the digest's parts, always shown) and their pipeline."""
    lang = reply.lang
    cash = functools.partial(money, lang=lang)
    body: list[Block] = [_header(digest_text.title(reply.digest, lang))]
    parts = digest_text.sections(reply.digest, lang, reply.time_zone)
    if not parts:
        body.append(_section(md(say(lang, "digest.empty"), SECTION_TEXT)))
    for heading, lines in parts:
        body.append(
            _list_section(
                f"*{md(heading, 200)}*", [md(line, NAME * 2) for line in lines], len(lines), "lines", lang
            )
        )
    body += _fields(
        [
            (say(lang, key), f"{p.count} · {cash(p.open_value)} ({cash(p.weighted_value)})")
            for key, p in (("kpi.pipeline_month", month), ("kpi.pipeline_quarter", quarter))
        ]
    )
    body.append(_context(say(lang, "home.try")))
    return {"type": "home", "blocks": _fit(body, lang=lang)}
