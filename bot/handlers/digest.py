"""`digest` (preview the daily digest now) and `settings` (digest time and channels, language, time zone)."""

from __future__ import annotations

import re

from bot.commands import Command
from bot.context import Context
from bot.i18n import say
from bot.replies import DigestReply, Reply, Text, Tone
from store.actor import Actor
from store.services import digest, users

_SETTING = re.compile(
    r"^(?P<what>digest|time|channels?|language|lang|språk|sprak|timezone|tz|tidssone|tidszon)\s+(?P<value>.+)$",
    re.I,
)


async def preview(ctx: Context, command: Command) -> list[Reply]:
    async with ctx.store.reading() as s:
        found = await digest.build_digest(s, ctx.actor)
    return [DigestReply(found, ctx.actor.language.value, ctx.actor.time_zone)]


async def settings(ctx: Context, command: Command) -> list[Reply]:
    lang = ctx.actor.language.value
    if not command.rest:
        async with ctx.store.reading() as s:
            user = await users.user_by_id(s, ctx.actor.user_id)
        return [Text(_summary(lang, user)), Text(say(lang, "settings.usage"))]
    match = _SETTING.match(command.rest.strip())
    if match is None:
        return [Text(say(lang, "settings.usage"), Tone.ERROR)]
    what, value = match["what"].lower(), match["value"].strip()
    changes: dict[str, object] = {}
    if what in ("digest", "time"):
        changes["digest_time"] = value
    elif what.startswith("channel"):
        changes["digest_channels"] = re.split(r"[,\s]+", value)
    elif what in ("language", "lang", "språk", "sprak"):
        changes["language"] = value
    else:
        changes["time_zone"] = value
    async with ctx.store.transaction() as s:
        user = await users.update_settings(s, ctx.actor, **changes)  # type: ignore[arg-type]
    ctx.actor = Actor.of(user)  # the rest of this conversation speaks the new language, in the new time zone
    return [
        Text(
            say(user.language.value, "settings.saved", summary=_summary(user.language.value, user)),
            Tone.SUCCESS,
        )
    ]


def _summary(lang: str, user: users.User) -> str:
    return say(
        lang,
        "settings.show",
        time=f"{user.digest_time:%H:%M}",
        channels=", ".join(user.digest_channels) or "-",
        language=user.language.value,
        tz=user.time_zone,
    )
