"""Rich rendering of replies for the terminal console."""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

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

TONE_STYLE = {Tone.INFO: "", Tone.SUCCESS: "green", Tone.ERROR: "bold red"}


def render(console: Console, reply: Reply, lang: str = "en") -> None:
    """Print `reply` for a user reading `lang` (bot.i18n); KpiReply and DigestReply carry their own (and
    PipelineReply its numbers' format)."""
    match reply:
        case Text(message=message, tone=tone):
            console.print(RichText(message, style=TONE_STYLE[tone]))
        case Confirm(question=question):
            console.print(RichText(f"{question} {say(reply.lang or lang, 'confirm.yes_no')}", style="bold"))
        case Choice(question=question, options=options):
            console.print(RichText(question, style="bold"))
            for i, option in enumerate(options, 1):
                console.print(f"  {i}. {option}")
            console.print(say(lang, "choice.answer_number"))
        case CustomerCardReply():
            console.print(_card(reply, lang))
        case CustomerList():
            console.print(_list(reply, lang))
        case KpiReply():
            console.print(_kpi(reply))
        case PipelineReply():
            console.print(_pipeline(reply, lang))
        case RegisterCard():
            console.print(_register(reply, lang))
        case CaptureNotice():
            if reply.customer_id is not None:
                console.print(
                    say(
                        lang,
                        "email.linked",
                        number=reply.email_id,
                        subject=reply.subject,
                        customer=reply.customer_name,
                    )
                )
            else:
                console.print(
                    say(lang, "capture.needs_decision", number=reply.email_id, subject=reply.subject)
                )
                for customer_id, label in reply.candidates:
                    console.print(f"  link {reply.email_id} #{customer_id}   ({label})")
        case WaitingEmails(emails=emails):
            if not emails:
                console.print(say(lang, "capture.none"))
            for e in emails:
                line = say(
                    lang,
                    "capture.waiting_line",
                    number=e.email_id,
                    subject=e.subject,
                    sender=e.original_from or "-",
                )
                console.print(f"  {line}")
            if emails:
                console.print(say(lang, "capture.link_how"))
        case DigestReply(digest=digest, lang=digest_lang, time_zone=time_zone):
            parts = digest_text.sections(digest, digest_lang, time_zone)
            if not parts:
                console.print(say(digest_lang, "digest.empty"))
            else:
                console.print(RichText(digest_text.title(digest, digest_lang), style="bold"))
                for heading, lines in parts:
                    console.print(RichText(heading, style="bold"))
                    for line in lines:
                        console.print(f"  - {line}")
        case Help(entries=entries):
            table = Table(show_header=False, box=None, padding=(0, 2))
            for usage, text in entries:
                table.add_row(RichText(usage, style="bold"), text)
            console.print(table)


def _table(title: str, columns: tuple[str, ...], lang: str) -> Table:
    """A titled table with the columns named by their "col." keys."""
    table = Table(title=title, title_justify="left", expand=True)
    for col in columns:
        table.add_column(say(lang, f"col.{col}"))
    return table


def _card(reply: CustomerCardReply, lang: str) -> Panel:
    card = reply.card
    c = card.customer

    def label(key: str) -> str:
        return say(lang, f"card.{key}")

    facts = Table(show_header=False, box=None, padding=(0, 1))
    facts.add_row(label("customer_number"), f"#{c.customer_number}")
    if reply.org_formatted:
        facts.add_row(label("org_number"), f"{reply.org_formatted} ({c.org_country})")
    owner_only = f" · {label('owner_only')}" if c.visibility.value == "owner" else ""
    facts.add_row(label("kind"), value_name(lang, "customer_kind", c.kind) + owner_only)
    facts.add_row(label("owner"), c.owner.name if c.owner else "-")
    if c.industry:
        facts.add_row(label("industry"), c.industry.name)
    if c.relation_level:
        facts.add_row(label("relation_level"), value_name(lang, "relation_level", c.relation_level))
    if card.head_office:
        facts.add_row(label("head_office"), card.head_office.one_line())
    if c.website:
        facts.add_row(label("website"), c.website)
    if card.groupings:
        facts.add_row(label("groupings"), ", ".join(f"{g.name}" for g in card.groupings))
    parts: list[object] = [facts]
    if card.contacts:
        people = _table(label("contacts"), ("name", "title", "email", "phone"), lang)
        for p in card.contacts:
            people.add_row(
                p.full_name, p.title or "", p.primary_email or "", p.phones[0].number if p.phones else ""
            )
        parts.append(people)
    if card.open_sales_cases:
        cases = _table(label("sales_cases"), ("case", "stage", "value", "probability", "expected"), lang)
        for sc in card.open_sales_cases:
            cases.add_row(
                sc.name,
                value_name(lang, "stage", sc.stage.name),
                money(sc.value),
                f"{sc.probability}%",
                str(sc.expected_order_date or ""),
            )
        parts.append(cases)
    if card.latest_activities:
        acts = _table(label("activities"), ("when", "kind", "subject"), lang)
        for a in card.latest_activities:
            when = a.start_at or a.created_at
            acts.add_row(
                when.strftime("%Y-%m-%d") if when else "", value_name(lang, "kind", a.kind), a.subject
            )
        parts.append(acts)
    return Panel(Group(*parts), title=f"[bold]{c.name}[/bold]", expand=False)  # type: ignore[arg-type]


