"""Each user's private iCalendar feed of their CRM activities: meetings and dated tasks (SPEC §7)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from store.models import ActivityKind
from store.services.calendar import FeedEntry

PRODID = "-//kundebot//CRM activities//EN"


def activity_uid(activity_id: int) -> str:
    """Not the meeting's own UID: a client subscribing to the feed next to the calendar the meeting came
    from must not merge or replace the original event."""
    return f"kundebot-activity-{activity_id}@kundebot"


def render_feed(entries: Sequence[FeedEntry], *, name: str, zone: ZoneInfo, now: datetime) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", f"kundebot: {name}")
    calendar.add("X-WR-TIMEZONE", zone.key)
    calendar.add("REFRESH-INTERVAL", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", "PT1H")
    for entry in entries:
        event = _event(entry, zone, now)
        if event is not None:
            calendar.add_component(event)
    return calendar.to_ical()


def _event(entry: FeedEntry, zone: ZoneInfo, now: datetime) -> icalendar.Event | None:
    event = icalendar.Event()
    event.add("UID", activity_uid(entry.id))
    event.add("DTSTAMP", (entry.updated_at or now).astimezone(UTC))
    event.add("CREATED", entry.created_at.astimezone(UTC))
    event.add("LAST-MODIFIED", entry.updated_at.astimezone(UTC))
    summary = entry.subject
    if entry.customer:
        summary = f"{summary} ({entry.customer})"
    if entry.kind is ActivityKind.TASK:
        event.add("SUMMARY", ("Done: " if entry.done else "Task: ") + summary)
        event.add("CATEGORIES", ["Task"])
        if entry.start_at is not None and entry.due_date is None:
            day = entry.start_at.astimezone(zone).date()
        elif entry.due_date is not None:
            day = entry.due_date
        else:
            return None
        event.add("DTSTART", day)
        event.add("DTEND", day + timedelta(days=1))
        event.add("TRANSP", "TRANSPARENT")
    else:
        if entry.start_at is None:
            return None
        event.add("SUMMARY", summary)
        event.add("CATEGORIES", ["Meeting"])
        end = entry.end_at or entry.start_at + timedelta(hours=1)
        if entry.all_day:
            first = entry.start_at.astimezone(zone).date()
            last = max(end.astimezone(zone).date(), first + timedelta(days=1))
            event.add("DTSTART", first)
            event.add("DTEND", last)
        else:
            event.add("DTSTART", entry.start_at.astimezone(UTC))
            event.add("DTEND", end.astimezone(UTC))
    if entry.customer:
        event.add("DESCRIPTION", f"Customer: {entry.customer}")
    event.add("STATUS", "CANCELLED" if entry.cancelled else "CONFIRMED")
    return event
