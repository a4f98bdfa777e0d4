"""Reading iCalendar text: robust splitting, time zones, recurrence keys (no server, no store)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from calendar_sync.ical import Window, read_calendar_object, read_feed, reexpand, split_calendar
from store.services.calendar import external_key
from tests.calendar_sync.conftest import NOW, vcalendar, vevent

OSLO = ZoneInfo("Europe/Oslo")
WINDOW = Window.around(NOW)


def test_the_window_is_30_days_back_and_90_ahead_by_default() -> None:
    assert (WINDOW.start, WINDOW.end) == (
        datetime(2026, 9, 1, 8, tzinfo=UTC),
        datetime(2026, 12, 30, 8, tzinfo=UTC),
    )


def test_lf_line_ends_folded_lines_duration_and_x_wr_timezone() -> None:
    text = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nX-WR-TIMEZONE:America/New_York\nBEGIN:VEVENT\nUID:folded-\n uid@x\n"
        "DTSTART:20261105T090000\nDURATION:PT45M\nSUMMARY:Float\n ing\nATTENDEE:MAILTO:Kari@Acme.NO\n"
        "END:VEVENT\nEND:VCALENDAR\n"
    )
    obj, problems = read_calendar_object("/x.ics", '"1"', text, WINDOW, OSLO)
    assert not problems
    [occ] = obj.occurrences
    assert (occ.uid, occ.key, occ.summary, occ.attendees) == (
        "folded-uid@x",
        "folded-uid@x",
        "Floating",
        ("kari@acme.no",),
    )
    assert occ.start == datetime(2026, 11, 5, 14, 0, tzinfo=UTC)  # floating, read in the feed's zone (EST)
    assert (occ.end - occ.start).total_seconds() == 45 * 60


def test_an_invitation_to_one_occurrence_only_is_keyed_by_its_recurrence_id() -> None:
    event = vevent(
        "series@x",
        "20261110T100000",
        "20261110T110000",
        extra="RECURRENCE-ID;TZID=Europe/Oslo:20261110T100000\r\n",
    )
    obj, _ = read_calendar_object("/o.ics", None, vcalendar(event), WINDOW, OSLO)
    assert [o.key for o in obj.occurrences] == ["series@x#20261110T090000Z"]


def test_declines_organiser_and_email_parameters() -> None:
    event = vevent(
        "d@x",
        "20261110T100000",
        organizer="kari@acme.no",
        extra="ATTENDEE;PARTSTAT=DECLINED:mailto:alice@firm.example\r\nATTENDEE;EMAIL=ola@nordlys.no:urn:uuid:1\r\n",
    )
    [occ] = read_calendar_object("/d.ics", None, vcalendar(event), WINDOW, OSLO)[0].occurrences
    assert occ.organizer == "kari@acme.no"
    assert occ.attendees == ("alice@firm.example", "ola@nordlys.no") and occ.declined == (
        "alice@firm.example",
    )
    assert occ.emails == ["kari@acme.no", "alice@firm.example", "ola@nordlys.no"]


def test_single_events_have_no_upper_window_but_end_before_the_window_is_history() -> None:
    far = vevent("far@x", "20270601T100000")
    old = vevent("old@x", "20260701T100000")
    objects, _, _ = read_feed(vcalendar(far, old), WINDOW, OSLO)
    flags = {o.occurrences[0].uid: o.occurrences[0].in_window for o in objects}
    assert flags == {"far@x": True, "old@x": False}


def test_a_series_is_kept_and_expanded_again_when_the_window_moves() -> None:
    weekly = vevent("w@x", "20261201T100000", "20261201T110000", extra="RRULE:FREQ=WEEKLY;COUNT=10\r\n")
    obj, _ = read_calendar_object("/w.ics", '"e"', vcalendar(weekly), WINDOW, OSLO)
    assert len(obj.occurrences) == 5 and obj.expanded_until == date(2026, 12, 30) and obj.data
    later = Window.around(datetime(2026, 11, 1, tzinfo=UTC))
    again, problems = reexpand("/w.ics", '"e"', obj.data, later, OSLO)
    assert not problems and len(again.occurrences) == 9 and again.expanded_until == date(2027, 1, 30)


def test_feeds_skip_unchanged_uids_and_list_every_uid_present() -> None:
    text = vcalendar(vevent("a@x", "20261105T090000"), vevent("b@x", "20261106T090000"))
    first, present, _ = read_feed(text, WINDOW, OSLO)
    known = {o.href: o.etag for o in first}
    again, present_again, _ = read_feed(text, WINDOW, OSLO, known=known)
    assert again == [] and present_again == present == {"uid:a@x", "uid:b@x"}


def test_garbage_is_reported_not_raised() -> None:
    split = split_calendar(b"\xff\xfenot a calendar at all")
    assert split.groups == {} and "not iCalendar data" in "\n".join(split.problems.as_list())


def test_very_long_uids_are_hashed_to_fit() -> None:
    key = external_key("u" * 600, "20261105T090000Z")
    assert key.startswith("sha256:") and len(key) == 71
    assert external_key("short@x", None) == "short@x"