def _register(reply: RegisterCard, lang: str) -> Panel:
    unit = reply.unit
    facts = Table(show_header=False, box=None, padding=(0, 1))
    facts.add_row(say(lang, "card.org_number"), f"{reply.formatted_number} ({unit.country})")
    status = value_name(lang, "status", unit.status) + (
        f" ({unit.deleted_on:%d.%m.%Y})" if unit.deleted_on else ""
    )
    facts.add_row(
        say(lang, "reg.status"), RichText(status, style="" if unit.status == "active" else "bold red")
    )
    if unit.org_form:
        facts.add_row(say(lang, "reg.form"), f"{unit.org_form} {unit.org_form_name or ''}".strip())
    if unit.industry_code:
        facts.add_row(say(lang, "card.industry"), f"{unit.industry_code} {unit.industry_name or ''}".strip())
    if unit.employees is not None:
        facts.add_row(say(lang, "reg.employees"), str(unit.employees))
    if unit.business_address:
        facts.add_row(say(lang, "reg.business_address"), unit.business_address.one_line())
    if unit.postal_address:
        facts.add_row(say(lang, "reg.postal_address"), unit.postal_address.one_line())
    if unit.website:
        facts.add_row(say(lang, "card.website"), unit.website)
    return Panel(
        facts,
        title=f"[bold]{unit.name}[/bold]",
        subtitle=register_source(lang, reply.source),
        expand=False,
    )


def _list(reply: CustomerList, lang: str) -> Table:
    table = Table(title=say(lang, "list.matching", query=quoted(lang, reply.query)), title_justify="left")
    for col in ("number", "name"):
        table.add_column(say(lang, f"col.{col}"))
    table.add_column(say(lang, "card.org_number"))
    table.add_column(say(lang, "col.kind"))
    for hit in reply.hits:
        c = hit.customer
        table.add_row(
            f"#{c.customer_number}", c.name, c.org_number or "", value_name(lang, "customer_kind", c.kind)
        )
    for unit in reply.register_hits:
        table.add_row(
            say(lang, "list.register"), unit.name, unit.number, say(lang, "list.add_org", number=unit.number)
        )
    if reply.more:
        table.caption = say(lang, "list.more")
    return table


def _kpi(reply: KpiReply) -> Group:
    s, d = reply.summary, reply.dashboard
    lang = reply.lang
    cash = functools.partial(money, lang=lang)  # in the user's format

    def label(key: str) -> str:
        return say(lang, f"kpi.{key}")

    weighted = label("weighted")
    title = say(lang, "kpi.title", date=f"{s.today:%d.%m.%Y}")
    figures = Table(title=title, title_justify="left", show_header=False)
    figures.add_column("KPI")
    figures.add_column("Value", justify="right")
    figures.add_row(label("margin_year"), cash(s.margin_this_year))
    figures.add_row(f"  {label('invoicing_year')}", cash(s.invoicing_this_year))
    figures.add_row(f"  {label('costs_year')}", cash(s.costs_this_year))
    change = ""
    if s.month_change is not None:
        change = f" ({percent(s.month_change, lang, signed=True)} {label('vs_last_month')})"
    figures.add_row(label("invoicing_month"), cash(s.invoicing_this_month) + change)
    figures.add_row(label("invoicing_last_month"), cash(s.invoicing_last_month))
    figures.add_row(label("active"), str(s.active_customers))
    figures.add_row(label("prospects"), str(s.prospects_in_progress))
    figures.add_row(
        label("sales_month"),
        f"{cash(d.sales_this_month.won_value)} ({d.sales_this_month.won_count} {label('won')})",
    )
    figures.add_row(
        label("pipeline_month"),
        f"{cash(d.pipeline_month.open_value)} ({weighted} {cash(d.pipeline_month.weighted_value)})",
    )
    figures.add_row(
        label("pipeline_quarter"),
        f"{cash(d.pipeline_quarter.open_value)} ({weighted} {cash(d.pipeline_quarter.weighted_value)})",
    )
    parts: list[object] = [figures]
    meetings = Table(title=label("meetings"), title_justify="left")
    meetings.add_column(say(lang, "col.time"))
    meetings.add_column(say(lang, "col.subject"))
    for m in d.todays_meetings:
        local = m.start_at.astimezone(ZoneInfo(reply.time_zone)) if m.start_at else None
        meetings.add_row(local.strftime("%H:%M") if local else "", m.subject)
    if not d.todays_meetings:
        meetings.add_row("", label("no_meetings"))
    parts.append(meetings)
    sellers = Table(title=label("top_sellers"), title_justify="left")
    for col in ("seller", "won", "cases"):
        sellers.add_column(say(lang, f"col.{col}"))
    for t in d.top_sellers:
        sellers.add_row(t.name, cash(t.won_value), str(t.won_count))
    parts.append(sellers)
    latest = Table(title=label("latest"), title_justify="left")
    latest.add_column(say(lang, "col.number"))
    latest.add_column(say(lang, "col.name"))
    for c in d.latest_customers:
        latest.add_row(f"#{c.customer_number}", c.name)
    parts.append(latest)
    return Group(*parts)  # type: ignore[arg-type]


def _pipeline(reply: PipelineReply, lang: str) -> Group:
    cash = functools.partial(money, lang=reply.lang)  # in the user's format

    stages = Table(title=say(lang, "chart.pipeline"), title_justify="left")
    for col in ("stage", "cases", "value", "weighted"):
        stages.add_column(say(lang, f"col.{col}"), justify="right" if col != "stage" else "left")
    for st in reply.stages:
        stages.add_row(
            value_name(lang, "stage", st.stage), str(st.count), cash(st.value), cash(st.weighted_value)
        )
    mine = Table(title=say(lang, "export.sheet_mine"), title_justify="left")
    for col in ("period", "cases", "value", "weighted"):
        mine.add_column(say(lang, f"col.{col}"))
    for key, p in (("export.this_month", reply.month), ("export.this_quarter", reply.quarter)):
        mine.add_row(say(lang, key), str(p.count), cash(p.open_value), cash(p.weighted_value))
    return Group(stages, mine)
