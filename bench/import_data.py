"""Synthetic customer CSV files for the import benchmark (`bench/importing.py`), as Nordic Excel writes them:
windows-1252, `;`, CRLF, Norwegian headers, a few quoted comments with line breaks.

    write_files(directory, rows, existing, bad, seed) -> Files

writes three files (and returns their paths and what the benchmark should expect):

- `existing`: customers already in the CRM before the benchmark (imported first, untimed);
- `main`: `rows` customers: about 70 % with a Norwegian and 10 % with a Swedish organisation number (valid
  check digits, unique), the rest without one (private customers, firms abroad); names, websites, employee
  counts, customer types and a head-office address; and `bad` rejected rows spread through the file, one of
  each kind in turn: an invalid organisation number, an organisation number that an earlier row has, an empty
  name, an unknown customer number, an unknown customer type;
- `updates`: every `main` row with an organisation number again, with a new website and employee count, so
  importing it updates each of those customers (found by organisation number).

Names are two made-up words and a trade ("Kavelundo Tromsi Regnskap AS"), never the same name twice; like
real names, a few come out close enough to an earlier one for the duplicate check (one word shared and the
other much alike), and the import rejects those too. `bad_lines` says which lines are bad and why, so the
benchmark can tell the two apart. Everything is a function of the seed; the counts are kept beside the files.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

from store.names import name_key

GENERATOR_VERSION = 2  # part of the cached files' names: bump when the output for a seed changes
HEADER = [
    "Kundenummer",
    "Navn",
    "Org.nr",
    "Land",
    "Kundetype",
    "Nettside",
    "Ansatte",
    "Adresse",
    "Postnummer",
    "Poststed",
    "Kommentar",
]
UPDATE_HEADER = ["Org.nr", "Nettside", "Ansatte"]

_ONSETS = "b d f g h j k l m n p r s t v br fl gr kr sk st str tr".split()
_VOWELS = "a e i o u y æ ø å".split()
_CODAS = ["", "", "n", "r", "l", "s", "nd", "rk", "st", "ng"]
_TRADES = (
    "Regnskap Rådgivning Bygg Eiendom Transport Consulting Elektro Rør Maskin Data Design Arkitekter Advokat "
    "Revisjon Marin Fisk Handel Import Eksport Media Reklame Helse Tannhelse Utvikling Energi Solkraft Logistikk "
    "Verksted Snekkeri Maling Trafikkskole Catering Invest Holding Systemer Teknikk Montasje Anlegg Renhold "
    "Vakt Sikkerhet Byrå Kompetanse Opplæring Studio Foto Lyd Event Reiser Bilsenter Dekk Landbruk Skog"
).split()
_CITIES = [
    ("0150", "Oslo"),
    ("5003", "Bergen"),
    ("7010", "Trondheim"),
    ("4006", "Stavanger"),
    ("9008", "Tromsø"),
    ("3015", "Drammen"),
    ("4610", "Kristiansand"),
    ("1530", "Moss"),
    ("2317", "Hamar"),
    ("6004", "Ålesund"),
]
_STREETS = (
    "Storgata Kirkegata Strandgata Industriveien Sjøgata Parkveien Torggata Havnegata Fjordveien".split()
)
_KINDS = ["Kunde"] * 14 + ["Prospekt"] * 4 + ["Leverandør", "Partner"]
_WEIGHTS_NO = (3, 2, 7, 6, 5, 4, 3, 2)


BAD_KINDS = (
    "invalid organisation number",  # a wrong check digit
    "organisation number",  # ... is also on line N
    "missing name",
    "no customer #",  # an unknown customer number
    "unknown customer type",
)


@dataclass(frozen=True)
class Counts:
    existing: int  # rows of `existing`
    rows: int  # rows of `main`
    bad: int  # of them made to be rejected
    with_org: int  # good rows of `main` with an organisation number (= rows of `updates`)
    bad_lines: dict[int, str]  # line of `main` -> how the reason starts (BAD_KINDS)


@dataclass(frozen=True)
class Files:
    existing: Path
    main: Path
    updates: Path
    counts: Counts


def _word(rng: random.Random, syllables: int) -> str:
    parts = [rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)]
    return "".join(parts).capitalize()


def _no_orgnr(rng: random.Random) -> str:
    while True:
        digits = [rng.choice((8, 9))] + [rng.randrange(10) for _ in range(7)]
        check = 11 - sum(d * w for d, w in zip(digits, _WEIGHTS_NO, strict=True)) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check % 11)


def _luhn(digits: list[int]) -> int:
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def _se_orgnr(rng: random.Random) -> str:
    digits = [5, 5, rng.randrange(6, 10)] + [rng.randrange(10) for _ in range(6)]
    return "".join(map(str, digits)) + str(_luhn(digits))


def _formatted_no(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}"


class _Names:
    """Made-up names, each once."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.keys: set[str] = set()

    def new(self, legal: str) -> str:
        while True:
            words = f"{_word(self.rng, self.rng.choice((2, 3)))} {_word(self.rng, 2)}"
            name = f"{words} {self.rng.choice(_TRADES)}"
            key = name_key(name)
            if key not in self.keys:
                self.keys.add(key)
                return f"{name} {legal}".strip()


