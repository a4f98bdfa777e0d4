"""Rich rendering of replies for the terminal console."""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

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

TONE_STYLE = {Tone.INFO: "", Tone.SUCCESS: "green", Tone.ERROR: "bold red"}


def render(console: Console, reply: Reply) -> None:
    match reply:
        case Text(message=message, tone=tone):
            console.print(RichText(message, style=TONE_STYLE[tone]))
        case Confirm(question=question):
            console.print(RichText(f"{question} (yes/no)", style="bold"))
        case Choice(question=question, options=options):
            console.print(RichText(question, style="bold"))
            for i, option in enumerate(options, 1):
                console.print(f"  {i}. {option}")
            console.print("Answer with the number.")
        case CustomerCardReply():
            console.print(_card(reply))
        case CustomerList():
            console.print(_list(reply))
        case KpiReply():
            console.print(_kpi(reply))
        case PipelineReply():
            console.print(_pipeline(reply))
        case RegisterCard():
            console.print(_register(reply))
        case CaptureNotice():
            if reply.customer_id is not None:
                console.print(
                    f"Email #{reply.email_id} {reply.subject!r} is on {reply.customer_name}'s card."
                )
            else:
                console.print(f"Email #{reply.email_id} {reply.subject!r} needs a decision:")
                for customer_id, label in reply.candidates:
                    console.print(f"  link {reply.email_id} #{customer_id}   ({label})")
        case WaitingEmails(emails=emails):
            if not emails:
                console.print("No captured email waits for you.")
            for e in emails:
                console.print(f"  #{e.email_id} {e.subject!r} from {e.original_from or '-'}")
            if emails:
                console.print("Link one with `link NUMBER CUSTOMER`, or `link NUMBER ignore`.")
        case DigestReply(digest=digest, lang=lang, time_zone=time_zone):
            parts = digest_text.sections(digest, lang, time_zone)
            if not parts:
                console.print(say(lang, "digest.empty"))
            else:
                console.print(RichText(digest_text.title(digest, lang), style="bold"))
                for heading, lines in parts:
                    console.print(RichText(heading, style="bold"))
                    for line in lines:
                        console.print(f"  - {line}")
        case Help(entries=entries):
            table = Table(show_header=False, box=None, padding=(0, 2))
            for usage, text in entries:
                table.add_row(RichText(usage, style="bold"), text)
            console.print(table)


def _card(reply: CustomerCardReply) -> Panel:
    card = reply.card
    c = card.customer
    facts = Table(show_header=False, box=None, padding=(0, 1))
    facts.add_row("Customer no.", f"#{c.customer_number}")
    if reply.org_formatted:
        facts.add_row("Org. no.", f"{reply.org_formatted} ({c.org_country})")
    facts.add_row("Kind", c.kind.value + (" · owner only" if c.visibility.value == "owner" else ""))
    facts.add_row("Owner", c.owner.name if c.owner else "-")
    if c.industry:
        facts.add_row("Industry", c.industry.name)
    if c.relation_level:
        facts.add_row("Relation level", c.relation_level.value)
    if card.head_office:
        facts.add_row("Head office", card.head_office.one_line())
    if c.website:
        facts.add_row("Website", c.website)
    if card.groupings:
        facts.add_row("Groupings", ", ".join(f"{g.name}" for g in card.groupings))
    parts: list[object] = [facts]
    if card.contacts:
        people = Table(title="Contacts", title_justify="left", expand=True)
        for col in ("Name", "Title", "Email", "Phone"):
            people.add_column(col)
        for p in card.contacts:
            people.add_row(
                p.full_name, p.title or "", p.primary_email or "", p.phones[0].number if p.phones else ""
            )
        parts.append(people)
    if card.open_sales_cases:
        cases = Table(title="Open sales cases", title_justify="left", expand=True)
        for col in ("Case", "Stage", "Value", "Prob.", "Expected"):
            cases.add_column(col)
        for sc in card.open_sales_cases:
            cases.add_row(
                sc.name,
                sc.stage.name,
                money(sc.value),
                f"{sc.probability}%",
                str(sc.expected_order_date or ""),
            )
        parts.append(cases)
    if card.latest_activities:
        acts = Table(title="Latest activities", title_justify="left", expand=True)
        for col in ("When", "Kind", "Subject"):
            acts.add_column(col)
        for a in card.latest_activities:
            when = a.start_at or a.created_at
            acts.add_row(when.strftime("%Y-%m-%d") if when else "", a.kind.value, a.subject)
        parts.append(acts)
    return Panel(Group(*parts), title=f"[bold]{c.name}[/bold]", expand=False)  # type: ignore[arg-type]


