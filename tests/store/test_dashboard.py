"""The dashboard of SPEC §8 against small hand-computed fixtures: today's meetings, latest customers, top
sellers this year, my pipeline this month and quarter, sales this month and the pipeline by stage.

Periods follow the acting user's time zone and everything is over what the acting user may see (SPEC §3).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from store.actor import Actor
from store.db import Store
from store.models import Activity, ActivityKind
from store.periods import Period
from store.services import activities, customers, dashboard
from store.types import utcnow
from tests.conftest import make_actor
from tests.store import builders as b

# 13:00 in Oslo on Sunday 15 November 2026: this month is November, this quarter October-December.
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def meeting_subjects(store: Store, actor: Actor, now: datetime = NOW) -> list[str]:
    async with store.reading() as s:
        return [m.subject for m in await dashboard.todays_meetings(s, actor, now=now)]


async def latest_names(store: Store, actor: Actor, **kwargs: int) -> list[str]:
    async with store.reading() as s:
        return [c.name for c in await dashboard.latest_customers(s, actor, **kwargs)]


async def sellers(store: Store, actor: Actor, now: datetime = NOW) -> list[tuple[str, Decimal, int]]:
    async with store.reading() as s:
        return [(t.name, t.won_value, t.won_count) for t in await dashboard.top_sellers(s, actor, now=now)]


async def pipelines(
    store: Store, actor: Actor, now: datetime = NOW
) -> tuple[dashboard.Pipeline, dashboard.Pipeline]:
    async with store.reading() as s:
        return await dashboard.my_pipeline(s, actor, now=now)


async def sales(store: Store, actor: Actor, now: datetime = NOW) -> tuple[Decimal, int]:
    async with store.reading() as s:
        result = await dashboard.sales_this_month(s, actor, now=now)
    return result.won_value, result.won_count


async def stages(
    store: Store, actor: Actor, seller_id: int | None = None
) -> list[tuple[str, int, int, Decimal, Decimal]]:
    async with store.reading() as s:
        rows = await dashboard.pipeline_by_stage(s, actor, seller_id=seller_id)
    return [(r.stage, r.position, r.count, r.value, r.weighted_value) for r in rows]


# --- today's meetings -----------------------------------------------------------------------------------


async def test_todays_meetings_lists_the_users_meetings_of_today_in_start_order(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        await b.meeting(s, alice, "Lunsj med Fjord", utc(2026, 11, 15, 14, 0))
        await b.meeting(s, alice, "Frokostmøte", utc(2026, 11, 15, 8, 0))
        await b.meeting(s, alice, "Statusmøte", utc(2026, 11, 15, 10, 30))
        await b.meeting(s, alice, "I går", utc(2026, 11, 14, 12, 0))
        await b.meeting(s, alice, "I morgen", utc(2026, 11, 16, 8, 0))
    assert await meeting_subjects(store, alice) == ["Frokostmøte", "Statusmøte", "Lunsj med Fjord"]


async def test_todays_meetings_follow_the_day_in_oslo(store: Store, alice: Actor) -> None:
    # 23:30 UTC on 30 November is 00:30 on 1 December in Oslo (UTC+1): the day is 23:00Z to 23:00Z.
    async with store.transaction() as s:
        await b.meeting(s, alice, "Sent 30. november", utc(2026, 11, 30, 22, 30))
        await b.meeting(s, alice, "Midnatt 1. desember", utc(2026, 11, 30, 23, 0))
        await b.meeting(s, alice, "Sent 1. desember", utc(2026, 12, 1, 22, 59))
        await b.meeting(s, alice, "Midnatt 2. desember", utc(2026, 12, 1, 23, 0))
    assert await meeting_subjects(store, alice, utc(2026, 11, 30, 23, 30)) == [
        "Midnatt 1. desember",
        "Sent 1. desember",
    ]


async def test_todays_meetings_follow_the_day_in_new_york(store: Store) -> None:
    # 03:00 UTC on 1 December is 22:00 on 30 November in New York (UTC-5): the day is 05:00Z to 05:00Z.
    nina = await make_actor(store, "Nina York", tz="America/New_York")
    async with store.transaction() as s:
        await b.meeting(s, nina, "Late on the 29th", utc(2026, 11, 30, 4, 30))
        await b.meeting(s, nina, "Morning of the 30th", utc(2026, 11, 30, 14, 0))
        await b.meeting(s, nina, "Late on the 30th", utc(2026, 12, 1, 4, 30))
        await b.meeting(s, nina, "Midnight of the 1st", utc(2026, 12, 1, 5, 0))
    assert await meeting_subjects(store, nina, utc(2026, 12, 1, 3, 0)) == [
        "Morning of the 30th",
        "Late on the 30th",
    ]


async def test_cancelled_meetings_are_not_among_todays_meetings(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await b.meeting(s, alice, "Holder", utc(2026, 11, 15, 9, 0))
        cancelled = await s.get(Activity, await b.meeting(s, alice, "Avlyst", utc(2026, 11, 15, 10, 0)))
        assert cancelled is not None
        cancelled.cancelled = True
    assert await meeting_subjects(store, alice) == ["Holder"]


async def test_deleted_meetings_are_not_among_todays_meetings(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await b.meeting(s, alice, "Holder", utc(2026, 11, 15, 9, 0))
        deleted = await s.get(Activity, await b.meeting(s, alice, "Slettet", utc(2026, 11, 15, 10, 0)))
        assert deleted is not None
        deleted.deleted_at = utcnow()
    assert await meeting_subjects(store, alice) == ["Holder"]


async def test_other_users_meetings_are_not_among_todays_meetings(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        await b.meeting(s, alice, "Alices møte", utc(2026, 11, 15, 9, 0))
        await b.meeting(s, bob, "Bobs møte", utc(2026, 11, 15, 10, 0))
    assert await meeting_subjects(store, alice) == ["Alices møte"]


async def test_a_meeting_another_user_assigned_to_the_user_is_among_todays_meetings(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        await b.meeting(s, bob, "Overlevering", utc(2026, 11, 15, 9, 0), assignee_id=alice.user_id)
    assert await meeting_subjects(store, alice) == ["Overlevering"]


async def test_calls_and_tasks_today_are_not_meetings(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await b.meeting(s, alice, "Møte", utc(2026, 11, 15, 9, 0))
        for kind in (ActivityKind.CALL, ActivityKind.TASK, ActivityKind.NOTE):
            await activities.log_activity(
                s, alice, kind=kind, subject=f"Ikke møte ({kind})", start_at=utc(2026, 11, 15, 10, 0)
            )
    assert await meeting_subjects(store, alice) == ["Møte"]


async def test_a_meeting_on_a_customer_the_user_can_no_longer_see_is_not_listed(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, bob, "Hemmelig Kunde AS")
        await b.meeting(s, alice, "Hos Hemmelig", utc(2026, 11, 15, 9, 0), customer_id=c)
        await b.meeting(s, alice, "Internt", utc(2026, 11, 15, 11, 0))
    async with store.transaction() as s:
        await customers.update_customer(s, bob, c, {"visibility": "owner"})
    assert await meeting_subjects(store, alice) == ["Internt"]


# --- latest customers -----------------------------------------------------------------------------------


async def test_latest_customers_are_newest_registered_first(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await b.customer(s, alice, "Nyest AS", created_at=utc(2026, 11, 1, 9, 0))
        await b.customer(s, alice, "Eldst AS", created_at=utc(2026, 1, 5, 9, 0))
        await b.customer(s, alice, "Midt AS", created_at=utc(2026, 6, 1, 9, 0))
    assert await latest_names(store, alice) == ["Nyest AS", "Midt AS", "Eldst AS"]


async def test_latest_customers_are_limited_to_ten_by_default(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        for day in range(1, 12):
            await b.customer(s, alice, f"Kunde {day:02d} AS", created_at=utc(2026, 11, day, 9, 0))
    assert await latest_names(store, alice) == [f"Kunde {day:02d} AS" for day in range(11, 1, -1)]


async def test_latest_customers_take_an_explicit_limit(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        for day in range(1, 5):
            await b.customer(s, alice, f"Kunde {day:02d} AS", created_at=utc(2026, 11, day, 9, 0))
    assert await latest_names(store, alice, limit=2) == ["Kunde 04 AS", "Kunde 03 AS"]


async def test_latest_customers_leave_out_hidden_and_deleted_customers(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        await b.customer(s, alice, "Synlig AS", created_at=utc(2026, 11, 1, 9, 0))
        await b.customer(s, bob, "Hemmelig AS", visibility="owner", created_at=utc(2026, 11, 2, 9, 0))
        gone = await b.customer(s, alice, "Slettet AS", created_at=utc(2026, 11, 3, 9, 0))
    async with store.transaction() as s:
        await customers.delete_customer(s, alice, gone)
    assert (await latest_names(store, alice), await latest_names(store, bob)) == (
        ["Synlig AS"],
        ["Hemmelig AS", "Synlig AS"],
    )


async def test_an_admin_sees_owner_only_customers_among_the_latest(
    store: Store, alice: Actor, bob: Actor, admin: Actor
) -> None:
    async with store.transaction() as s:
        await b.customer(s, alice, "Synlig AS", created_at=utc(2026, 11, 1, 9, 0))
        await b.customer(s, bob, "Hemmelig AS", visibility="owner", created_at=utc(2026, 11, 2, 9, 0))
    assert await latest_names(store, admin) == ["Hemmelig AS", "Synlig AS"]


# --- top sellers ----------------------------------------------------------------------------------------


async def test_top_sellers_are_ranked_by_value_won_this_year(store: Store, alice: Actor, bob: Actor) -> None:
    carl = await make_actor(store, "Carl Consultant")
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "100000", stage="won", closed_date=date(2026, 2, 1))
        await b.case(s, alice, c, "50000", stage="won", closed_date=date(2026, 9, 1))
        await b.case(s, bob, c, "200000", stage="won", closed_date=date(2026, 5, 1))
        await b.case(s, alice, c, "75000", stage="won", closed_date=date(2026, 7, 1), seller_id=carl.user_id)
    assert await sellers(store, alice) == [
        ("Bob Sales", Decimal("200000.00"), 1),
        ("Alice Sales", Decimal("150000.00"), 2),
        ("Carl Consultant", Decimal("75000.00"), 1),
    ]


async def test_top_sellers_leave_out_last_years_wins_and_open_or_lost_cases(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "1000", stage="won", closed_date=date(2026, 1, 2))
        await b.case(s, alice, c, "900000", stage="won", closed_date=date(2025, 12, 31))
        await b.case(s, bob, c, "800000", stage="won", closed_date=date(2025, 6, 30))
        await b.case(s, bob, c, "700000", stage="negotiation")
        await b.case(s, bob, c, "600000", stage="lost", closed_date=date(2026, 3, 3))
    assert await sellers(store, alice) == [("Alice Sales", Decimal("1000.00"), 1)]


async def test_top_sellers_leave_out_deleted_cases(store: Store, alice: Actor, bob: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "1000", stage="won", closed_date=date(2026, 4, 1))
        await b.soft_delete_case(
            s, await b.case(s, bob, c, "5000", stage="won", closed_date=date(2026, 4, 1))
        )
    assert await sellers(store, alice) == [("Alice Sales", Decimal("1000.00"), 1)]


async def test_top_sellers_leave_out_wins_on_customers_the_user_cannot_see(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        shared = await b.customer(s, alice, "Fjord Consulting AS")
        secret = await b.customer(s, bob, "Hemmelig Kunde AS", visibility="owner")
        await b.case(s, alice, shared, "10000", stage="won", closed_date=date(2026, 4, 1))
        await b.case(s, bob, secret, "500000", stage="won", closed_date=date(2026, 4, 1))
    assert (await sellers(store, alice), await sellers(store, bob)) == (
        [("Alice Sales", Decimal("10000.00"), 1)],
        [("Bob Sales", Decimal("500000.00"), 1), ("Alice Sales", Decimal("10000.00"), 1)],
    )


async def test_top_sellers_are_the_best_ten(store: Store, alice: Actor) -> None:
    team = [await make_actor(store, f"Selger {n:02d}") for n in range(1, 12)]
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        for n, seller in enumerate(team, start=1):
            await b.case(
                s,
                alice,
                c,
                str(n * 1000),
                stage="won",
                closed_date=date(2026, 3, 1),
                seller_id=seller.user_id,
            )
    assert [name for name, _, _ in await sellers(store, alice)] == [
        f"Selger {n:02d}" for n in range(11, 1, -1)
    ]


async def test_sellers_with_equal_wins_are_ranked_by_name(store: Store, alice: Actor, bob: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, bob, c, "2500", stage="won", closed_date=date(2026, 3, 1))
        await b.case(s, alice, c, "2500", stage="won", closed_date=date(2026, 8, 1))
    assert [name for name, _, _ in await sellers(store, alice)] == ["Alice Sales", "Bob Sales"]


async def test_top_sellers_count_the_year_in_the_users_time_zone(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "300", stage="won", closed_date=date(2027, 1, 1))
        await b.case(s, alice, c, "4000", stage="won", closed_date=date(2026, 12, 31))
    # 23:30 UTC on New Year's Eve is already 2027 in Oslo.
    assert await sellers(store, alice, utc(2026, 12, 31, 23, 30)) == [("Alice Sales", Decimal("300.00"), 1)]


# --- my pipeline ----------------------------------------------------------------------------------------


async def alices_pipeline(store: Store, alice: Actor) -> None:
    """Alice's open cases, with now = 15 November 2026 (month November, quarter October-December).

    100 000 @ 50 % expected 20 Nov -> month and quarter
     40 000 @ 25 % expected 10 Dec -> quarter
     30 000 @ 75 % expected  1 Oct -> quarter
     60 000 @ 10 % expected  5 Jan 2027, 5 000 @ 90 % expected 30 Sep, 70 000 with no date -> neither
    Month: 100 000, weighted 50 000. Quarter: 170 000, weighted 50 000 + 10 000 + 22 500 = 82 500.
    """
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "100000", probability=50, expected_order_date=date(2026, 11, 20))
        await b.case(s, alice, c, "40000", probability=25, expected_order_date=date(2026, 12, 10))
        await b.case(s, alice, c, "30000", probability=75, expected_order_date=date(2026, 10, 1))
        await b.case(s, alice, c, "60000", probability=10, expected_order_date=date(2027, 1, 5))
        await b.case(s, alice, c, "5000", probability=90, expected_order_date=date(2026, 9, 30))
        await b.case(s, alice, c, "70000", probability=50)


async def test_my_pipeline_this_month_is_open_value_and_weighted_value_expected_this_month(
    store: Store, alice: Actor
) -> None:
    await alices_pipeline(store, alice)
    month, _ = await pipelines(store, alice)
    assert (month.period, month.open_value, month.weighted_value, month.count) == (
        Period(date(2026, 11, 1), date(2026, 12, 1)),
        Decimal("100000.00"),
        Decimal("50000.00"),
        1,
    )


async def test_my_pipeline_this_quarter_is_open_value_and_weighted_value_expected_this_quarter(
    store: Store, alice: Actor
) -> None:
    await alices_pipeline(store, alice)
    _, quarter = await pipelines(store, alice)
    assert (quarter.period, quarter.open_value, quarter.weighted_value, quarter.count) == (
        Period(date(2026, 10, 1), date(2027, 1, 1)),
        Decimal("170000.00"),
        Decimal("82500.00"),
        3,
    )


async def test_my_pipeline_counts_only_the_users_own_open_cases(
    store: Store, alice: Actor, bob: Actor
) -> None:
    nov = date(2026, 11, 20)
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "10000", probability=40, expected_order_date=nov)
        await b.case(s, bob, c, "2000", probability=50, expected_order_date=nov, seller_id=alice.user_id)
        await b.case(s, bob, c, "300000", probability=90, expected_order_date=nov)
        await b.case(s, alice, c, "400000", probability=90, expected_order_date=nov, seller_id=bob.user_id)
        await b.case(s, alice, c, "500000", stage="won", expected_order_date=nov, closed_date=nov)
        await b.case(s, alice, c, "600000", stage="lost", expected_order_date=nov, closed_date=nov)
        await b.soft_delete_case(
            s, await b.case(s, alice, c, "700000", probability=50, expected_order_date=nov)
        )
    month, _ = await pipelines(store, alice)
    # 10 000 x 40 % + 2 000 x 50 % = 4 000 + 1 000
    assert (month.open_value, month.weighted_value, month.count) == (
        Decimal("12000.00"),
        Decimal("5000.00"),
        2,
    )


async def test_my_pipeline_weighted_value_is_rounded_once_from_the_exact_sum(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "333.33", probability=10, expected_order_date=date(2026, 11, 20))
        await b.case(s, alice, c, "1234.56", probability=33, expected_order_date=date(2026, 11, 21))
    month, _ = await pipelines(store, alice)
    # 33.333 + 407.4048 = 440.7378 -> 440.74 (rounding each case first would give 440.73)
    assert (month.open_value, month.weighted_value) == (Decimal("1567.89"), Decimal("440.74"))


async def test_my_pipeline_periods_follow_the_users_time_zone(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "8000", probability=50, expected_order_date=date(2026, 10, 5))
        await b.case(s, alice, c, "9000", probability=50, expected_order_date=date(2026, 9, 30))
    # 22:30 UTC on 30 September is already 1 October in Oslo: a new month and a new quarter.
    month, quarter = await pipelines(store, alice, utc(2026, 9, 30, 22, 30))
    assert (month.period, month.open_value, quarter.period, quarter.open_value) == (
        Period(date(2026, 10, 1), date(2026, 11, 1)),
        Decimal("8000.00"),
        Period(date(2026, 10, 1), date(2027, 1, 1)),
        Decimal("8000.00"),
    )


async def test_my_pipeline_leaves_out_cases_on_customers_the_user_cannot_see(
    store: Store, alice: Actor, bob: Actor
) -> None:
    nov = date(2026, 11, 20)
    async with store.transaction() as s:
        shared = await b.customer(s, alice, "Fjord Consulting AS")
        secret = await b.customer(s, bob, "Hemmelig Kunde AS", visibility="owner")
        await b.case(s, alice, shared, "1000", probability=10, expected_order_date=nov)
        await b.case(
            s, bob, secret, "90000", probability=90, expected_order_date=nov, seller_id=alice.user_id
        )
    month, _ = await pipelines(store, alice)
    assert (month.open_value, month.weighted_value, month.count) == (Decimal("1000.00"), Decimal("100.00"), 1)


# --- sales this month -----------------------------------------------------------------------------------


async def test_sales_this_month_sum_the_cases_won_this_month(store: Store, alice: Actor, bob: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "20000", stage="won", closed_date=date(2026, 11, 3))
        await b.case(s, bob, c, "15000.50", stage="won", closed_date=date(2026, 11, 10))
        await b.case(s, alice, c, "99999", stage="won", closed_date=date(2026, 10, 31))
        await b.case(s, alice, c, "88888", stage="lost", closed_date=date(2026, 11, 4))
        await b.case(s, alice, c, "77777", stage="negotiation", expected_order_date=date(2026, 11, 20))
    assert await sales(store, alice) == (Decimal("35000.50"), 2)


async def test_sales_this_month_leave_out_deleted_cases(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "20000", stage="won", closed_date=date(2026, 11, 3))
        deleted = await b.case(s, alice, c, "5000", stage="won", closed_date=date(2026, 11, 3))
        await b.soft_delete_case(s, deleted)
    assert await sales(store, alice) == (Decimal("20000.00"), 1)


async def test_sales_this_month_leave_out_customers_the_user_cannot_see(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        shared = await b.customer(s, alice, "Fjord Consulting AS")
        secret = await b.customer(s, bob, "Hemmelig Kunde AS", visibility="owner")
        await b.case(s, alice, shared, "20000", stage="won", closed_date=date(2026, 11, 3))
        await b.case(s, bob, secret, "5000", stage="won", closed_date=date(2026, 11, 3))
    assert (await sales(store, alice), await sales(store, bob)) == (
        (Decimal("20000.00"), 1),
        (Decimal("25000.00"), 2),
    )


async def test_sales_this_month_follow_the_month_in_the_users_time_zone(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "1000", stage="won", closed_date=date(2026, 12, 1))
        await b.case(s, alice, c, "2000", stage="won", closed_date=date(2026, 11, 30))
    assert await sales(store, alice, utc(2026, 11, 30, 23, 30)) == (Decimal("1000.00"), 1)


async def test_no_sales_this_month_is_zero(store: Store, alice: Actor) -> None:
    assert await sales(store, alice) == (Decimal("0.00"), 0)


# --- pipeline by stage ----------------------------------------------------------------------------------


async def test_pipeline_by_stage_totals_open_cases_per_stage_in_process_order(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "8000", stage="negotiation", probability=80)
        await b.case(s, alice, c, "10000", stage="lead")
        await b.case(s, alice, c, "20000", stage="proposal")
        await b.case(s, alice, c, "5000", stage="lead")
        await b.case(s, alice, c, "90000", stage="won", closed_date=date(2026, 11, 1))
        await b.case(s, alice, c, "80000", stage="lost", closed_date=date(2026, 11, 1))
    # lead 10 %, proposal 50 % (the stages' defaults); qualified has no cases and is left out.
    assert await stages(store, alice) == [
        ("lead", 1, 2, Decimal("15000.00"), Decimal("1500.00")),
        ("proposal", 3, 1, Decimal("20000.00"), Decimal("10000.00")),
        ("negotiation", 4, 1, Decimal("8000.00"), Decimal("6400.00")),
    ]


async def test_pipeline_by_stage_can_be_limited_to_one_seller(store: Store, alice: Actor, bob: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "10000", stage="lead")
        await b.case(s, bob, c, "4000", stage="qualified")
        await b.case(s, bob, c, "6000", stage="qualified", probability=50)
    assert await stages(store, alice, seller_id=bob.user_id) == [
        ("qualified", 2, 2, Decimal("10000.00"), Decimal("4000.00")),
    ]


async def test_pipeline_by_stage_leaves_out_deleted_cases_and_hidden_customers(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        shared = await b.customer(s, alice, "Fjord Consulting AS")
        secret = await b.customer(s, bob, "Hemmelig Kunde AS", visibility="owner")
        await b.case(s, alice, shared, "10000", stage="proposal")
        await b.soft_delete_case(s, await b.case(s, alice, shared, "3000", stage="proposal"))
        await b.case(s, bob, secret, "50000", stage="proposal")
    assert (await stages(store, alice), await stages(store, bob)) == (
        [("proposal", 3, 1, Decimal("10000.00"), Decimal("5000.00"))],
        [("proposal", 3, 2, Decimal("60000.00"), Decimal("30000.00"))],
    )


# --- the whole dashboard --------------------------------------------------------------------------------


async def test_the_dashboard_brings_the_parts_together_for_one_moment(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS", created_at=utc(2026, 11, 2, 9, 0))
        await b.customer(s, bob, "Nordlys Bygg AS", created_at=utc(2026, 11, 9, 9, 0))
        await b.meeting(s, alice, "Statusmøte", utc(2026, 11, 15, 10, 0), customer_id=c)
        await b.case(s, bob, c, "30000", stage="won", closed_date=date(2026, 11, 5))
        await b.case(s, alice, c, "12000", stage="won", closed_date=date(2026, 4, 5))
        await b.case(s, alice, c, "50000", probability=20, expected_order_date=date(2026, 12, 1))
    async with store.reading() as s:
        d = await dashboard.dashboard(s, alice, now=NOW)
    assert (
        [m.subject for m in d.todays_meetings],
        [x.name for x in d.latest_customers],
        [(t.name, t.won_value) for t in d.top_sellers],
        (d.pipeline_month.open_value, d.pipeline_quarter.open_value, d.pipeline_quarter.weighted_value),
        (d.sales_this_month.won_value, d.sales_this_month.won_count),
    ) == (
        ["Statusmøte"],
        ["Nordlys Bygg AS", "Fjord Consulting AS"],
        [("Bob Sales", Decimal("30000.00")), ("Alice Sales", Decimal("12000.00"))],
        (Decimal("0.00"), Decimal("50000.00"), Decimal("10000.00")),
        (Decimal("30000.00"), 1),
    )


async def test_a_meeting_shared_from_a_colleagues_calendar_is_on_my_dashboard(
    store: Store, alice: Actor, bob: Actor
) -> None:
    from zoneinfo import ZoneInfo

    from sqlalchemy import insert

    from store.models import activity_participants

    now = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    async with store.transaction() as s:
        meeting = await activities.log_activity(
            s,
            alice,
            kind=ActivityKind.MEETING,
            subject="Steering group",
            start_at=now + timedelta(hours=2),
            done=False,
        )
        await s.execute(insert(activity_participants).values(activity_id=meeting.id, user_id=bob.user_id))
    async with store.reading() as s:
        assert [m.subject for m in await dashboard.todays_meetings(s, bob, now=now)] == ["Steering group"]
