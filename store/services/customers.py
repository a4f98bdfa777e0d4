"""Customers: create with the duplicate check, update with optimistic locking, find, show (SPEC §2, §3)."""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Integer, Select, String, bindparam, column, func, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from registry.orgnr import OrgNumber
from store import name_index, validation
from store.actor import Actor
from store.errors import (
    Ambiguous,
    ChangedMeanwhile,
    DuplicateCustomer,
    InvalidInput,
    NotFound,
    PermissionDenied,
    SimilarCustomersExist,
    SimilarName,
)
from store.models import (
    Activity,
    Address,
    CaseStatus,
    Contact,
    Counter,
    Country,
    Customer,
    CustomerKind,
    GroupingChoice,
    Industry,
    RelationLevel,
    RelationType,
    SalesCase,
    User,
    Visibility,
)
from store.names import name_key
from store.types import utcnow
from store.visibility import VIEWER, contact_visible_to, customer_visible, visible_to

SHORT_KEY_CANDIDATES = 500  # names containing a one- or two-letter search, shortest first
SIMILAR_CUTOFF = 85.0  # token_sort_ratio on name keys: catches typos and word order, not mere prefixes
CUSTOMER_REF = re.compile(r"^#?(\d{1,7})$")

# Fields a user may set directly, with how each is cleaned.
_TEXT_FIELDS = {
    "website": 300,
    "vat_number": 32,
    "description": 5000,
    "invoice_template": 100,
    "price_list": 100,
    "e_invoice_address": 100,
    "first_name": 100,
}


def require_writer(actor: Actor) -> None:
    if not actor.can_write:
        raise PermissionDenied(
            "Your role is read-only; ask an admin to make this change.", key="user.read_only"
        )


