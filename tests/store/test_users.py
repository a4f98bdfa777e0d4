"""Users: Slack users become kundebot users on first contact."""

from __future__ import annotations

import asyncio

import pytest

from store.db import Store
from store.errors import InvalidInput
from store.models import Language, Role
from store.services.users import create_user, language_from_locale, user_for_slack


async def test_a_new_slack_user_gets_a_user_with_slacks_time_zone_and_language(store: Store) -> None:
    async with store.transaction() as s:
        user = await user_for_slack(
            s,
            slack_user_id="U123",
            name="Kari Nordmann",
            email="Kari@Firm.no",
            time_zone="Europe/Stockholm",
            locale="sv-SE",
        )
    assert (user.email, user.time_zone, user.language, user.role) == (
        "kari@firm.no",
        "Europe/Stockholm",
        Language.SV,
        Role.SALES,
    )


async def test_an_existing_user_is_linked_by_email_and_then_found_by_slack_id(store: Store) -> None:
    async with store.transaction() as s:
        existing = await create_user(s, name="Ola Admin", email="ola@firm.no", role=Role.ADMIN)
    async with store.transaction() as s:
        linked = await user_for_slack(
            s, slack_user_id="U9", name="Ola", email="ola@firm.no", time_zone=None, locale=None
        )
    async with store.transaction() as s:
        again = await user_for_slack(
            s, slack_user_id="U9", name="Ola", email=None, time_zone=None, locale=None
        )
    assert linked.id == existing.id == again.id
    assert again.role is Role.ADMIN


async def test_an_unknown_time_zone_falls_back_to_oslo(store: Store) -> None:
    async with store.transaction() as s:
        user = await user_for_slack(
            s, slack_user_id="U1", name="X", email=None, time_zone="Mars/Base", locale="xx"
        )
    assert (user.time_zone, user.language) == ("Europe/Oslo", Language.EN)


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("nb-NO", Language.NB),
        ("nn-NO", Language.NB),
        ("sv-SE", Language.SV),
        ("en-US", Language.EN),
        (None, Language.EN),
    ],
)
def test_slack_locales_map_to_languages(locale: str | None, language: Language) -> None:
    assert language_from_locale(locale) is language


async def test_a_user_with_a_malformed_email_is_refused(store: Store) -> None:
    with pytest.raises(InvalidInput):
        async with store.transaction() as s:
            await create_user(s, name="X", email="not-an-email")


async def test_two_first_contacts_at_once_give_one_user(store: Store) -> None:
    async def contact() -> int:
        async with store.transaction() as s:
            return (
                await user_for_slack(
                    s, slack_user_id="U5", name="Per", email="per@firm.no", time_zone=None, locale=None
                )
            ).id

    results = await asyncio.gather(contact(), contact(), return_exceptions=True)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
