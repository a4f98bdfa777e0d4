"""The daily digest as sections of lines, shared by the Block Kit, console and email renderers."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import say
from store.services.digest import Digest


def _clock(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M") if moment else ""


def _customer(thing: object) -> str:
    customer = getattr(thing, "customer", None)
    return f" – {customer.name}" if customer is not None else ""


def sections(digest: Digest, lang: str, time_zone: str) -> list[tuple[str, list[str]]]:
    """(title, lines) per part of the digest that has something to say, in the user's language and zone."""
    tz = ZoneInfo(time_zone)
    parts: list[tuple[str, list[str]]] = []
    if digest.meetings:
        parts.append(
            (
                say(lang, "digest.meetings"),
                [f"{_clock(m.start_at, tz)} {m.subject}{_customer(m)}" for m in digest.meetings],
            )
        )
    if digest.tasks:
        parts.append(
            (
                say(lang, "digest.tasks"),
                [f"{t.due_date:%Y-%m-%d} {t.subject}{_customer(t)}" for t in digest.tasks],
            )
        )
    if digest.waiting_emails:
        parts.append(
            (
                say(lang, "digest.emails"),
                [
                    f"#{e.id} {e.subject or say(lang, 'capture.no_subject')} ({e.from_address or '-'})"
                    for e in digest.waiting_emails
                ],
            )
        )
    if digest.overdue_cases:
        parts.append(
            (
                say(lang, "digest.cases"),
                [f"{c.expected_order_date:%Y-%m-%d} {c.name}{_customer(c)}" for c in digest.overdue_cases],
            )
        )
    if digest.activity_on_my_customers:
        parts.append(
            (
                say(lang, "digest.activity"),
                [f"{a.kind}: {a.subject}{_customer(a)}" for a in digest.activity_on_my_customers],
            )
        )
    return parts


def title(digest: Digest, lang: str) -> str:
    return say(lang, "digest.title", date=f"{digest.local_date:%Y-%m-%d}")


def as_text(digest: Digest, lang: str, time_zone: str) -> str:
    lines = [title(digest, lang), ""]
    for heading, items in sections(digest, lang, time_zone):
        lines.append(heading)
        lines += [f"  - {item}" for item in items]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def as_html(digest: Digest, lang: str, time_zone: str) -> str:
    parts = [f"<h2>{html.escape(title(digest, lang))}</h2>"]
    for heading, items in sections(digest, lang, time_zone):
        parts.append(f"<h3>{html.escape(heading)}</h3><ul>")
        parts += [f"<li>{html.escape(item)}</li>" for item in items]
        parts.append("</ul>")
    return "<html><body>" + "".join(parts) + "</body></html>"