def _register(reply: RegisterCard) -> Panel:
    unit = reply.unit
    facts = Table(show_header=False, box=None, padding=(0, 1))
    facts.add_row("Org. no.", f"{reply.formatted_number} ({unit.country})")
    status = unit.status + (f" ({unit.deleted_on:%d.%m.%Y})" if unit.deleted_on else "")
    facts.add_row("Status", RichText(status, style="" if status == "active" else "bold red"))
    if unit.org_form:
        facts.add_row("Form", f"{unit.org_form} {unit.org_form_name or ''}".strip())
    if unit.industry_code:
        facts.add_row("Industry", f"{unit.industry_code} {unit.industry_name or ''}".strip())
    if unit.employees is not None:
        facts.add_row("Employees", str(unit.employees))
    if unit.business_address:
        facts.add_row("Business address", unit.business_address.one_line())
    if unit.postal_address:
        facts.add_row("Postal address", unit.postal_address.one_line())
    if unit.website:
        facts.add_row("Website", unit.website)
    source = "local copy of the register" if reply.source in ("local", "cache") else reply.source
    return Panel(
        facts,
        title=f"[bold]{unit.name}[/bold]",
        subtitle=f"from the {source}".replace("the the", "the"),
        expand=False,
    )


def _list(reply: CustomerList) -> Table:
    table = Table(title=f"Customers matching {reply.query!r}", title_justify="left")
    for col in ("No.", "Name", "Org. no.", "Kind"):
        table.add_column(col)
    for hit in reply.hits:
        c = hit.customer
        table.add_row(f"#{c.customer_number}", c.name, c.org_number or "", c.kind.value)
    for unit in reply.register_hits:
        table.add_row("register", unit.name, unit.number, f"add: org {unit.number}")
    if reply.more:
        table.caption = "More matches: refine the search."
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
    meetings.add_column("Time")
    meetings.add_column("Subject")
    for m in d.todays_meetings:
        local = m.start_at.astimezone(ZoneInfo(reply.time_zone)) if m.start_at else None
        meetings.add_row(local.strftime("%H:%M") if local else "", m.subject)
    if not d.todays_meetings:
        meetings.add_row("", label("no_meetings"))
    parts.append(meetings)
    sellers = Table(title=label("top_sellers"), title_justify="left")
    for col in ("Seller", "Won", "Cases"):
        sellers.add_column(col)
    for t in d.top_sellers:
        sellers.add_row(t.name, cash(t.won_value), str(t.won_count))
    parts.append(sellers)
    latest = Table(title=label("latest"), title_justify="left")
    latest.add_column("No.")
    latest.add_column("Name")
    for c in d.latest_customers:
        latest.add_row(f"#{c.customer_number}", c.name)
    parts.append(latest)
    return Group(*parts)  # type: ignore[arg-type]


def _pipeline(reply: PipelineReply) -> Group:
    cash = functools.partial(money, lang=reply.lang)  # in the user's format

    stages = Table(title="Pipeline by stage (open sales cases)", title_justify="left")
    for col in ("Stage", "Cases", "Value", "Weighted"):
        stages.add_column(col, justify="right" if col != "Stage" else "left")
    for st in reply.stages:
        stages.add_row(st.stage, str(st.count), cash(st.value), cash(st.weighted_value))
    mine = Table(title="My pipeline", title_justify="left")
    for col in ("Period", "Cases", "Value", "Weighted"):
        mine.add_column(col)
    for label, p in (("This month", reply.month), ("This quarter", reply.quarter)):
        mine.add_row(label, str(p.count), cash(p.open_value), cash(p.weighted_value))
    return Group(stages, mine)
