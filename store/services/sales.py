"""Sales cases along a configurable, ordered sales process (SPEC §2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store import validation
from store.actor import Actor
from store.errors import ChangedMeanwhile, InvalidInput, NotFound
from store.models import CaseStatus, SalesCase, SalesProcess, SalesStage
from store.periods import local_today
from store.services.customers import flush_or_changed, get_customer, require_writer
from store.types import utcnow
from store.visibility import hidden_customer_ids


def _today(actor: Actor) -> date:
    """A case closed just after midnight in Oslo belongs to that Oslo day, whatever the server's zone."""
    return local_today(utcnow(), actor.tz)


async def default_stages(session: AsyncSession) -> list[SalesStage]:
    rows = await session.execute(
        select(SalesStage)
        .join(SalesProcess)
        .where(SalesProcess.is_default.is_(True))
        .order_by(SalesStage.position)
    )
    return list(rows.scalars())


async def stage_named(session: AsyncSession, name: str) -> SalesStage:
    stages = await default_stages(session)
    wanted = name.strip().casefold()
    for stage in stages:
        if stage.name.casefold() == wanted:
            return stage
    names = ", ".join(s.name for s in stages)
    raise InvalidInput(
        f"{name!r} is not a stage of the sales process; use one of {names}.",
        field_name="stage",
        key="sales.bad_stage",
        stage=name,
        stages=names,
    )


def money(value: Decimal | int | float | str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        raise InvalidInput(
            f"{value!r} is not an amount.", field_name="value", key="sales.bad_amount", value=value
        ) from exc
    if amount < 0:
        raise InvalidInput("The value cannot be negative.", field_name="value", key="sales.negative_value")
    return amount.quantize(Decimal("0.01"))


async def create_sales_case(
    session: AsyncSession,
    actor: Actor,
    *,
    customer_id: int,
    name: str,
    value: Decimal | int | str = 0,
    currency: str = "NOK",
    stage: str | None = None,
    probability: int | None = None,
    expected_order_date: date | None = None,
    seller_id: int | None = None,
    lead_source: str | None = None,
    department: str | None = None,
    closed_date: date | None = None,
) -> SalesCase:
    require_writer(actor)
    customer = await get_customer(session, actor, customer_id)
    the_stage = await stage_named(session, stage) if stage else (await default_stages(session))[0]
    case = SalesCase(
        customer_id=customer.id,
        name=validation.required_text(name, "sales case name"),
        value=money(value),
        currency=validation.required_text(currency, "currency", max_length=3).upper(),
        stage=the_stage,
        probability=validation.percentage(probability) if probability is not None else the_stage.probability,
        expected_order_date=expected_order_date,
        seller_id=seller_id or actor.user_id,
        lead_source=validation.optional_text(lead_source, "lead source", max_length=100),
        department=validation.optional_text(department, "department", max_length=100),
        status=the_stage.outcome,
        closed_date=(closed_date or _today(actor)) if the_stage.outcome is not CaseStatus.OPEN else None,
        created_by_id=actor.user_id,
    )
    session.add(case)
    await session.flush()
    return case


async def get_sales_case(session: AsyncSession, actor: Actor, case_id: int) -> SalesCase:
    case = (
        await session.execute(
            select(SalesCase).where(
                SalesCase.id == case_id,
                SalesCase.deleted_at.is_(None),
                SalesCase.customer_id.not_in(hidden_customer_ids(actor)),
            )
        )
    ).scalar_one_or_none()
    if case is None:
        raise NotFound(f"No sales case with id {case_id}.", key="sales.no_id", case_id=case_id)
    return case


async def move_sales_case(
    session: AsyncSession,
    actor: Actor,
    case_id: int,
    *,
    stage: str,
    probability: int | None = None,
    on: date | None = None,
    expected_version: int | None = None,
) -> SalesCase:
    """Move a case to a stage; a won/lost stage closes it, an open stage reopens it."""
    require_writer(actor)
    case = await get_sales_case(session, actor, case_id)
    if expected_version is not None and case.version != expected_version:
        raise ChangedMeanwhile(
            f"{case.name} was changed by someone else after you opened it. Reload it.",
            key="sales.changed_meanwhile",
            name=case.name,
        )
    new_stage = await stage_named(session, stage)
    case.stage_id = new_stage.id
    case.status = new_stage.outcome
    case.probability = (
        validation.percentage(probability) if probability is not None else new_stage.probability
    )
    case.closed_date = (on or _today(actor)) if new_stage.outcome is not CaseStatus.OPEN else None
    await flush_or_changed(session, case.name)
    await session.refresh(case, ["stage"])
    return case


async def open_cases_for_customer(session: AsyncSession, actor: Actor, customer_id: int) -> list[SalesCase]:
    """The customer's open sales cases, newest first (the customer must be visible to the actor)."""
    customer = await get_customer(session, actor, customer_id)
    rows = await session.execute(
        select(SalesCase)
        .where(
            SalesCase.customer_id == customer.id,
            SalesCase.status == CaseStatus.OPEN,
            SalesCase.deleted_at.is_(None),
        )
        .order_by(SalesCase.created_at.desc(), SalesCase.id.desc())
    )
    return list(rows.scalars())


def case_snapshot(case: SalesCase) -> dict[str, Any]:
    """What `update_sales_case` may change, as JSON: enough to put the case back as it was (undo)."""
    return {
        "stage_id": case.stage_id,
        "status": case.status.value,
        "probability": case.probability,
        "value": str(case.value),
        "closed_date": case.closed_date.isoformat() if case.closed_date else None,
    }


async def update_sales_case(
    session: AsyncSession,
    actor: Actor,
    case_id: int,
    *,
    stage: str | None = None,
    probability: int | None = None,
    value: Decimal | int | float | str | None = None,
) -> SalesCase:
    """Change a case's stage, probability and/or value; a stage change follows `move_sales_case`'s rules."""
    require_writer(actor)
    case = await get_sales_case(session, actor, case_id)
    if stage is not None:
        case = await move_sales_case(session, actor, case_id, stage=stage, probability=probability)
    elif probability is not None:
        case.probability = validation.percentage(probability)
    if value is not None:
        case.value = money(value)
    await flush_or_changed(session, case.name)
    await session.refresh(case, ["stage"])
    return case
