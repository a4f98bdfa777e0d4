"""The KPIs of SPEC §8 against small hand-computed books.

Invoicing counts invoices that are sent or paid, numbered, dated in the period and not on an internal
project; costs exclude internal projects; periods follow the acting user's time zone; everything is over
what the acting user may see (SPEC §3).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from store.actor import Actor
from store.db import Store
from store.models import CostKind, InvoiceStatus, ProjectStatus
from store.services import customers, kpi
from tests.conftest import make_actor
from tests.store import builders as b

# 13:00 in Oslo on Sunday 15 November 2026: this month is November, last month October, this year 2026.
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


async def summary(store: Store, actor: Actor, now: datetime = NOW) -> kpi.KpiSummary:
    async with store.reading() as s:
        return await kpi.kpi_summary(s, actor, now=now)


async def active_names(store: Store, actor: Actor) -> list[str]:
    async with store.reading() as s:
        return [c.name for c in await kpi.active_customers(s, actor)]


async def prospect_names(store: Store, actor: Actor) -> list[str]:
    async with store.reading() as s:
        return [c.name for c in await kpi.prospects_in_progress(s, actor)]


async def typical_book(store: Store, alice: Actor) -> None:
    """Three customers of alice, all visible to everyone.

    Fjord Consulting AS: open project; invoices 12 500 (Nov, sent), 8 000 (Oct, paid), 20 000 (Feb, paid),
        9 999 (Dec 2025, paid); costs 4 000 (Nov, labour), 1 500 (Mar, expense), 700 (Dec 2025).
    Havblikk AB: closed project; invoice 2 500 (14 Nov, paid).
    Nordlys Bygg AS: one open sales case, nothing else.

    Invoicing 2026: 12 500 + 8 000 + 20 000 + 2 500 = 43 000; costs 2026: 4 000 + 1 500 = 5 500;
    margin 37 500; November 12 500 + 2 500 = 15 000; October 8 000; change (15 000 - 8 000) / 8 000 = 0.875.
    Active: Fjord (open project), Nordlys (open case). Prospects: Nordlys.
    """
    async with store.transaction() as s:
        fjord = await b.customer(s, alice, "Fjord Consulting AS")
        p1 = await b.project(s, fjord, name="Rammeavtale 2026")
        await b.invoice(s, fjord, "12500.00", date(2026, 11, 3), project_id=p1)
        await b.invoice(s, fjord, "8000.00", date(2026, 10, 20), project_id=p1, status=InvoiceStatus.PAID)
        await b.invoice(s, fjord, "20000.00", date(2026, 2, 10), project_id=p1, status=InvoiceStatus.PAID)
        await b.invoice(s, fjord, "9999.00", date(2025, 12, 15), project_id=p1, status=InvoiceStatus.PAID)
        await b.cost(s, p1, "4000.00", date(2026, 11, 5))
        await b.cost(s, p1, "1500.00", date(2026, 3, 1), kind=CostKind.EXPENSE)
        await b.cost(s, p1, "700.00", date(2025, 12, 20))

        havblikk = await b.customer(s, alice, "Havblikk AB")
        p2 = await b.project(s, havblikk, status=ProjectStatus.CLOSED)
        await b.invoice(s, havblikk, "2500.00", date(2026, 11, 14), project_id=p2, status=InvoiceStatus.PAID)

        nordlys = await b.customer(s, alice, "Nordlys Bygg AS")
        await b.case(s, alice, nordlys, "150000", stage="qualified")


# --- kpi_summary over a typical book -------------------------------------------------------------------


async def test_invoicing_this_year_sums_sent_and_paid_invoices_dated_this_year(
    store: Store, alice: Actor
) -> None:
    await typical_book(store, alice)
    assert (await summary(store, alice)).invoicing_this_year == Decimal("43000.00")


async def test_costs_this_year_sum_labour_and_expenses_dated_this_year(store: Store, alice: Actor) -> None:
    await typical_book(store, alice)
    assert (await summary(store, alice)).costs_this_year == Decimal("5500.00")


async def test_margin_this_year_is_invoicing_minus_costs(store: Store, alice: Actor) -> None:
    await typical_book(store, alice)
    assert (await summary(store, alice)).margin_this_year == Decimal("37500.00")


async def test_invoicing_this_month_sums_invoices_dated_in_the_current_month(
    store: Store, alice: Actor
) -> None:
    await typical_book(store, alice)
    assert (await summary(store, alice)).invoicing_this_month == Decimal("15000.00")


async def test_invoicing_last_month_sums_invoices_dated_in_the_previous_month(
    store: Store, alice: Actor
) -> None:
    await typical_book(store, alice)
    assert (await summary(store, alice)).invoicing_last_month == Decimal("8000.00")


async def test_month_change_is_this_month_relative_to_last_month(store: Store, alice: Actor) -> None:
    await typical_book(store, alice)
    assert (await summary(store, alice)).month_change == Decimal("0.875")


async def test_active_customers_counts_customers_with_an_open_case_or_an_open_project(
    store: Store, alice: Actor
) -> None:
    await typical_book(store, alice)
    assert (await summary(store, alice)).active_customers == 2


async def test_prospects_in_progress_counts_customers_with_only_an_open_case(
    store: Store, alice: Actor
) -> None:
    await typical_book(store, alice)
    assert (await summary(store, alice)).prospects_in_progress == 1


async def test_the_summary_reports_the_users_local_date(store: Store, alice: Actor) -> None:
    assert (await summary(store, alice)).today == date(2026, 11, 15)


async def test_an_empty_book_has_zero_kpis_and_no_month_change(store: Store, alice: Actor) -> None:
    s = await summary(store, alice)
    assert (
        s.invoicing_this_year,
        s.costs_this_year,
        s.margin_this_year,
        s.invoicing_this_month,
        s.invoicing_last_month,
        s.month_change,
        s.active_customers,
        s.prospects_in_progress,
    ) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), None, 0, 0)


# --- month change and margin ----------------------------------------------------------------------------


async def test_month_change_is_negative_when_this_month_is_lower(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.invoice(s, c, "6000.00", date(2026, 11, 2))
        await b.invoice(s, c, "8000.00", date(2026, 10, 2))
    assert (await summary(store, alice)).month_change == Decimal("-0.25")


async def test_month_change_is_none_when_last_month_had_no_invoicing(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.invoice(s, c, "6000.00", date(2026, 11, 2))
    assert (await summary(store, alice)).month_change is None


async def test_margin_is_negative_when_costs_exceed_invoicing(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        p = await b.project(s, c)
        await b.invoice(s, c, "1000.00", date(2026, 6, 30), project_id=p)
        await b.cost(s, p, "2750.50", date(2026, 6, 1))
    assert (await summary(store, alice)).margin_this_year == Decimal("-1750.50")


# --- which invoices count -------------------------------------------------------------------------------


async def test_invoices_on_internal_projects_do_not_count_as_invoicing(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        internal = await b.project(s, c, name="Intern kompetanseheving", internal=True)
        external = await b.project(s, c, name="Kundeprosjekt")
        await b.invoice(s, c, "5000.00", date(2026, 11, 2), project_id=internal)
        await b.invoice(s, c, "1200.00", date(2026, 11, 2), project_id=external)
    s = await summary(store, alice)
    assert (s.invoicing_this_month, s.invoicing_this_year) == (Decimal("1200.00"), Decimal("1200.00"))


async def test_an_invoice_without_a_project_counts_as_invoicing(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.invoice(s, c, "3300.00", date(2026, 11, 2))
    assert (await summary(store, alice)).invoicing_this_month == Decimal("3300.00")


async def test_an_invoice_on_a_closed_project_counts_as_invoicing(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        p = await b.project(s, c, status=ProjectStatus.CLOSED)
        await b.invoice(s, c, "4100.00", date(2026, 11, 2), project_id=p)
    assert (await summary(store, alice)).invoicing_this_month == Decimal("4100.00")


async def test_draft_invoices_do_not_count_as_invoicing(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.invoice(s, c, "9000.00", date(2026, 11, 2), status=InvoiceStatus.DRAFT, number=b.NO_NUMBER)
        await b.invoice(s, c, "250.00", date(2026, 11, 3))
    assert (await summary(store, alice)).invoicing_this_month == Decimal("250.00")


async def test_a_draft_invoice_does_not_count_even_when_it_has_a_number(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.invoice(s, c, "9000.00", date(2026, 11, 2), status=InvoiceStatus.DRAFT, number="D-1")
        await b.invoice(s, c, "250.00", date(2026, 11, 3))
    assert (await summary(store, alice)).invoicing_this_month == Decimal("250.00")


async def test_a_sent_invoice_without_an_invoice_number_does_not_count(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.invoice(s, c, "9000.00", date(2026, 11, 2), status=InvoiceStatus.SENT, number=b.NO_NUMBER)
        await b.invoice(s, c, "250.00", date(2026, 11, 3))
    assert (await summary(store, alice)).invoicing_this_month == Decimal("250.00")


async def test_credited_invoices_do_not_count_as_invoicing(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.invoice(s, c, "9000.00", date(2026, 11, 2), status=InvoiceStatus.CREDITED)
        await b.invoice(s, c, "250.00", date(2026, 11, 3), status=InvoiceStatus.PAID)
    s = await summary(store, alice)
    assert (s.invoicing_this_month, s.invoicing_this_year) == (Decimal("250.00"), Decimal("250.00"))


async def test_invoices_from_last_year_do_not_count_this_year(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.invoice(s, c, "777.00", date(2025, 12, 31))
        await b.invoice(s, c, "100.00", date(2026, 1, 1))
    assert (await summary(store, alice)).invoicing_this_year == Decimal("100.00")


# --- which costs count ----------------------------------------------------------------------------------


async def test_costs_on_internal_projects_do_not_count(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        internal = await b.project(s, c, name="Intern kompetanseheving", internal=True)
        external = await b.project(s, c, name="Kundeprosjekt")
        await b.cost(s, internal, "8000.00", date(2026, 5, 5))
        await b.cost(s, external, "640.00", date(2026, 5, 5))
    assert (await summary(store, alice)).costs_this_year == Decimal("640.00")


async def test_costs_on_a_closed_project_count(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Havblikk AB")
        p = await b.project(s, c, status=ProjectStatus.CLOSED)
        await b.cost(s, p, "1250.00", date(2026, 2, 2))
    assert (await summary(store, alice)).costs_this_year == Decimal("1250.00")


async def test_costs_from_last_year_do_not_count_this_year(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        p = await b.project(s, c)
        await b.cost(s, p, "500.00", date(2025, 12, 31))
        await b.cost(s, p, "80.25", date(2026, 1, 1))
    assert (await summary(store, alice)).costs_this_year == Decimal("80.25")


# --- periods in the user's time zone --------------------------------------------------------------------


async def test_in_oslo_half_past_eleven_utc_on_november_30_is_already_december(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.invoice(s, c, "1000.00", date(2026, 12, 1))
        await b.invoice(s, c, "2000.00", date(2026, 11, 30))
        await b.invoice(s, c, "4000.00", date(2026, 10, 31))
    s = await summary(store, alice, datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    assert (s.today, s.invoicing_this_month, s.invoicing_last_month) == (
        date(2026, 12, 1),
        Decimal("1000.00"),
        Decimal("2000.00"),
    )


async def test_in_new_york_three_utc_on_december_1_is_still_november(store: Store) -> None:
    nina = await make_actor(store, "Nina York", tz="America/New_York")
    async with store.transaction() as s:
        c = await b.customer(s, nina, "Fjord Consulting AS")
        await b.invoice(s, c, "1000.00", date(2026, 12, 1))
        await b.invoice(s, c, "2000.00", date(2026, 11, 30))
        await b.invoice(s, c, "4000.00", date(2026, 10, 31))
    s = await summary(store, nina, datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    assert (s.today, s.invoicing_this_month, s.invoicing_last_month) == (
        date(2026, 11, 30),
        Decimal("2000.00"),
        Decimal("4000.00"),
    )


async def test_in_january_last_month_is_december_of_the_previous_year(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.invoice(s, c, "3000.00", date(2027, 1, 5))
        await b.invoice(s, c, "4500.00", date(2026, 12, 28))
        await b.invoice(s, c, "900.00", date(2026, 1, 28))
    s = await summary(store, alice, datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    assert (s.invoicing_this_month, s.invoicing_last_month, s.invoicing_this_year) == (
        Decimal("3000.00"),
        Decimal("4500.00"),
        Decimal("3000.00"),
    )


async def test_the_year_turns_at_midnight_in_the_users_time_zone(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        p = await b.project(s, c)
        await b.invoice(s, c, "3000.00", date(2027, 1, 1), project_id=p)
        await b.invoice(s, c, "4500.00", date(2026, 12, 31), project_id=p)
        await b.cost(s, p, "120.00", date(2027, 1, 1))
        await b.cost(s, p, "990.00", date(2026, 12, 31))
    # 23:30 UTC on New Year's Eve is 00:30 on 1 January 2027 in Oslo.
    s = await summary(store, alice, datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert (s.invoicing_this_year, s.costs_this_year, s.invoicing_last_month) == (
        Decimal("3000.00"),
        Decimal("120.00"),
        Decimal("4500.00"),
    )


# --- active customers -----------------------------------------------------------------------------------


async def test_a_customer_with_an_open_sales_case_is_active(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Nordlys Bygg AS")
        await b.case(s, alice, c, "1000")
        await b.customer(s, alice, "Stille Kunde AS")
    assert await active_names(store, alice) == ["Nordlys Bygg AS"]


async def test_a_customer_with_an_open_project_is_active(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.project(s, c)
    assert await active_names(store, alice) == ["Fjord Consulting AS"]


async def test_closed_projects_and_won_or_lost_cases_do_not_make_a_customer_active(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Havblikk AB")
        await b.project(s, c, status=ProjectStatus.CLOSED)
        await b.case(s, alice, c, "5000", stage="won", closed_date=date(2026, 3, 1))
        await b.case(s, alice, c, "7000", stage="lost", closed_date=date(2026, 4, 1))
    async with store.reading() as s:
        assert await kpi.active_customers_count(s, alice) == 0


async def test_an_open_internal_project_does_not_make_a_customer_active(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Eget Firma AS")
        await b.project(s, c, internal=True)
    async with store.reading() as s:
        assert await kpi.active_customers_count(s, alice) == 0


async def test_a_soft_deleted_sales_case_does_not_make_a_customer_active(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Nordlys Bygg AS")
        await b.soft_delete_case(s, await b.case(s, alice, c, "1000"))
    async with store.reading() as s:
        assert await kpi.active_customers_count(s, alice) == 0


async def test_a_customer_with_several_open_cases_and_projects_is_counted_once(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "1000")
        await b.case(s, alice, c, "2000", stage="proposal")
        await b.project(s, c, name="A")
        await b.project(s, c, name="B")
    async with store.reading() as s:
        assert await kpi.active_customers_count(s, alice) == 1
        assert [c.name for c in await kpi.active_customers(s, alice)] == ["Fjord Consulting AS"]


async def test_active_customers_are_listed_by_name_up_to_the_limit(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        for name in ("Dovre Drift AS", "Berg Bygg AS", "Cirkel Data AB", "Alfa Regnskap AS"):
            await b.project(s, await b.customer(s, alice, name))
    async with store.reading() as s:
        listed = [c.name for c in await kpi.active_customers(s, alice, limit=3)]
    assert listed == ["Alfa Regnskap AS", "Berg Bygg AS", "Cirkel Data AB"]


# --- prospects in progress ------------------------------------------------------------------------------


async def test_a_customer_with_an_open_case_and_a_won_case_is_active_but_not_a_prospect(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "1000")
        await b.case(s, alice, c, "5000", stage="won", closed_date=date(2026, 3, 1))
    assert (await active_names(store, alice), await prospect_names(store, alice)) == (
        ["Fjord Consulting AS"],
        [],
    )


async def test_a_customer_with_an_open_case_and_a_project_is_not_a_prospect(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "1000")
        await b.project(s, c, status=ProjectStatus.CLOSED)
    assert await prospect_names(store, alice) == []


async def test_a_customer_with_an_open_case_and_only_a_draft_invoice_is_a_prospect(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Nordlys Bygg AS")
        await b.case(s, alice, c, "1000")
        await b.invoice(s, c, "500.00", date(2026, 11, 1), status=InvoiceStatus.DRAFT, number=b.NO_NUMBER)
    assert await prospect_names(store, alice) == ["Nordlys Bygg AS"]


async def test_a_customer_with_an_open_case_and_invoicing_is_not_a_prospect(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "1000")
        await b.invoice(s, c, "500.00", date(2024, 6, 1), status=InvoiceStatus.PAID)
    assert await prospect_names(store, alice) == []


async def test_a_customer_with_an_open_case_and_a_lost_case_is_still_a_prospect(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Nordlys Bygg AS")
        await b.case(s, alice, c, "1000")
        await b.case(s, alice, c, "9000", stage="lost", closed_date=date(2026, 2, 1))
    assert await prospect_names(store, alice) == ["Nordlys Bygg AS"]


async def test_an_internal_project_does_not_stop_a_customer_being_a_prospect(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Nordlys Bygg AS")
        await b.case(s, alice, c, "1000")
        await b.project(s, c, internal=True)
    assert await prospect_names(store, alice) == ["Nordlys Bygg AS"]


async def test_a_soft_deleted_open_case_does_not_make_a_prospect(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Nordlys Bygg AS")
        await b.soft_delete_case(s, await b.case(s, alice, c, "1000"))
    async with store.reading() as s:
        assert await kpi.prospects_in_progress_count(s, alice) == 0


async def test_a_soft_deleted_won_case_does_not_stop_a_customer_being_a_prospect(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Nordlys Bygg AS")
        await b.case(s, alice, c, "1000")
        won = await b.case(s, alice, c, "5000", stage="won", closed_date=date(2026, 3, 1))
        await b.soft_delete_case(s, won)
    assert await prospect_names(store, alice) == ["Nordlys Bygg AS"]


async def test_a_customer_with_only_a_won_case_is_not_a_prospect(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await b.customer(s, alice, "Fjord Consulting AS")
        await b.case(s, alice, c, "5000", stage="won", closed_date=date(2026, 3, 1))
    assert await prospect_names(store, alice) == []


async def test_prospects_are_listed_by_name_up_to_the_limit(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        for name in ("Dovre Data AS", "Berg Bygg AS", "Cirkel Data AB"):
            await b.case(s, alice, await b.customer(s, alice, name), "1000")
    async with store.reading() as s:
        listed = [c.name for c in await kpi.prospects_in_progress(s, alice, limit=2)]
    assert listed == ["Berg Bygg AS", "Cirkel Data AB"]


# --- visibility (SPEC §3) -------------------------------------------------------------------------------


async def secret_book(store: Store, alice: Actor, bob: Actor) -> None:
    """Alice's shared customer: invoice 1 000 (Nov), cost 100, open project.

    Bob's owner-only customers: Hemmelig Drift AS (open project, invoice 7 000 in Nov, cost 3 000) and
    Hemmelig Prospekt AS (open case only).
    For alice: invoicing 1 000, costs 100, active 1 (Delt Kunde), prospects 0.
    For bob and admins: invoicing 8 000, costs 3 100, active 3, prospects 1 (Hemmelig Prospekt).
    """
    async with store.transaction() as s:
        shared = await b.customer(s, alice, "Delt Kunde AS")
        p = await b.project(s, shared)
        await b.invoice(s, shared, "1000.00", date(2026, 11, 4), project_id=p)
        await b.cost(s, p, "100.00", date(2026, 11, 4))

        drift = await b.customer(s, bob, "Hemmelig Drift AS", visibility="owner")
        hp = await b.project(s, drift)
        await b.invoice(s, drift, "7000.00", date(2026, 11, 5), project_id=hp)
        await b.cost(s, hp, "3000.00", date(2026, 11, 5))

        prospect = await b.customer(s, bob, "Hemmelig Prospekt AS", visibility="owner")
        await b.case(s, bob, prospect, "40000")


async def test_another_users_owner_only_customer_adds_nothing_to_invoicing_or_costs(
    store: Store, alice: Actor, bob: Actor
) -> None:
    await secret_book(store, alice, bob)
    s = await summary(store, alice)
    assert (s.invoicing_this_year, s.invoicing_this_month, s.costs_this_year) == (
        Decimal("1000.00"),
        Decimal("1000.00"),
        Decimal("100.00"),
    )


async def test_another_users_owner_only_customer_is_not_counted_as_active_or_prospect(
    store: Store, alice: Actor, bob: Actor
) -> None:
    await secret_book(store, alice, bob)
    s = await summary(store, alice)
    assert (s.active_customers, s.prospects_in_progress) == (1, 0)


async def test_another_users_owner_only_customer_is_not_listed_as_active_or_prospect(
    store: Store, alice: Actor, bob: Actor
) -> None:
    await secret_book(store, alice, bob)
    assert (await active_names(store, alice), await prospect_names(store, alice)) == (
        ["Delt Kunde AS"],
        [],
    )


async def test_the_owner_sees_their_owner_only_customers_in_every_kpi(
    store: Store, alice: Actor, bob: Actor
) -> None:
    await secret_book(store, alice, bob)
    s = await summary(store, bob)
    assert (
        s.invoicing_this_year,
        s.invoicing_this_month,
        s.costs_this_year,
        s.active_customers,
        s.prospects_in_progress,
    ) == (Decimal("8000.00"), Decimal("8000.00"), Decimal("3100.00"), 3, 1)


async def test_the_owner_has_their_owner_only_customers_listed(
    store: Store, alice: Actor, bob: Actor
) -> None:
    await secret_book(store, alice, bob)
    assert (await active_names(store, bob), await prospect_names(store, bob)) == (
        ["Delt Kunde AS", "Hemmelig Drift AS", "Hemmelig Prospekt AS"],
        ["Hemmelig Prospekt AS"],
    )


async def test_an_admin_sees_owner_only_customers_in_every_kpi_and_list(
    store: Store, alice: Actor, bob: Actor, admin: Actor
) -> None:
    await secret_book(store, alice, bob)
    s = await summary(store, admin)
    assert (
        s.invoicing_this_year,
        s.costs_this_year,
        s.active_customers,
        s.prospects_in_progress,
        await active_names(store, admin),
        await prospect_names(store, admin),
    ) == (
        Decimal("8000.00"),
        Decimal("3100.00"),
        3,
        1,
        ["Delt Kunde AS", "Hemmelig Drift AS", "Hemmelig Prospekt AS"],
        ["Hemmelig Prospekt AS"],
    )


async def test_soft_deleted_customers_contribute_nothing_even_for_an_admin(
    store: Store, alice: Actor, admin: Actor
) -> None:
    async with store.transaction() as s:
        kept = await b.customer(s, alice, "Fjord Consulting AS")
        await b.invoice(s, kept, "250.00", date(2026, 11, 2))
        gone = await b.customer(s, alice, "Slettet Kunde AS")
        p = await b.project(s, gone)
        await b.invoice(s, gone, "9000.00", date(2026, 11, 2), project_id=p)
        await b.cost(s, p, "400.00", date(2026, 11, 2))
        await b.case(s, alice, gone, "1000")
        gone_prospect = await b.customer(s, alice, "Slettet Prospekt AS")
        await b.case(s, alice, gone_prospect, "1000")
    async with store.transaction() as s:
        await customers.delete_customer(s, alice, gone)
        await customers.delete_customer(s, alice, gone_prospect)
    s = await summary(store, admin)
    assert (
        s.invoicing_this_month,
        s.costs_this_year,
        s.active_customers,
        s.prospects_in_progress,
        await active_names(store, admin),
        await prospect_names(store, admin),
    ) == (Decimal("250.00"), Decimal("0.00"), 0, 0, [], [])
