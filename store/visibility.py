"""The visibility rule of SPEC §3, in one place: owner-only records are invisible to everyone but the
owner and admins. Every query that returns or counts customers, contacts or what hangs off them goes
through these clauses.
"""

from __future__ import annotations

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    and_,
    bindparam,
    or_,
    select,
    true,
    union,
)

from store.actor import Actor
from store.models import Contact, Customer, Visibility


def customer_visible(actor: Actor) -> ColumnElement[bool]:
    """Rows of `customers` the actor may see (live ones only)."""
    return visible_to(actor.is_admin, actor.user_id)


# The acting user as a bound parameter, for statements built once and reused (see store.services.dashboard).
VIEWER: BindParameter[int] = bindparam("viewer", type_=Integer)


def visible_to(is_admin: bool, user: int | BindParameter[int]) -> ColumnElement[bool]:
    """customer_visible() for an admin flag and a user id, or the VIEWER parameter standing for one."""
    alive = Customer.deleted_at.is_(None)
    if is_admin:
        return alive
    return and_(alive, or_(Customer.visibility == Visibility.EVERYONE, Customer.owner_id == user))


def hidden_customer_ids(actor: Actor) -> CompoundSelect[int] | Select[int]:
    """Ids of customers the actor may not see (deleted, or someone else's owner-only).

    Aggregates over large tables (invoices, costs, sales cases) exclude this usually small set instead of
    joining every row to `customers`. Written as a UNION so each half uses its own index
    (`ix_customers_deleted`, `ix_customers_visibility_owner`) instead of scanning all customers.
    """
    return hidden_from(actor.is_admin, actor.user_id)


def hidden_from(is_admin: bool, user: int | BindParameter[int]) -> CompoundSelect[int] | Select[int]:
    """hidden_customer_ids() for an admin flag and a user id, or the VIEWER parameter standing for one."""
    deleted = select(Customer.id).where(Customer.deleted_at.is_not(None))
    if is_admin:
        return deleted
    others_private = select(Customer.id).where(
        Customer.visibility == Visibility.OWNER, Customer.owner_id != user
    )
    return union(deleted, others_private)


def contact_visible(actor: Actor) -> ColumnElement[bool]:
    """Contacts the actor may see: not deleted, not someone else's owner-only contact, and not on a
    customer the actor may not see."""
    return contact_visible_to(actor.is_admin, actor.user_id)


def contact_visible_to(is_admin: bool, user: int | BindParameter[int]) -> ColumnElement[bool]:
    """contact_visible() for an admin flag and a user id, or the VIEWER parameter standing for one."""
    alive = Contact.deleted_at.is_(None)
    own_rule: ColumnElement[bool] = (
        true() if is_admin else or_(Contact.visibility == Visibility.EVERYONE, Contact.owner_id == user)
    )
    on_visible_customer = or_(
        Contact.customer_id.is_(None), Contact.customer_id.not_in(hidden_from(is_admin, user))
    )
    return and_(alive, own_rule, on_visible_customer)


# The same rule for rows already read (a batch of captured emails checks many users against one read).


def customer_row_visible(actor: Actor, visibility: Visibility | str, owner_id: int, deleted: bool) -> bool:
    if deleted:
        return False
    return actor.is_admin or visibility == Visibility.EVERYONE or owner_id == actor.user_id


def contact_row_visible(
    actor: Actor, visibility: Visibility | str, owner_id: int, deleted: bool, customer_visible: bool | None
) -> bool:
    """`customer_visible` is None for a contact without a customer."""
    if deleted or customer_visible is False:
        return False
    return actor.is_admin or visibility == Visibility.EVERYONE or owner_id == actor.user_id