async def next_number(session: AsyncSession, counter: str) -> int:
    """Take the next value of a named counter; the row lock serialises concurrent creators."""
    stmt = (
        update(Counter)
        .where(Counter.name == counter)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    return int((await session.execute(stmt)).scalar_one())


@dataclass
class DuplicateCheck:
    existing: Customer | None = None  # same organisation number, visible to the actor
    existing_hidden: bool = False  # same organisation number on a customer the actor may not see
    similar: list[SimilarName] = field(default_factory=list)


async def check_duplicates(
    session: AsyncSession,
    actor: Actor,
    name: str | None,
    org: OrgNumber | None,
    *,
    exclude_id: int | None = None,
) -> DuplicateCheck:
    check = DuplicateCheck()
    if org is not None:
        row = (
            await session.execute(
                select(Customer).where(
                    Customer.org_country == Country(org.country),
                    Customer.org_number == org.number,
                    Customer.deleted_at.is_(None),
                )
            )
        ).scalar_one_or_none()
        if row is not None and row.id != exclude_id:
            visible = (
                await session.execute(
                    select(Customer.id).where(Customer.id == row.id, customer_visible(actor))
                )
            ).first()
            if visible:
                check.existing = row
            else:
                check.existing_hidden = True
    if name:
        check.similar = [s for s in await similar_names(session, actor, name) if s.customer_id != exclude_id]
    return check


async def orgs_of_visible_customers(
    session: AsyncSession, actor: Actor, orgs: list[OrgNumber]
) -> set[OrgNumber]:
    """Which of `orgs` a customer the actor may see already has (one statement for a whole list of register
    units; a hidden customer's number is not reported, as in `check_duplicates`)."""
    if not orgs:
        return set()
    rows = await session.execute(
        select(Customer.org_country, Customer.org_number).where(
            tuple_(Customer.org_country, Customer.org_number).in_(
                [(Country(o.country), o.number) for o in orgs]
            ),
            Customer.deleted_at.is_(None),
            customer_visible(actor),
        )
    )
    return {OrgNumber(str(country), str(number)) for country, number in rows}


async def similar_names(session: AsyncSession, actor: Actor, name: str, limit: int = 5) -> list[SimilarName]:
    key = name_key(name)
    keyed = await _visible_name_keys(session, actor, key)
    if not keyed:
        return []
    hits = process.extract(key, keyed, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR_CUTOFF, limit=limit)
    rows = {
        c.id: c
        for c in (
            await session.execute(select(Customer).where(Customer.id.in_([i for _, _, i in hits])))
        ).scalars()
    }
    return [SimilarName(i, rows[i].customer_number, rows[i].name, float(score)) for _, score, i in hits]


async def _visible_name_keys(session: AsyncSession, actor: Actor, key: str) -> dict[int, str]:
    """id -> name key of the visible customers worth ranking against `key`: the trigram index's candidates,
    or, for a key too short for trigrams, the shortest names that contain it."""
    if len(key) < name_index.MIN_KEY:
        # One or two letters only match as a substring anyway; ranking every customer's name in Python took
        # 0.4 s at 100k customers. The names alone are scanned (on SQLite their index covers them; with the
        # visibility rule in the same statement it chose that index and read every row: 115-180 ms), and
        # the few shortest are then checked for visibility.
        shortest = await session.execute(
            select(Customer.id, Customer.name_key)
            .where(Customer.name_key.contains(key, autoescape=True))
            .order_by(func.length(Customer.name_key), Customer.id)
            .limit(2 * SHORT_KEY_CANDIDATES)
        )
        found = {int(r[0]): str(r[1]) for r in shortest}
        return dict(
            itertools.islice((await _only_visible(session, actor, found)).items(), SHORT_KEY_CANDIDATES)
        )
    if session.get_bind().dialect.name == "sqlite":
        return await name_index.sqlite_candidates(
            session,
            "customer_names",
            key,
            among=_visible_matches_statement(actor.is_admin),
            values={"viewer": actor.user_id},
        )
    visible = customer_visible(actor)
    return await name_index.postgres_candidates(session, Customer.id, Customer.name_key, key, visible)


async def _only_visible(session: AsyncSession, actor: Actor, found: dict[int, str]) -> dict[int, str]:
    """The entries of `found` (customer id -> name key) the actor may see, in their order."""
    if not found:
        return {}
    rows = await session.execute(
        _visible_ids_statement(actor.is_admin), {"ids": list(found), "viewer": actor.user_id}
    )
    visible = set(rows.scalars())
    return {i: k for i, k in found.items() if i in visible}


@functools.cache
def _visible_matches_statement(is_admin: bool) -> Select[int, str]:
    """The visible customers among the name index's matches, in one statement (a second one with their ids
    as an IN list cost about as much as the match)."""
    matches = name_index.sqlite_matches("customer_names").columns(column("rowid", Integer))
    return select(Customer.id, Customer.name_key).where(
        Customer.id.in_(matches), visible_to(is_admin, VIEWER)
    )


@functools.cache
def _visible_ids_statement(is_admin: bool) -> Select[int]:
    return select(Customer.id).where(
        Customer.id.in_(bindparam("ids", expanding=True)), visible_to(is_admin, VIEWER)
    )


def _duplicate_error(org: OrgNumber, existing: Customer | None) -> DuplicateCustomer:
    if existing is None:
        return DuplicateCustomer(
            f"Organisation number {org.formatted} is already registered on a customer you cannot see. "
            "Ask its owner or an admin.",
            existing_id=None,
            existing_number=None,
            key="customer.org_taken_hidden",
            org=org.formatted,
        )
    return DuplicateCustomer(
        f"{existing.name} (#{existing.customer_number}) already has organisation number {org.formatted}. "
        "Open it instead of creating a duplicate.",
        existing_id=existing.id,
        existing_number=existing.customer_number,
        key="customer.org_taken",
        name=existing.name,
        number=existing.customer_number,
        org=org.formatted,
    )


async def _industry_id(session: AsyncSession, industry: str | int | None) -> int | None:
    if industry is None or industry == "":
        return None
    if isinstance(industry, int):
        return industry
    found = (
        await session.execute(
            select(Industry.id).where(
                or_(func.lower(Industry.name) == industry.lower(), Industry.code == industry)
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise InvalidInput(
            f"Unknown industry {industry!r}; pick one from the industry list.",
            field_name="industry",
            key="customer.bad_industry",
            industry=industry,
        )
    return int(found)


async def _clean_fields(session: AsyncSession, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate the optional customer fields; unknown names are a programming error, not user input."""
    clean: dict[str, Any] = {}
    for key, value in fields.items():
        if key in _TEXT_FIELDS:
            clean[key] = validation.optional_text(value, key.replace("_", " "), max_length=_TEXT_FIELDS[key])
        elif key == "industry":
            clean["industry_id"] = await _industry_id(session, value)
        elif key in ("employees", "payment_terms_days"):
            if value is not None and int(value) < 0:
                raise InvalidInput(
                    f"The {key.replace('_', ' ')} cannot be negative.",
                    field_name=key,
                    key="input.negative",
                    what=key.replace("_", " "),
                )
            clean[key] = None if value is None else int(value)
        elif key == "revenue":
            clean[key] = None if value is None else Decimal(str(value))
        elif key == "rating":
            if value is not None and not 1 <= int(value) <= 5:
                raise InvalidInput(
                    "The rating must be between 1 and 5.", field_name="rating", key="customer.bad_rating"
                )
            clean[key] = None if value is None else int(value)
        elif key == "relation_level":
            clean[key] = None if value is None else _enum(RelationLevel, value, "relation level")
        elif key == "relation_type":
            clean[key] = None if value is None else _enum(RelationType, value, "relation type")
        elif key == "kind":
            clean[key] = _enum(CustomerKind, value, "customer kind")
        elif key == "visibility":
            clean[key] = _enum(Visibility, value, "visibility")
        elif key == "active":
            clean[key] = bool(value)
        elif key == "owner_id":
            clean[key] = int(value)
        else:
            raise TypeError(f"unknown customer field {key!r}")
    return clean


def _enum(cls: Any, value: Any, what: str) -> Any:
    try:
        return cls(value)
    except ValueError as exc:
        allowed = ", ".join(m.value for m in cls)
        raise InvalidInput(
            f"{value!r} is not a {what}; use one of {allowed}.",
            field_name=what,
            key="input.not_one_of",
            value=value,
            what=what,
            allowed=allowed,
        ) from exc


async def create_customer(
    session: AsyncSession,
    actor: Actor,
    name: str,
    *,
    org_number: str | None = None,
    country: str | None = None,
    allow_similar: bool = False,
    **fields: Any,
) -> Customer:
    """Create a customer after the duplicate check of SPEC §3.

    Raises DuplicateCustomer when the organisation number exists (also when two callers race: the unique
    constraint decides), and SimilarCustomersExist for near names unless `allow_similar`.
    """
    require_writer(actor)
    clean_name = validation.required_text(name, "customer name")
    org = validation.org_number(org_number, country) if org_number and org_number.strip() else None
    clean = await _clean_fields(session, fields)
    clean.setdefault("owner_id", actor.user_id)
    if clean["owner_id"] != actor.user_id and not actor.is_admin:
        await _require_user(session, clean["owner_id"])
    check = await check_duplicates(session, actor, clean_name, org)
    if org is not None and (check.existing is not None or check.existing_hidden):
        raise _duplicate_error(org, check.existing)
    if check.similar and not allow_similar:
        raise SimilarCustomersExist(clean_name, check.similar)

    customer = Customer(
        name=clean_name,
        name_key=name_key(clean_name),
        org_number=org.number if org else None,
        org_country=Country(org.country) if org else None,
        created_by_id=actor.user_id,
        **clean,
    )
    try:
        async with session.begin_nested():
            customer.customer_number = await next_number(session, "customer_number")
            session.add(customer)
            await session.flush()
    except IntegrityError as exc:
        # Lost a race with another creator of the same organisation number.
        if org is None:
            raise
        again = await check_duplicates(session, actor, None, org)
        raise _duplicate_error(org, again.existing) from exc
    return customer


async def _require_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None or not user.active:
        raise InvalidInput(
            f"No active user with id {user_id}.", field_name="owner", key="user.no_active_id", user_id=user_id
        )
    return user


@functools.cache
def _customer_statement(is_admin: bool) -> Select[Customer]:
    # One statement: a customer has a handful of addresses, keywords and groupings, so joining them costs
    # fewer rows than three more round trips (each a thread hop on SQLite) cost time. Built once per
    # kind of viewer (as the card's other statements): building it cost about as much as running it.
    return (
        select(Customer)
        .where(Customer.id == bindparam("customer_id", type_=Integer), visible_to(is_admin, VIEWER))
        .options(
            joinedload(Customer.addresses),
            joinedload(Customer.keywords),
            joinedload(Customer.groupings),
        )
    )


async def get_customer(session: AsyncSession, actor: Actor, customer_id: int) -> Customer:
    rows = await session.execute(
        _customer_statement(actor.is_admin), {"customer_id": customer_id, "viewer": actor.user_id}
    )
    customer = rows.unique().scalar_one_or_none()
    if customer is None:
        raise NotFound(f"No customer with id {customer_id}.", key="customer.no_id", customer_id=customer_id)
    return customer


async def update_customer(
    session: AsyncSession,
    actor: Actor,
    customer_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
) -> Customer:
    """Apply `changes`; `expected_version` is the version the user saw, so a concurrent edit is refused."""
    require_writer(actor)
    customer = await get_customer(session, actor, customer_id)
    if expected_version is not None and customer.version != expected_version:
        raise ChangedMeanwhile(
            f"{customer.name} was changed by someone else after you opened it. Reload it and try again.",
            key="customer.changed_since_opened",
            name=customer.name,
        )
    changes = dict(changes)
    org_number = changes.pop("org_number", ...)
    country = changes.pop("country", None)
    if "name" in changes:
        customer.name = validation.required_text(changes.pop("name"), "customer name")
        customer.name_key = name_key(customer.name)
    if org_number is not ...:
        if org_number in (None, ""):
            customer.org_number, customer.org_country = None, None
        else:
            org = validation.org_number(str(org_number), country)
            check = await check_duplicates(session, actor, None, org, exclude_id=customer.id)
            if check.existing is not None or check.existing_hidden:
                raise _duplicate_error(org, check.existing)
            customer.org_number, customer.org_country = org.number, Country(org.country)
    for key, value in (await _clean_fields(session, changes)).items():
        if key == "owner_id":
            await _require_user(session, value)
        setattr(customer, key, value)
    await flush_or_changed(session, customer.name)
    return customer


async def flush_or_changed(session: AsyncSession, name: str) -> None:
    """Flush, turning a lost optimistic-lock race on the record called `name` into ChangedMeanwhile."""
    try:
        async with session.begin_nested():
            await session.flush()
    except StaleDataError as exc:
        raise ChangedMeanwhile(
            f"{name} was changed by someone else meanwhile. Reload it and try again.",
            key="record.changed_meanwhile",
            name=name,
        ) from exc


async def delete_customer(session: AsyncSession, actor: Actor, customer_id: int) -> Customer:
    """Soft delete: the card disappears everywhere and can be restored."""
    require_writer(actor)
    customer = await get_customer(session, actor, customer_id)
    if not actor.is_admin and customer.owner_id != actor.user_id:
        raise PermissionDenied(
            f"Only the owner of {customer.name} or an admin can delete it.",
            key="customer.delete_denied",
            name=customer.name,
        )
    customer.deleted_at = utcnow()
    await session.flush()
    return customer


async def restore_customer(session: AsyncSession, actor: Actor, customer_id: int) -> Customer:
    require_writer(actor)
    customer = await session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is None or customer.merged_into_id is not None:
        raise NotFound(
            f"No deleted customer with id {customer_id}.",
            key="customer.no_deleted_id",
            customer_id=customer_id,
        )
    if not actor.is_admin and customer.owner_id != actor.user_id:
        raise NotFound(
            f"No deleted customer with id {customer_id}.",
            key="customer.no_deleted_id",
            customer_id=customer_id,
        )
    customer.deleted_at = None
    await session.flush()
    return customer


@dataclass
class CustomerHit:
    customer: Customer
    score: float


async def find_customers(
    session: AsyncSession, actor: Actor, query: str, *, limit: int = 20, offset: int = 0
) -> list[CustomerHit]:
    """Search by customer number, organisation number or (fuzzily) by name, among visible customers."""
    query = query.strip()
    if not query:
        raise InvalidInput(
            "Say what to search for: a name, a customer number or an organisation number.",
            key="customer.find_what",
        )
    compact = re.sub(r"[\s.\-]", "", query)
    if compact.isdigit() or CUSTOMER_REF.match(query):
        digits = compact.lstrip("#")
        # customer numbers are INTEGER; a 10-digit org number is not one
        number = int(digits) if len(digits) <= 9 else None
        rows = (
            (
                await session.execute(
                    _by_number_statement(actor.is_admin, number is not None),
                    {"org": digits, "number": number, "viewer": actor.user_id},
                )
            )
            .scalars()
            .all()
        )
        if rows:
            return [CustomerHit(c, 100.0) for c in rows][offset : offset + limit]
    key = name_key(query)
    if not key:
        return []
    keyed = await _visible_name_keys(session, actor, key)
    scored: dict[int, float] = {}
    for customer_id, k in keyed.items():
        if key in k:  # substring: "acme" finds "acme consulting"; shorter names first
            scored[customer_id] = 100.0 - min(len(k) - len(key), 20) * 0.5
    for _, score, customer_id in process.extract(
        key, keyed, scorer=fuzz.WRatio, score_cutoff=75, limit=limit + offset + 20
    ):
        scored[customer_id] = max(scored.get(customer_id, 0.0), float(score) * 0.95)
    ranked = sorted(scored.items(), key=lambda kv: -kv[1])[offset : offset + limit]
    if not ranked:
        return []
    by_id = {c.id: c for c in (await session.execute(_BY_IDS, {"ids": [i for i, _ in ranked]})).scalars()}
    return [CustomerHit(by_id[i], s) for i, s in ranked]


@functools.cache
def _by_number_statement(is_admin: bool, with_number: bool) -> Select[Customer]:
    """Customers by organisation number, or by customer number too when the digits can be one."""
    org = Customer.org_number == bindparam("org", type_=String)
    match = or_(org, Customer.customer_number == bindparam("number", type_=Integer)) if with_number else org
    return select(Customer).where(visible_to(is_admin, VIEWER), match)


_BY_IDS = select(Customer).where(Customer.id.in_(bindparam("ids", expanding=True)))


async def resolve_customer(session: AsyncSession, actor: Actor, reference: str) -> Customer:
    """One customer from what a user typed: "#10023", an organisation number or a name.

    Raises NotFound, or Ambiguous when two or more candidates are about equally good.
    """
    hits = await find_customers(session, actor, reference, limit=5)
    if not hits:
        raise NotFound(
            f"No customer matches {reference.strip()!r}.",
            key="customer.no_match",
            reference=reference.strip(),
        )
    best = hits[0]
    # The name exactly as typed beats names that only normalise the same ("Acme AS" vs "ACME as.").
    wanted = " ".join(reference.split()).casefold()
    for same in (
        [h for h in hits if h.customer.name.casefold() == wanted],
        [h for h in hits if h.customer.name_key == name_key(reference)],
    ):
        if len(same) == 1:
            return same[0].customer
    close = [h for h in hits if best.score - h.score < 5]
    if len(close) > 1 or best.score < 80:
        raise Ambiguous(
            f"Several customers match {reference.strip()!r}; which one?",
            [(h.customer.id, f"{h.customer.name} (#{h.customer.customer_number})") for h in hits],
            key="customer.ambiguous",
            reference=reference.strip(),
        )
    return best.customer


@dataclass
class CustomerCard:
    """Everything the customer card shows (SPEC §5.1)."""

    customer: Customer
    head_office: Address | None
    contacts: list[Contact]
    latest_activities: list[Activity]
    open_sales_cases: list[SalesCase]
    groupings: list[GroupingChoice]


async def customer_card(
    session: AsyncSession, actor: Actor, customer_id: int, *, activities: int = 5
) -> CustomerCard:
    customer = await get_customer(session, actor, customer_id)
    values = {"customer_id": customer.id, "viewer": actor.user_id, "limit": activities}
    contacts = (await session.execute(_card_contacts(actor.is_admin), values)).unique().scalars().all()
    latest = (await session.execute(_CARD_ACTIVITIES, values)).scalars().all()
    cases = (await session.execute(_CARD_CASES, values)).scalars().all()
    return CustomerCard(
        customer, customer.head_office, list(contacts), list(latest), list(cases), customer.groupings
    )


# The card's statements, built once (per kind of viewer where visibility applies): the card is the reply
# people ask for most, and building its statements cost as much as running them.
_CARD_CUSTOMER = bindparam("customer_id", type_=Integer)


@functools.cache
def _card_contacts(is_admin: bool) -> Select[Contact]:
    return (
        select(Contact)
        .where(Contact.customer_id == _CARD_CUSTOMER, contact_visible_to(is_admin, VIEWER))
        .options(joinedload(Contact.emails), joinedload(Contact.phones), joinedload(Contact.roles))
        .order_by(Contact.last_name, Contact.first_name)
    )


_CARD_ACTIVITIES = (
    select(Activity)
    .where(Activity.customer_id == _CARD_CUSTOMER, Activity.deleted_at.is_(None))
    .order_by(func.coalesce(Activity.start_at, Activity.created_at).desc(), Activity.id.desc())
    .limit(bindparam("limit", type_=Integer))
)
_CARD_CASES = (
    select(SalesCase)
    .where(
        SalesCase.customer_id == _CARD_CUSTOMER,
        SalesCase.status == CaseStatus.OPEN,
        SalesCase.deleted_at.is_(None),
    )
    .order_by(SalesCase.expected_order_date)
)


def display_org(customer: Customer) -> str | None:
    if not customer.org_number or not customer.org_country:
        return None
    return OrgNumber(customer.org_country.value, customer.org_number).formatted