def _customer(rng: random.Random, names: _Names, orgs: set[str]) -> tuple[list[str], str | None]:
    """One good row, and its organisation number (as written) or None."""
    roll = rng.random()
    org: str | None = None
    if roll < 0.8:
        make, country, legal = (_no_orgnr, "NO", "AS") if roll < 0.7 else (_se_orgnr, "SE", "AB")
        number = make(rng)
        while number in orgs:
            number = make(rng)
        orgs.add(number)
        org = _formatted_no(number) if country == "NO" else f"{number[:6]}-{number[6:]}"
    else:
        country, legal = rng.choice((("NO", ""), ("NO", ""), ("DK", "ApS"), ("DE", "GmbH")))
    name = names.new(legal)
    postcode, city = rng.choice(_CITIES)
    slug = name_key(name).replace(" ", "")
    website = f"www.{slug}.{country.lower()}" if rng.random() < 0.4 else ""
    employees = str(rng.choice((1, 2, 3, 5, 8, 12, 20, 45, 120, 1250))) if rng.random() < 0.6 else ""
    comment = ""
    if rng.random() < 0.05:
        comment = f'Kontaktet på messe\n"{rng.choice(_TRADES)}", ring tilbake'
    street = f"{rng.choice(_STREETS)} {rng.randint(1, 120)}"
    row = [
        "",
        name,
        org or "",
        country,
        rng.choice(_KINDS),
        website,
        employees,
        street,
        postcode,
        city,
        comment,
    ]
    return row, org


def _bad(i: int, rng: random.Random, names: _Names, orgs: set[str], earlier_org: str | None) -> list[str]:
    row, _ = _customer(rng, names, orgs)
    match i % len(BAD_KINDS):
        case 0:
            row[2], row[3] = "923 609 017", "NO"  # check digit wrong
        case 1:
            row[2], row[3] = earlier_org or "923 609 016", "NO"  # an earlier row's
        case 2:
            row[1] = ""
        case 3:
            row[0] = "9999999"
        case _:
            row[4] = "Venn"
    return row


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(text.getvalue().encode("cp1252"))
    partial.replace(path)


def write_files(directory: Path, rows: int, existing: int, bad: int, seed: int = 11) -> Files:
    """The three files under `directory`: written once, then reused with the counts kept beside them."""
    stem = f"customers-{rows}-{existing}-{bad}-seed{seed}-g{GENERATOR_VERSION}"
    paths = [directory / f"{stem}-{part}.csv" for part in ("existing", "main", "updates")]
    meta = directory / f"{stem}.json"
    if meta.exists() and all(p.exists() for p in paths):
        saved = json.loads(meta.read_text())
        saved["bad_lines"] = {int(k): v for k, v in saved["bad_lines"].items()}
        return Files(paths[0], paths[1], paths[2], Counts(**saved))
    rng = random.Random(seed)
    names = _Names(rng)
    orgs: set[str] = set()
    old = [_customer(rng, names, orgs)[0] for _ in range(existing)]
    main: list[list[str]] = []
    updates: list[list[str]] = []
    every = rows // bad if bad else rows + 1
    last_org: str | None = None
    made_bad = 0
    bad_lines: dict[int, str] = {}
    line = 2  # the header is line 1; a comment with a line break takes two
    for i in range(rows):
        if bad and i % every == every // 2 and made_bad < bad:
            main.append(_bad(made_bad, rng, names, orgs, last_org))
            bad_lines[line] = BAD_KINDS[made_bad % len(BAD_KINDS)]
            line += 1 + main[-1][-1].count("\n")
            made_bad += 1
            continue
        row, org = _customer(rng, names, orgs)
        main.append(row)
        line += 1 + row[-1].count("\n")
        if org:
            last_org = org
            updates.append([org, f"www.ny-{rng.randrange(10**9)}.no", str(rng.randint(1, 500))])
    directory.mkdir(parents=True, exist_ok=True)
    _write(paths[0], HEADER, old)
    _write(paths[1], HEADER, main)
    _write(paths[2], UPDATE_HEADER, updates)
    counts = Counts(existing, rows, made_bad, len(updates), bad_lines)
    meta.write_text(json.dumps(asdict(counts)))
    return Files(paths[0], paths[1], paths[2], counts)
