"""`kpi` and `pipeline`: the figures of SPEC §8 for the acting user."""

from __future__ import annotations

from bot.commands import Command
from bot.context import Context
from bot.replies import KpiReply, PipelineReply, Reply
from store.services import dashboard, kpi


async def summary(ctx: Context, command: Command) -> list[Reply]:
    async with ctx.store.reading() as s:
        figures = await kpi.kpi_summary(s, ctx.actor)
        board = await dashboard.dashboard(s, ctx.actor)
    return [KpiReply(figures, board, ctx.actor.time_zone, ctx.lang)]


async def pipeline(ctx: Context, command: Command) -> list[Reply]:
    async with ctx.store.reading() as s:
        stages = await dashboard.pipeline_by_stage(s, ctx.actor)
        month, quarter = await dashboard.my_pipeline(s, ctx.actor)
    return [PipelineReply(stages, month, quarter, ctx.lang)]
