"""Segmentation (SPEC §2.1): admin-defined grouping categories and choices, keywords, mass update."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store import validation
from store.actor import Actor
from store.errors import InvalidInput, NotFound, PermissionDenied
from store.models import (
    Customer,
    GroupingCategory,
    GroupingChoice,
    Keyword,
    RelationLevel,
    customer_groupings,
    customer_keywords,
)
from store.services.customers import _industry_id, _require_user, require_writer
from store.visibility import customer_visible


def _require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(f"Only admins can {what}.", key="segment.admin_only", what=what)


async def create_grouping(
    session: AsyncSession, actor: Actor, name: str, choices: Sequence[str]
) -> GroupingCategory:
    _require_admin(actor, "define groupings")
    clean = validation.required_text(name, "grouping name", max_length=100)
    if (await session.execute(select(GroupingCategory.id).where(GroupingCategory.name == clean))).first():
        raise InvalidInput(
            f"A grouping called {clean!r} already exists.",
            field_name="name",
            key="segment.grouping_exists",
            name=clean,
        )
    names = list(dict.fromkeys(validation.required_text(c, "choice", max_length=100) for c in choices))
    if not names:
        raise InvalidInput(
            "A grouping needs at least one choice.", field_name="choices", key="segment.no_choices"
        )
    category = GroupingCategory(
        name=clean, created_by_id=actor.user_id, choices=[GroupingChoice(name=n) for n in names]
    )
    session.add(category)
    await session.flush()
    return category


async def grouping_choice(session: AsyncSession, category: str, choice: str) -> GroupingChoice:
    found = (
        await session.execute(
            select(GroupingChoice)
            .join(GroupingCategory)
            .where(
                func.lower(GroupingCategory.name) == category.strip().lower(),
                func.lower(GroupingChoice.name) == choice.strip().lower(),
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(
            f"No grouping {category!r} with the choice {choice!r}.",
            key="segment.no_choice",
            grouping=category,
            choice=choice,
        )
    return found


async def keyword(session: AsyncSession, word: str) -> Keyword:
    name = validation.required_text(word, "keyword", max_length=100).casefold()
    found = (await session.execute(select(Keyword).where(Keyword.name == name))).scalar_one_or_none()
    if found is None:
        found = Keyword(name=name)
        session.add(found)
        await session.flush()
    return found


async def _visible_ids(session: AsyncSession, actor: Actor, customer_ids: Sequence[int]) -> list[int]:
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        raise InvalidInput("Select at least one customer.", key="segment.no_customers")
    found = set(
        (
            await session.execute(select(Customer.id).where(Customer.id.in_(ids), customer_visible(actor)))
        ).scalars()
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(
            f"No customer with id {missing[0]}; nothing was changed.",
            key="segment.no_customer",
            customer_id=missing[0],
        )
    return ids


async def add_to_grouping(
    session: AsyncSession, actor: Actor, customer_ids: Sequence[int], choice_id: int
) -> int:
    require_writer(actor)
    ids = await _visible_ids(session, actor, customer_ids)
    have = set(
        (
            await session.execute(
                select(customer_groupings.c.customer_id).where(
                    customer_groupings.c.choice_id == choice_id, customer_groupings.c.customer_id.in_(ids)
                )
            )
        ).scalars()
    )
    rows = [{"customer_id": i, "choice_id": choice_id} for i in ids if i not in have]
    if rows:
        await session.execute(insert(customer_groupings), rows)
    return len(rows)


async def tag_customer(session: AsyncSession, actor: Actor, customer_id: int, word: str) -> None:
    require_writer(actor)
    await _visible_ids(session, actor, [customer_id])
    kw = await keyword(session, word)
    exists = (
        await session.execute(
            select(customer_keywords.c.customer_id).where(
                customer_keywords.c.customer_id == customer_id, customer_keywords.c.keyword_id == kw.id
            )
        )
    ).first()
    if not exists:
        await session.execute(insert(customer_keywords), [{"customer_id": customer_id, "keyword_id": kw.id}])


async def mass_update(
    session: AsyncSession,
    actor: Actor,
    customer_ids: Sequence[int],
    *,
    industry: str | None = None,
    owner_id: int | None = None,
    relation_level: str | None = None,
    grouping_choice_id: int | None = None,
) -> int:
    """Set industry, owner, relation level and/or a grouping on a set of customers (SPEC §3), all or none."""
    require_writer(actor)
    ids = await _visible_ids(session, actor, customer_ids)
    values: dict[str, object] = {}
    if industry is not None:
        values["industry_id"] = await _industry_id(session, industry)
    if owner_id is not None:
        await _require_user(session, owner_id)
        values["owner_id"] = owner_id
    if relation_level is not None:
        try:
            values["relation_level"] = RelationLevel(relation_level.upper())
        except ValueError as exc:
            raise InvalidInput(
                f"{relation_level!r} is not a relation level; use A, B or C.",
                key="segment.bad_relation_level",
                level=relation_level,
            ) from exc
    if not values and grouping_choice_id is None:
        raise InvalidInput(
            "Say what to change: industry, owner, relation level or grouping.",
            key="segment.nothing_to_change",
        )
    if values:
        values["version"] = Customer.version + 1
        await session.execute(
            update(Customer)
            .where(Customer.id.in_(ids))
            .values(values)
            .execution_options(synchronize_session="fetch")
        )
    if grouping_choice_id is not None:
        await add_to_grouping(session, actor, ids, grouping_choice_id)
    return len(ids)
