"""Users: create, look up, and turn into an Actor for the services."""

from __future__ import annotations

from datetime import time as time_of_day
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
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
            f"{time_zone!r} is not a time zone (e.g. Europe/Oslo).",
            field_name="time_zone",
            key="user.bad_time_zone",
            time_zone=time_zone,
        ) from exc
    address = validation.email_address(email)
    if (await session.execute(select(User.id).where(User.email == address))).first():
        raise InvalidInput(
            f"A user with {address} already exists.",
            field_name="email",
            key="user.email_taken",
            address=address,
        )
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


async def user_by_id(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.", key="user.no_id", user_id=user_id)
    return user


async def user_by_email(session: AsyncSession, email: str) -> User:
    user = (
        await session.execute(select(User).where(User.email == email.strip().lower()))
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"No user with email {email.strip()}.", key="user.no_email", address=email.strip())
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


def language_from_locale(locale: str | None) -> Language:
    """Slack's locale ("nb-NO", "sv-SE", "en-GB") to kundebot's language; Norwegian nynorsk reads as bokmål."""
    code = (locale or "").split("-")[0].lower()
    return {"nb": Language.NB, "nn": Language.NB, "no": Language.NB, "sv": Language.SV}.get(code, Language.EN)


async def user_for_slack(
    session: AsyncSession,
    *,
    slack_user_id: str,
    name: str,
    email: str | None,
    time_zone: str | None,
    locale: str | None,
) -> User:
    """The kundebot user behind a Slack user, created on first contact (SPEC §5.1): matched by Slack id,
    else by email (an existing user links to Slack), else a new sales user with Slack's time zone and locale.
    Two first contacts at once (a command and an event) give one user: the loser of the race re-reads."""
    try:
        async with session.begin_nested():
            return await _user_for_slack(
                session,
                slack_user_id=slack_user_id,
                name=name,
                email=email,
                time_zone=time_zone,
                locale=locale,
            )
    except (IntegrityError, InvalidInput):
        # Lost the race (the other transaction committed the same Slack id or email first), or bad input.
        found = (
            await session.execute(select(User).where(User.slack_user_id == slack_user_id))
        ).scalar_one_or_none()
        if found is None:
            raise
        return found


async def _user_for_slack(
    session: AsyncSession,
    *,
    slack_user_id: str,
    name: str,
    email: str | None,
    time_zone: str | None,
    locale: str | None,
) -> User:
    """The kundebot user behind a Slack user, created on first contact (SPEC §5.1): matched by Slack id,
    else by email (an existing user links to Slack), else a new sales user with Slack's time zone and locale."""
    found = (
        await session.execute(select(User).where(User.slack_user_id == slack_user_id))
    ).scalar_one_or_none()
    if found is not None:
        return found
    if email:
        address = validation.email_address(email)
        by_email = (await session.execute(select(User).where(User.email == address))).scalar_one_or_none()
        if by_email is not None:
            by_email.slack_user_id = slack_user_id
            await session.flush()
            return by_email
    try:
        zone = time_zone or "Europe/Oslo"
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = "Europe/Oslo"
    if not email:
        # The workspace did not share an email (no users:read.email scope): a placeholder that is unique and
        # can never match a real address.
        user = User(
            name=name or slack_user_id,
            email=f"slack:{slack_user_id}",
            time_zone=zone,
            language=language_from_locale(locale),
            slack_user_id=slack_user_id,
        )
        session.add(user)
        await session.flush()
        return user
    return await create_user(
        session,
        name=name or slack_user_id,
        email=email,
        time_zone=zone,
        language=language_from_locale(locale),
        slack_user_id=slack_user_id,
    )


DIGEST_CHANNELS = ("slack", "email")


async def update_settings(
    session: AsyncSession,
    actor: Actor,
    *,
    digest_time: str | None = None,
    digest_channels: list[str] | None = None,
    language: str | None = None,
    time_zone: str | None = None,
) -> User:
    """The user's own settings (SPEC §5.1 `settings`): digest time and channels, language, time zone."""
    user = await user_by_id(session, actor.user_id)
    if digest_time is not None:
        try:
            hours, _, minutes = digest_time.strip().replace(".", ":").partition(":")
            user.digest_time = time_of_day(int(hours), int(minutes or 0))
        except ValueError as exc:
            raise InvalidInput(
                f"{digest_time!r} is not a time of day (e.g. 07:30).",
                field_name="digest_time",
                key="user.bad_digest_time",
                time=digest_time,
            ) from exc
    if digest_channels is not None:
        chosen = [c.strip().lower() for c in digest_channels if c.strip()]
        wrong = [c for c in chosen if c not in DIGEST_CHANNELS]
        if wrong:
            raise InvalidInput(
                f"Unknown digest channel {wrong[0]!r}; use slack, email or both.",
                field_name="channels",
                key="user.bad_channel",
                channel=wrong[0],
            )
        user.digest_channels = list(dict.fromkeys(chosen))
    if language is not None:
        try:
            user.language = Language(language.strip().lower())
        except ValueError as exc:
            raise InvalidInput(
                f"{language!r} is not a language; use en, nb or sv.",
                field_name="language",
                key="user.bad_language",
                language=language,
            ) from exc
    if time_zone is not None:
        try:
            ZoneInfo(time_zone.strip())
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput(
                f"{time_zone!r} is not a time zone (e.g. Europe/Oslo).",
                field_name="time_zone",
                key="user.bad_time_zone",
                time_zone=time_zone,
            ) from exc
        user.time_zone = time_zone.strip()
    await session.flush()
    return user
