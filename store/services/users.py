"""Users: create, look up, and turn into an Actor for the services."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store import validation
from store.actor import Actor
from store.errors import InvalidInput, NotFound
from store.models import Language, Role, User


async def create_user(
    session: AsyncSession,
    *,
    name: str,
    email: str,
    role: Role | str = Role.SALES,
    time_zone: str = "Europe/Oslo",
    language: Language | str = Language.EN,
    slack_user_id: str | None = None,
) -> User:
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            f"{time_zone!r} is not a time zone (e.g. Europe/Oslo).", field_name="time_zone"
        ) from exc
    address = validation.email_address(email)
    if (await session.execute(select(User.id).where(User.email == address))).first():
        raise InvalidInput(f"A user with {address} already exists.", field_name="email")
    user = User(
        name=validation.required_text(name, "name"),
        email=address,
        role=Role(role),
        time_zone=time_zone,
        language=Language(language),
        slack_user_id=slack_user_id,
    )
    session.add(user)
    await session.flush()
    return user


async def user_by_email(session: AsyncSession, email: str) -> User:
    user = (
        await session.execute(select(User).where(User.email == email.strip().lower()))
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"No user with email {email.strip()}.")
    return user


async def default_actor(session: AsyncSession, email: str | None = None) -> Actor | None:
    """The acting user for the console: the given email, else the first admin, else the first user."""
    if email:
        return Actor.of(await user_by_email(session, email))
    user = (
        await session.execute(
            select(User).where(User.active.is_(True)).order_by((User.role != Role.ADMIN), User.id).limit(1)
        )
    ).scalar_one_or_none()
    return Actor.of(user) if user else None


async def user_count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count(User.id)))).scalar_one())
