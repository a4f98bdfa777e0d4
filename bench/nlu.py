"""Language-engine benchmark: accuracy on the held-out split, and parse speed on one core.

    .venv/bin/python -m bench.nlu                  # held-out split (tests/data/nlu/heldout*.jsonl)
    .venv/bin/python -m bench.nlu --split heldout2 # one file of it (the second writers' 340 lines)
    .venv/bin/python -m bench.nlu --split dev      # the split the rules were written against (dev*.jsonl)
    .venv/bin/python -m bench.nlu --repeat 20      # more timing rounds

Accuracy: intent accuracy and exact slot match (every slot, and only those, equal) per language and per
intent, and a confusion table of the intents mixed up. The user's language (the labelled one) is the prior,
as in chat. Speed: every message of the split parsed `--repeat` times in this one process (one core), after
one warm-up round; p50 and p99 of the time per message, and messages per second over the whole run.

Targets (issue #4): per language, intent accuracy >= 95 % and exact slot match >= 90 % on the held-out split;
p50 < 2 ms and >= 1,000 messages/s. Missing one is reported, not an error.
"""

from __future__ import annotations

import argparse
import statistics
import time

from rich.console import Console
from rich.table import Table

from bot.intents.evaluate import evaluate, load_split
from bot.intents.parser import parse

TARGETS = {"intent": 0.95, "slots": 0.90, "p50_ms": 2.0, "per_second": 1000.0}


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument(
        "--split",
        default="heldout",
        help="heldout (every held-out file), dev (every development file), or one file: heldout2, dev4, ...",
    )
    args.add_argument("--repeat", type=int, default=10, help="timing rounds over the split")
    options = args.parse_args()
    console = Console()
    examples = load_split(options.split)
    report = evaluate(examples)

    table = Table(title=f"Accuracy on {options.split} ({len(examples)} messages)")
    for column in ("language", "messages", "intent", "exact slots", "target"):
        table.add_column(column, justify="right")
    for lang in ("en", "nb", "sv"):
        n = sum(1 for e in examples if e.lang == lang)
        intent, slots = report.intent_accuracy(lang), report.slot_accuracy(lang)
        met = intent >= TARGETS["intent"] and slots >= TARGETS["slots"]
        table.add_row(lang, str(n), f"{intent:.1%}", f"{slots:.1%}", "met" if met else "MISSED")
    table.add_row(
        "all", str(len(examples)), f"{report.intent_accuracy():.1%}", f"{report.slot_accuracy():.1%}", ""
    )
    console.print(table)

    per_intent = Table(title="Per intent")
    for column in ("intent", "messages", "intent acc.", "exact slots"):
        per_intent.add_column(column, justify="right")
    for intent, (n, intent_acc, slot_acc) in report.per_intent().items():
        per_intent.add_row(intent, str(n), f"{intent_acc:.0%}", f"{slot_acc:.0%}")
    console.print(per_intent)

    confusion = Table(title="Confusions (labelled -> parsed)")
    for column in ("labelled", "parsed", "count"):
        confusion.add_column(column)
    for (want, got), n in report.confusion().most_common():
        confusion.add_row(want, got, str(n))
    console.print(confusion)

    for ex in examples:  # warm-up: dateparser and the spaCy pipelines load on first use
        parse(ex.text, lang=ex.lang, now=ex.now, tz=ex.tz)
    timings: list[float] = []
    started = time.perf_counter()
    for _ in range(options.repeat):
        for ex in examples:
            t0 = time.perf_counter()
            parse(ex.text, lang=ex.lang, now=ex.now, tz=ex.tz)
            timings.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    timings.sort()
    p50 = statistics.median(timings) * 1000
    p99 = timings[int(len(timings) * 0.99) - 1] * 1000
    per_second = len(timings) / elapsed
    console.print(
        f"Speed (one core, {len(timings)} parses): p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
        f"{per_second:,.0f} messages/s — target p50 < {TARGETS['p50_ms']} ms "
        f"({'met' if p50 < TARGETS['p50_ms'] else 'MISSED'}), >= {TARGETS['per_second']:,.0f}/s "
        f"({'met' if per_second >= TARGETS['per_second'] else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
