"""Demo data (`kundebot demo-data`): one organisation seeded per database, then checked from every side.

Seeding takes seconds, so the module seeds ONCE per database (a module-scoped copy of conftest's fresh
database) and the tests read from it; only the determinism test seeds a second, fresh SQLite database.
`TODAY` is the hardest day for the KPIs: a new year, quarter and month all start that morning.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from rapidfuzz import fuzz
from sqlalchemy import distinct, func, select

from registry.orgnr import validate
from store import periods, validation
from store.actor import Actor
from store.db import Store
from store.demo import (
    SELLERS,
    DemoDataExists,
    DemoSummary,
    SalesPlanner,
    has_data,
    plan_customers,
    plan_delivery,
    seed_demo,
)
from store.models import (
    Activity,
    ActivityKind,
    Address,
    CaseStatus,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactRole,
    Cost,
    Customer,
    CustomerKind,
    GroupingCategory,
    Invoice,
    InvoiceStatus,
    Project,
    ProjectStatus,
    Role,
    SalesCase,
    SalesStage,
    Source,
    User,
    Visibility,
    activity_contacts,
    customer_groupings,
    customer_keywords,
)
from store.names import name_key
from store.services.customers import SIMILAR_CUTOFF
from store.services.dashboard import dashboard
from store.services.kpi import kpi_summary
from tests.conftest import TEMPLATE_DB
from tests.servers.postgres import PostgresServer

SEED = 2026
TODAY = date(2027, 1, 1)
on_module_loop = pytest.mark.asyncio(loop_scope="module")


@dataclass
class Seeded:
    store: Store
    summary: DemoSummary
    seconds: float
    empty_before: bool


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like conftest's `database_url`, but one database for the whole module."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("demo") / "kundebot.db"
        shutil.copy(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"demo_{uuid.uuid4().hex[:12]}"
    server.psql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}")
    yield server.url(name)
    server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo(demo_database: str) -> AsyncIterator[Seeded]:
    store = Store(demo_database)
    empty_before = not await has_data(store)
    started = time.perf_counter()
    summary = await seed_demo(store, seed=SEED, today=TODAY)
    seeded = Seeded(store, summary, time.perf_counter() - started, empty_before)
    print(f"\nseed_demo on {store.dialect}: {seeded.seconds:.1f} s, {summary}")
    yield seeded
    await store.dispose()


async def scalar(store: Store, stmt: Any) -> Any:
    async with store.reading() as s:
        return (await s.execute(stmt)).scalar_one()


async def rows(store: Store, stmt: Any) -> list[Any]:
    async with store.reading() as s:
        return list((await s.execute(stmt)).all())


async def sales_actors(store: Store) -> list[Actor]:
    async with store.reading() as s:
        users = (await s.execute(select(User).where(User.role == Role.SALES).order_by(User.id))).scalars()
        return [Actor.of(u) for u in users]


def noon(actor: Actor) -> datetime:
    return datetime.combine(TODAY, clock(12), actor.tz)


# ------------------------------------------------------------------------------------------------------
# The seeded organisation.
# ------------------------------------------------------------------------------------------------------


@on_module_loop
async def test_an_empty_database_has_no_data_until_the_demo_is_seeded(demo: Seeded) -> None:
    assert demo.empty_before
    assert await has_data(demo.store)


@on_module_loop
async def test_seeding_takes_well_under_thirty_seconds(demo: Seeded) -> None:
    assert demo.seconds < 30


@on_module_loop
async def test_the_organisation_has_the_promised_size_and_the_summary_counts_it(demo: Seeded) -> None:
    store, summary = demo.store, demo.summary
    counted = {
        "users": await scalar(store, select(func.count(User.id))),
        "customers": await scalar(store, select(func.count(Customer.id))),
        "contacts": await scalar(store, select(func.count(Contact.id))),
        "activities": await scalar(store, select(func.count(Activity.id))),
        "sales_cases": await scalar(store, select(func.count(SalesCase.id))),
        "projects": await scalar(store, select(func.count(Project.id))),
        "invoices": await scalar(store, select(func.count(Invoice.id))),
        "costs": await scalar(store, select(func.count(Cost.id))),
        "addresses": await scalar(store, select(func.count(Address.id))),
    }
    assert counted == {k: getattr(summary, k) for k in counted}
    assert summary.users >= 5 and summary.customers >= 200 and summary.contacts >= 500
    assert summary.activities >= 1500
    assert "231 customers" in str(summary)


@on_module_loop
async def test_the_users_are_a_nordic_consultancy_with_every_role(demo: Seeded) -> None:
    users = await rows(demo.store, select(User.email, User.role, User.time_zone, User.language))
    assert {u.role for u in users} == set(Role)
    assert all(u.email.endswith("@kundebot-demo.no") for u in users)
    assert {u.time_zone for u in users} == {"Europe/Oslo", "Europe/Stockholm"}
    assert {u.language for u in users} == {"en", "nb", "sv"}


@on_module_loop
async def test_every_organisation_number_is_valid_for_its_country_and_unique(demo: Seeded) -> None:
    customers = await rows(
        demo.store, select(Customer.org_number, Customer.org_country, Customer.kind, Customer.first_name)
    )
    numbered = [c for c in customers if c.org_number]
    for c in numbered:
        assert validate(c.org_number, c.org_country).number == c.org_number
    assert len({(c.org_country, c.org_number) for c in numbered}) == len(numbered)
    assert {c.org_country for c in numbered} == {"NO", "SE", "FI", "DK"}
    private = [c for c in customers if c.kind is CustomerKind.PRIVATE]
    assert private and all(c.first_name and not c.org_number for c in private)
    assert {c.kind for c in customers} == set(CustomerKind)


@on_module_loop
async def test_no_two_customer_names_would_trip_the_duplicate_check(demo: Seeded) -> None:
    names = [r.name for r in await rows(demo.store, select(Customer.name))]
    keys = [name_key(n) for n in names]
    assert len(set(names)) == len(names)
    close = [
        (names[i], names[j])
        for i in range(len(keys))
        for j in range(i + 1, len(keys))
        if fuzz.token_sort_ratio(keys[i], keys[j]) >= SIMILAR_CUTOFF
    ]
    assert close == []


@on_module_loop
async def test_customers_are_segmented_by_level_visibility_industry_grouping_and_keyword(
    demo: Seeded,
) -> None:
    store = demo.store
    customers = await rows(
        store, select(Customer.relation_level, Customer.visibility, Customer.industry_id, Customer.website)
    )
    assert {c.relation_level.value for c in customers} == {"A", "B", "C"}
    assert any(c.visibility is Visibility.OWNER for c in customers)
    assert sum(c.industry_id is not None for c in customers) >= 200
    assert all(c.website.startswith("https://www.") for c in customers if c.website)
    assert await scalar(store, select(func.count(GroupingCategory.id))) >= 2
    assert await scalar(store, select(func.count(distinct(customer_groupings.c.customer_id)))) >= 200
    assert await scalar(store, select(func.count()).select_from(customer_keywords)) > 0


@on_module_loop
async def test_every_customer_has_exactly_one_head_office_in_its_country(demo: Seeded) -> None:
    per_customer = await rows(
        demo.store,
        select(
            Customer.id,
            Customer.org_country,
            func.count(Address.id),
            func.count(Address.id).filter(Address.is_head_office.is_(True)),
        )
        .join(Address, Address.customer_id == Customer.id)
        .group_by(Customer.id, Customer.org_country),
    )
    assert len(per_customer) == demo.summary.customers
    assert all(int(r[3]) == 1 for r in per_customer)
    heads = await rows(
        demo.store,
        select(Customer.org_country, Address.country, Address.postcode, Address.city, Address.line1).join(
            Address, Address.customer_id == Customer.id
        ),
    )
    assert all(h.org_country is None or h.country == h.org_country for h in heads)
    assert all(h.postcode and h.city and h.line1 for h in heads)


@on_module_loop
async def test_contacts_sit_at_the_head_office_with_a_company_email_and_a_valid_mobile(demo: Seeded) -> None:
    store = demo.store
    contacts = await rows(
        store,
        select(Contact.id, Contact.address_id, Address.is_head_office, Customer.website, Customer.kind)
        .join(Customer, Customer.id == Contact.customer_id)
        .join(Address, Address.id == Contact.address_id),
    )
    assert len(contacts) == demo.summary.contacts
    assert all(c.is_head_office for c in contacts)
    emails = dict(
        (r.contact_id, r.email)
        for r in await rows(
            store, select(ContactEmail.contact_id, ContactEmail.email).where(ContactEmail.is_primary)
        )
    )
    for c in contacts:
        if c.kind is not CustomerKind.PRIVATE:
            assert emails[c.id].endswith("@" + c.website.removeprefix("https://www."))
    phones = [r.number for r in await rows(store, select(ContactPhone.number))]
    assert len(phones) == demo.summary.contacts
    assert all(validation.phone_number(p) == p for p in phones)
    assert {p[:3] for p in phones} == {"+47", "+46", "+35", "+45"}
    roles = [r.role for r in await rows(store, select(ContactRole.role))]
    assert roles.count("decision maker") >= demo.summary.customers // 2


@on_module_loop
async def test_activities_of_every_kind_span_fourteen_months_and_the_weeks_ahead(demo: Seeded) -> None:
    store = demo.store
    activities = await rows(
        store,
        select(Activity.kind, Activity.start_at, Activity.due_date, Activity.done, Activity.source),
    )
    assert {a.kind for a in activities} == set(ActivityKind)
    assert {a.source for a in activities} == {Source.IMPORT}
    days = [a.due_date or a.start_at.astimezone(ZoneInfo("Europe/Oslo")).date() for a in activities]
    assert len({(d.year, d.month) for d in days if d < TODAY}) >= 14
    assert any(d > TODAY + timedelta(days=7) for d in days)
    tasks = [a for a in activities if a.kind is ActivityKind.TASK]
    assert any(not t.done and t.due_date < TODAY for t in tasks)  # overdue
    assert any(not t.done and t.due_date == TODAY for t in tasks)  # due today
    linked = await scalar(store, select(func.count()).select_from(activity_contacts))
    assert linked >= len(activities) // 2


@on_module_loop
async def test_sales_cases_fill_every_stage_with_overdue_open_ones_and_won_ones_this_year(
    demo: Seeded,
) -> None:
    cases = await rows(
        demo.store,
        select(
            SalesStage.name,
            SalesCase.status,
            SalesCase.closed_date,
            SalesCase.expected_order_date,
            SalesCase.currency,
            SalesCase.value,
        ).join(SalesStage, SalesStage.id == SalesCase.stage_id),
    )
    assert {c.name for c in cases} == {"lead", "qualified", "proposal", "negotiation", "won", "lost"}
    assert all((c.status is CaseStatus.OPEN) == (c.closed_date is None) for c in cases)
    assert all(c.closed_date <= TODAY for c in cases if c.closed_date)
    assert {c.currency for c in cases} == {"NOK"} and all(c.value > 0 for c in cases)
    open_cases = [c for c in cases if c.status is CaseStatus.OPEN]
    assert any(c.expected_order_date < TODAY for c in open_cases)
    assert any(c.expected_order_date > periods.quarter(TODAY).end for c in open_cases)
    assert any(c.status is CaseStatus.WON and c.closed_date in periods.year(TODAY) for c in cases)


@on_module_loop
async def test_invoices_in_every_status_span_fourteen_months_with_unique_numbers(demo: Seeded) -> None:
    invoices = await rows(demo.store, select(Invoice.number, Invoice.status, Invoice.invoice_date))
    assert {i.status for i in invoices} == set(InvoiceStatus)
    assert len({(i.invoice_date.year, i.invoice_date.month) for i in invoices}) >= 14
    assert all((i.number is None) == (i.status is InvoiceStatus.DRAFT) for i in invoices)
    numbers = [i.number for i in invoices if i.number]
    assert len(set(numbers)) == len(numbers)
    assert all(i.invoice_date <= TODAY for i in invoices)
    months = {periods.month(i.invoice_date) for i in invoices if i.status is InvoiceStatus.SENT}
    assert periods.month(TODAY) in months


@on_module_loop
async def test_the_firm_has_internal_projects_with_costs_and_customers_have_open_and_closed_ones(
    demo: Seeded,
) -> None:
    projects = await rows(
        demo.store, select(Project.id, Project.internal, Project.status, Project.customer_id)
    )
    internal = [p for p in projects if p.internal]
    assert len(internal) >= 3 and len({p.customer_id for p in internal}) == 1
    internal_costs = await scalar(
        demo.store, select(func.count(Cost.id)).where(Cost.project_id.in_([p.id for p in internal]))
    )
    assert internal_costs >= 14
    invoiced_internal = await scalar(
        demo.store, select(func.count(Invoice.id)).where(Invoice.project_id.in_([p.id for p in internal]))
    )
    assert invoiced_internal == 0
    assert {p.status for p in projects if not p.internal} == set(ProjectStatus)


@on_module_loop
async def test_every_kpi_and_dashboard_figure_is_non_zero_for_each_sales_user(demo: Seeded) -> None:
    actors = await sales_actors(demo.store)
    assert len(actors) >= 3
    for actor in actors:
        async with demo.store.reading() as s:
            kpi = await kpi_summary(s, actor, now=noon(actor))
            board = await dashboard(s, actor, now=noon(actor))
        assert kpi.today == TODAY
        assert kpi.margin_this_year > 0, actor.name
        assert kpi.invoicing_this_month > 0 and kpi.invoicing_last_month > 0, actor.name
        assert kpi.active_customers > 0 and kpi.prospects_in_progress > 0, actor.name
        assert len(board.todays_meetings) >= 2, actor.name
        starts = [m.start_at for m in board.todays_meetings if m.start_at is not None]
        assert [t.astimezone(actor.tz).date() for t in starts] == [TODAY] * len(board.todays_meetings)
        assert board.latest_customers
        assert actor.user_id in {seller.seller_id for seller in board.top_sellers}
        for pipeline in (board.pipeline_month, board.pipeline_quarter):
            assert pipeline.open_value > 0 and pipeline.weighted_value > 0, actor.name
        assert board.sales_this_month.won_value > 0


@on_module_loop
async def test_seeding_again_is_refused_and_changes_nothing(demo: Seeded) -> None:
    with pytest.raises(DemoDataExists, match="already has customers"):
        await seed_demo(demo.store, seed=SEED, today=TODAY)
    assert await scalar(demo.store, select(func.count(Customer.id))) == demo.summary.customers
    assert await scalar(demo.store, select(func.count(User.id))) == demo.summary.users


@on_module_loop
async def test_the_same_seed_gives_the_same_organisation_in_another_database(
    demo: Seeded, sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "again.db"
    shutil.copy(sqlite_template, path)
    again = Store(f"sqlite+aiosqlite:///{path}")
    try:
        await seed_demo(again, seed=SEED, today=TODAY)
        # Compared as sorted lists: the two databases order NULLs and text differently.
        for stmt in (
            select(Customer.customer_number, Customer.name, Customer.org_number, Customer.org_country),
            select(ContactEmail.email),
            select(Invoice.number, Invoice.invoice_date, Invoice.amount, Invoice.status),
            select(Activity.external_id, Activity.subject, Activity.start_at, Activity.due_date),
            select(SalesCase.name, SalesCase.value, SalesCase.expected_order_date, SalesCase.closed_date),
        ):
            assert sorted(await rows(again, stmt), key=repr) == sorted(await rows(demo.store, stmt), key=repr)
    finally:
        await again.dispose()


# ------------------------------------------------------------------------------------------------------
# The plan alone (no database): cheap enough to try awkward days and other seeds.
# ------------------------------------------------------------------------------------------------------


def test_another_seed_gives_other_customers() -> None:
    first = [c.name for c in plan_customers(SEED, TODAY)]
    assert first == [c.name for c in plan_customers(SEED, TODAY)]
    assert len(set(first) & {c.name for c in plan_customers(SEED + 1, TODAY)}) < len(first) // 2


@pytest.mark.parametrize(
    "today", [date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1), date(2028, 2, 29), date(2026, 12, 31)]
)
def test_on_any_day_each_seller_has_sales_this_month_and_nothing_is_dated_ahead(today: date) -> None:
    customers = plan_customers(SEED, today)
    cases = SalesPlanner(SEED, today, customers).plan()
    projects, invoices, costs = plan_delivery(SEED, today, customers, cases)
    month = periods.month(today)
    for seller in SELLERS:
        mine = [c for c in cases if c.seller == seller]
        assert any(c.stage == "won" and c.closed is not None and c.closed in month for c in mine), seller
        assert any(c.closed is None and c.expected in month for c in mine), seller
    assert all(c.closed <= today for c in cases if c.closed)
    assert all(i.day <= today for i in invoices) and all(c.day <= today for c in costs)
    assert any(i.day in month and i.status is InvoiceStatus.SENT for i in invoices)
    assert {i.status for i in invoices} == set(InvoiceStatus)
    counted = sum(
        i.amount
        for i in invoices
        if i.day.year == today.year
        and i.number
        and i.status.value in ("sent", "paid")
        and not i.project.internal
    )
    spent = sum(c.amount for c in costs if c.day.year == today.year and not c.project.internal)
    assert counted > spent  # a positive margin this year, even on the first of January
