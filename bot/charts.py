"""Charts where a picture says more (SPEC §8): the pipeline by stage and invoicing by month over the last
12 months, as PNG bytes for Slack (files_upload_v2) and the console (saved to a file).

matplotlib's Agg canvas on a plain `Figure`: no pyplot, no display, no global figure state, so charts can be
drawn from any thread. The output is deterministic for the same data and matplotlib version: fixed size and
style (DejaVu Sans, which matplotlib ships), no timestamp in the PNG. Numbers use the user's language
(bot.render.formats), e.g. "1,2 mill." in Norwegian and "1.2M" in English.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.typing import RcKeyType

from bot.i18n import template
from bot.render.formats import DEFAULT_CURRENCY, compact, money, month_label
from store.actor import Actor
from store.db import Store
from store.errors import InvalidInput
from store.services import dashboard, listing
from store.services.dashboard import StageTotal
from store.services.listing import MonthTotal
from store.types import utcnow

CHARTS = ("pipeline", "invoicing")
SIZE = (8.0, 4.5)  # inches
DPI = 120  # 960 × 540 pixels: sharp in Slack's preview, small to upload
MIMETYPE = "image/png"

OPEN_COLOUR = "#9DB7D5"
WEIGHTED_COLOUR = "#2B5C8A"
BAR_COLOUR = "#2B5C8A"
CURRENT_COLOUR = "#9DB7D5"  # this month, still running
TEXT_COLOUR = "#333333"

STYLE: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.edgecolor": "#BBBBBB",
    "axes.labelcolor": TEXT_COLOUR,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "legend.frameon": False,
    "svg.hashsalt": "kundebot",
    "path.simplify": True,
}


def _word(lang: str, key: str) -> str:
    return template(lang, f"chart.{key}")


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _figure() -> Figure:
    return Figure(figsize=SIZE, dpi=DPI, layout="constrained")


def _empty(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=TEXT_COLOUR, fontsize=12)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def _money_axis(lang: str) -> FuncFormatter:
    return FuncFormatter(lambda value, _pos: compact(Decimal(str(round(value))), lang))


def pipeline_png(
    stages: Sequence[StageTotal], lang: str = "en", *, currency: str = DEFAULT_CURRENCY
) -> bytes:
    """Open sales cases per stage, in process order from the top: value and weighted value, with the number
    of cases and the value at the end of each bar."""
    with matplotlib.rc_context(STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        ax.set_title(_word(lang, "pipeline"))
        if not stages:
            _empty(ax, _word(lang, "no_cases"))
            return _png(fig)
        names = [st.stage for st in stages]
        positions = list(range(len(stages)))[::-1]  # the first stage on top
        values = [float(st.value) for st in stages]
        weighted = [float(st.weighted_value) for st in stages]
        ax.barh(positions, values, height=0.6, color=OPEN_COLOUR, label=_word(lang, "open"))
        ax.barh(positions, weighted, height=0.6, color=WEIGHTED_COLOUR, label=_word(lang, "weighted"))
        ax.set_yticks(positions, names)
        ax.xaxis.set_major_formatter(_money_axis(lang))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
        top = max(values) or 1.0
        ax.set_xlim(0, top * 1.3)
        for y, st in zip(positions, stages, strict=True):
            count = _word(lang, "one_case") if st.count == 1 else _word(lang, "cases").format(n=st.count)
            label = f"{compact(st.value, lang)} · {count}"
            ax.text(float(st.value) + top * 0.01, y, label, va="center", fontsize=9, color=TEXT_COLOUR)
        total = sum((st.value for st in stages), Decimal(0))
        ax.set_xlabel(_word(lang, "total").format(amount=money(total, currency, lang)))
        ax.legend(loc="lower right", fontsize=9)
        return _png(fig)


def invoicing_png(
    months: Sequence[MonthTotal], lang: str = "en", *, currency: str = DEFAULT_CURRENCY
) -> bytes:
    """Invoicing per month, oldest first; the last (running) month is lighter. Each bar carries its sum."""
    with matplotlib.rc_context(STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        ax.set_title(_word(lang, "invoicing"))
        if not months or not any(m.amount for m in months):
            _empty(ax, _word(lang, "no_invoicing"))
            return _png(fig)
        positions = list(range(len(months)))
        amounts = [float(m.amount) for m in months]
        colours = [BAR_COLOUR] * (len(months) - 1) + [CURRENT_COLOUR]
        ax.bar(positions, amounts, width=0.7, color=colours)
        labels = [
            month_label(m.month, lang, with_year=False)
            + (f"\n{m.month.year}" if i == 0 or m.month.month == 1 else "")
            for i, m in enumerate(months)
        ]
        ax.set_xticks(positions, labels)
        ax.yaxis.set_major_formatter(_money_axis(lang))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
        low, high = min(0.0, *amounts), max(0.0, *amounts)
        span = (high - low) or 1.0
        ax.set_ylim(low * 1.15 if low < 0 else 0, high + span * 0.12)
        for x, m in zip(positions, months, strict=True):
            if m.amount:
                above = m.amount > 0
                y = float(m.amount) + (span * 0.01 if above else -span * 0.01)
                ax.text(
                    x, y, compact(m.amount, lang), ha="center", va="bottom" if above else "top", fontsize=8
                )
        total = sum((m.amount for m in months), Decimal(0))
        ax.set_xlabel(_word(lang, "total").format(amount=money(total, currency, lang)))
        return _png(fig)


@dataclass(frozen=True)
class ChartFile:
    filename: str
    data: bytes
    title: str
    mimetype: str = MIMETYPE

    def save(self, directory: Path | str | None = None) -> Path:
        """Write the file into `directory` (default: the current one) under its own name; its path."""
        path = Path(directory or Path.cwd()) / self.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.data)
        return path.resolve()


async def build_chart(store: Store, actor: Actor, which: str, *, now: datetime | None = None) -> ChartFile:
    """One chart for the actor, over what they may see, in their language: "pipeline" or "invoicing"."""
    now = now or utcnow()
    lang = str(actor.language)
    async with store.reading() as s:
        if which == "pipeline":
            data = pipeline_png(await dashboard.pipeline_by_stage(s, actor), lang)
        elif which == "invoicing":
            data = invoicing_png(await listing.invoicing_by_month(s, actor, now=now), lang)
        else:
            raise InvalidInput(
                f"Unknown chart {which!r}; use {' or '.join(CHARTS)}.", key="chart.unknown", which=which
            )
    day = now.astimezone(actor.tz).date().isoformat()
    return ChartFile(f"{_word(lang, 'file_' + which)}-{day}.png", data, _word(lang, which))
