"""Synthetic data for the KPI benchmark: a Nordic professional-services firm after years of use.

Full size (scale 1.0): 20 users, 100k customers, 1M activities, 50k sales cases, 20k projects, 200k invoices
and 100k costs. The distributions try to look like a real firm (skewed towards key accounts, history spread
over years, a few owner-only and soft-deleted records, some internal projects); nothing here is shaped to
make the KPI queries fast.

Rows go in through SQLAlchemy Core `insert(Model.__table__)` in chunks, so the column types (Money as
integer minor units, UTCDateTime as naive UTC) apply exactly as they do for the application.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, String, Table, Text, func, insert, select, text, update

from store.db import Store
from store.migrate import MIGRATIONS, alembic_config
from store.models import (
    Activity,
    ActivityKind,
    Base,
    CaseStatus,
    Cost,
    CostKind,
    Counter,
    Customer,
    CustomerKind,
    Industry,
    Invoice,
    InvoiceStatus,
    Language,
    Project,
    ProjectStatus,
    RelationLevel,
    RelationType,
    Role,
    SalesCase,
    SalesStage,
    Source,
    User,
    Visibility,
)
from store.names import name_key

DATA_DIR = Path(__file__).parent / ".data"
CHUNK = 10_000  # rows per executemany and per transaction
OSLO = ZoneInfo("Europe/Oslo")

# The benchmark's own bookkeeping, kept in the generated database so a cached copy describes itself.
_meta = MetaData()
BENCH_META = Table(
    "bench_meta", _meta, Column("key", String(200), primary_key=True), Column("value", Text, nullable=False)
)


@dataclass(frozen=True)
class Sizes:
    users: int
    customers: int
    activities: int
    sales_cases: int
    projects: int
    invoices: int
    costs: int

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        def n(full: int, minimum: int) -> int:
            return max(minimum, round(full * scale))

        return cls(
            users=len(USERS),  # the team does not shrink with the data
            customers=n(100_000, 200),
            activities=n(1_000_000, 1_000),
            sales_cases=n(50_000, 100),
            projects=n(20_000, 50),
            invoices=n(200_000, 200),
            costs=n(100_000, 100),
        )


@dataclass(frozen=True)
class Dataset:
    """What the benchmark needs to know about a generated database."""

    key: str
    scale: float
    seed: int
    now: datetime  # the benchmark's "now": data is generated around it and the services are asked at it
    bench_user_id: int  # a sales user: the visibility rule applies
    admin_user_id: int
    foreign_tz_user_id: int  # a user outside Norway, so period boundaries differ
    sizes: Sizes
    generation_seconds: float
    extras: dict[str, int] = field(default_factory=dict)  # e.g. how many customers the bench user can't see

    def to_json(self) -> str:
        data = asdict(self)
        data["now"] = self.now.isoformat()
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str) -> Dataset:
        data = json.loads(raw)
        data["now"] = datetime.fromisoformat(data["now"])
        data["sizes"] = Sizes(**data["sizes"])
        return cls(**data)


# --- vocabularies ---------------------------------------------------------------------------------------

USERS: list[tuple[str, Role, str, Language]] = [
    ("Ingrid Haugen", Role.ADMIN, "Europe/Oslo", Language.NB),
    ("Lars Nilsen", Role.SALES, "Europe/Oslo", Language.NB),  # the benchmark user
    ("Kari Johansen", Role.SALES, "Europe/Oslo", Language.NB),
    ("Erik Andersson", Role.SALES, "Europe/Stockholm", Language.SV),
    ("Sofia Lindqvist", Role.SALES, "Europe/Stockholm", Language.SV),
    ("Ola Hansen", Role.SALES, "Europe/Oslo", Language.NB),
    ("Mette Larsen", Role.SALES, "Europe/Copenhagen", Language.EN),
    ("Jukka Virtanen", Role.SALES, "Europe/Helsinki", Language.EN),
    ("Nora Berg", Role.SALES, "Europe/Oslo", Language.NB),
    ("Anders Dahl", Role.SALES, "Europe/Oslo", Language.EN),
    ("Sara Eriksson", Role.SALES, "Europe/Stockholm", Language.SV),
    ("Henrik Moe", Role.CONSULTANT, "Europe/Oslo", Language.NB),
    ("Aino Korhonen", Role.CONSULTANT, "Europe/Helsinki", Language.EN),
    ("Magnus Strand", Role.CONSULTANT, "Europe/Oslo", Language.NB),
    ("Emma Nyström", Role.CONSULTANT, "Europe/Stockholm", Language.SV),
    ("Jonas Bakke", Role.CONSULTANT, "Europe/Oslo", Language.NB),
    ("Ida Solberg", Role.CONSULTANT, "Europe/Oslo", Language.NB),
    ("Per Lund", Role.CONSULTANT, "Europe/Oslo", Language.EN),
    ("Silje Foss", Role.READ_ONLY, "Europe/Oslo", Language.NB),
    ("Knut Aas", Role.READ_ONLY, "Europe/Oslo", Language.NB),
]
ADMIN_USER_ID, BENCH_USER_ID, FOREIGN_TZ_USER_ID = 1, 2, 8

INDUSTRIES = [
    ("41.200", "Construction of buildings"),
    ("62.010", "Computer programming"),
    ("62.020", "IT consultancy"),
    ("69.201", "Accounting and bookkeeping"),
    ("69.100", "Legal activities"),
    ("70.220", "Business and management consultancy"),
    ("71.121", "Engineering consultancy"),
    ("71.111", "Architectural activities"),
    ("49.410", "Freight transport by road"),
    ("50.201", "Sea freight transport"),
    ("35.111", "Production of electricity"),
    ("03.211", "Marine aquaculture"),
    ("47.111", "Retail in grocery stores"),
    ("68.209", "Letting of real estate"),
    ("86.211", "General medical practice"),
    ("85.421", "Higher education"),
    ("58.130", "Publishing of newspapers"),
    ("64.190", "Other monetary intermediation"),
]

PREFIXES = (
    "Nord Fjord Fjell Havbris Solvik Berg Lunde Skog Elve Øst Vest Sør Polar Aurora Viking Granitt Kyst "
    "Isbre Lyng Furu Bjørke Stein Midnatt Tinde Blåne Havn Bre Myr Ask Eik Rein Ulv Ørn Laks Sild Måke Lom "
    "Trana Älv Sjö Björk Gran Lind Kivi Järvi Metsä Tuuli Revontuli Hav Strand Dal Vik Holm Ness"
).split()
ROOTS = (
    "bygg data konsult regnskap transport energi media eiendom marin teknikk logistikk design helse invest "
    "handel elektro rør maskin analyse revisjon advokatene arkitekter systemer solutions gruppen partner "
    "service utvikling montasje shipping kraft software kompetanse"
).split()
CITIES = (
    "Bergen Trondheim Stavanger Tromsø Oslo Bodø Drammen Ålesund Göteborg Malmö Uppsala Tampere Turku Aarhus "
    "Odense Kristiansand Haugesund Lillehammer"
).split()
FIRST_NAMES = (
    "Kari Ola Ingrid Lars Nora Erik Sofia Anders Emma Jonas Ida Magnus Sara Henrik Aino Mikko Mette Søren "
    "Astrid Bjørn Liv Håkon Maja Elias Frida Oskar"
).split()
LAST_NAMES = (
    "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Berg Haugen Dahl "
    "Lindqvist Andersson Virtanen Korhonen Nieminen Sørensen Rasmussen Bakke Moe Strand Solberg"
).split()
LEGAL_FORMS = {
    "NO": [("AS", 80), ("ASA", 3), ("ANS", 5), ("ENK", 8), ("DA", 4)],
    "SE": [("AB", 90), ("HB", 10)],
    "FI": [("Oy", 85), ("Oyj", 5), ("Ky", 10)],
    "DK": [("ApS", 60), ("A/S", 35), ("I/S", 5)],
}
TLDS = {"NO": "no", "SE": "se", "FI": "fi", "DK": "dk"}
DOMAIN_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o"})
DEAL_NAMES = (
    "Rammeavtale|Systemintegrasjon|Rådgivning|Prosjektledelse|Skymigrering|Revisjon|Lisensfornyelse|"
    "Opplæring|Forstudie|Drift og forvaltning|Sikkerhetsgjennomgang|Datavarehus|Nettbutikk|Konsulentbistand|"
    "Ramavtal|Verksamhetsanalys|Tietoturva-auditointi|Rekruttering|Merkevarebygging|Energirådgivning"
).split("|")
ACTIVITY_SUBJECTS = {
    ActivityKind.TASK: [
        "Send tilbud",
        "Følg opp tilbud",
        "Ring tilbake",
        "Oppdater kontrakt",
        "Send faktura",
    ],
    ActivityKind.MEETING: ["Statusmøte", "Workshop", "Kick-off", "Lunsjmøte", "Presentasjon", "Demo"],
    ActivityKind.CALL: ["Oppfølging", "Innledende samtale", "Avklaring", "Referansesjekk"],
    ActivityKind.EMAIL: ["Re: Tilbud", "Fwd: Kontrakt", "Re: Møtereferat", "SV: Förfrågan", "Re: Faktura"],
    ActivityKind.NOTE: [
        "Notat fra møte",
        "Kunden vurderer konkurrent",
        "Budsjett for neste år",
        "Ny kontakt",
    ],
}
# Mixes, as (value, weight).
CUSTOMER_KINDS = [
    (CustomerKind.CUSTOMER, 55),
    (CustomerKind.PROSPECT, 20),
    (CustomerKind.PARTNER, 8),
    (CustomerKind.SUPPLIER, 8),
    (CustomerKind.PRIVATE, 9),
]
COUNTRIES = [("NO", 60), ("SE", 22), ("FI", 10), ("DK", 8)]
RELATION_LEVELS = [(RelationLevel.A, 5), (RelationLevel.B, 20), (RelationLevel.C, 40), (None, 35)]
RELATION_TYPES = [
    (RelationType.CUSTOMER, 50),
    (RelationType.POTENTIAL_CUSTOMER, 20),
    (RelationType.PARTNER, 8),
    (RelationType.SUPPLIER, 7),
    (None, 15),
]
# A third of all cases are still open, the rest split between won and lost.
STAGE_MIX = [("lead", 12), ("qualified", 8), ("proposal", 8), ("negotiation", 5), ("won", 32), ("lost", 35)]
ACTIVITY_KINDS = [
    (ActivityKind.TASK, 22),
    (ActivityKind.MEETING, 12),
    (ActivityKind.CALL, 26),
    (ActivityKind.EMAIL, 28),
    (ActivityKind.NOTE, 12),
]
LEAD_SOURCES = ["website", "referral", "event", "cold call", "partner", "existing customer", None]
DEPARTMENTS = ["Consulting", "Technology", "Advisory", "Finance", "Operations"]


def _weighted(rng: random.Random, choices: list[tuple[Any, int]]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _money(minor: int) -> Decimal:
    """Money columns take major units; the column type turns them into integer minor units."""
    return Decimal(minor).scaleb(-2)


def _chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


# --- organisation numbers (valid checksums, so the data passes the same validation as real input) -----


def _no_orgnr(rng: random.Random) -> str | None:
    digits = [rng.choice((8, 9))] + [rng.randrange(10) for _ in range(7)]
    check = 11 - sum(d * w for d, w in zip(digits, (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
    if check == 10:
        return None  # no valid check digit for this stem
    return "".join(map(str, digits)) + str(check % 11)


def _luhn_check_digit(digits: list[int]) -> int:
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def _se_orgnr(rng: random.Random) -> str | None:
    digits = [5, 5, rng.randrange(6, 10)] + [rng.randrange(10) for _ in range(6)]
    return "".join(map(str, digits)) + str(_luhn_check_digit(digits))


def _fi_ytunnus(rng: random.Random) -> str | None:
    digits = [rng.randrange(10) for _ in range(7)]
    rest = sum(d * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    if rest == 1:
        return None
    return "".join(map(str, digits)) + "-" + str(0 if rest == 0 else 11 - rest)


def _dk_cvr(rng: random.Random) -> str | None:
    digits = [rng.randrange(1, 10)] + [rng.randrange(10) for _ in range(6)]
    last = (-sum(d * w for d, w in zip(digits, (2, 7, 6, 5, 4, 3, 2), strict=True))) % 11
    if last == 10:
        return None
    return "".join(map(str, digits)) + str(last)


ORG_NUMBER_MAKERS = {"NO": _no_orgnr, "SE": _se_orgnr, "FI": _fi_ytunnus, "DK": _dk_cvr}


# --- the generator ------------------------------------------------------------------------------------


class Generator:
    """Rows for each table, in foreign-key order; remembers what later tables need to refer to."""

    def __init__(
        self, sizes: Sizes, seed: int, now: datetime, stages: dict[str, tuple[int, int, str]]
    ) -> None:
        self.sizes, self.now, self.stages = sizes, now, stages
        self.rng = random.Random(seed)
        self.today = now.astimezone(OSLO).date()
        self.user_tz = {i: ZoneInfo(tz) for i, (_, _, tz, _) in enumerate(USERS, start=1)}
        roles = {i: role for i, (_, role, _, _) in enumerate(USERS, start=1)}
        self.sales_ids = [i for i, r in roles.items() if r is Role.SALES]
        self.consultant_ids = [i for i, r in roles.items() if r is Role.CONSULTANT]
        self.working_ids = [ADMIN_USER_ID, *self.sales_ids, *self.consultant_ids]
        # Filled in as tables are generated.
        self.customer_owner: list[int] = [0]  # index = customer id
        self.hidden_from_bench: list[int] = []
        self.key_accounts: list[int] = []
        self.prospects: list[int] = []
        self.case_customer: list[int] = [0]
        self.won_customers: list[int] = []
        self.project_customer: list[int] = [0]
        self.internal_projects = 0

    # Small helpers -------------------------------------------------------------------------------------

    def _stamp(self, day: date, tz: ZoneInfo = OSLO) -> datetime:
        """A moment during the working day `day`, in the user's time zone."""
        minutes = self.rng.randrange(7 * 60, 18 * 60)
        return datetime.combine(day, clock(minutes // 60, minutes % 60, self.rng.randrange(60)), tz)

    def _day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def _record(self, row_id: int, created: datetime, by: int | None) -> dict[str, Any]:
        updated = min(self.now, created + timedelta(days=self.rng.choice((0, 0, 1, 7, 30))))
        return {"id": row_id, "created_at": created, "updated_at": updated, "created_by_id": by}

    def _any_customer(self) -> int:
        return self.rng.randrange(1, self.sizes.customers + 1)

    def _active_customer(self) -> int:
        """Business concentrates on key accounts; the long tail gets the rest."""
        if self.key_accounts and self.rng.random() < 0.35:
            return self.rng.choice(self.key_accounts)
        return self._any_customer()

    # Tables ----------------------------------------------------------------------------------------------

    def users(self) -> Iterator[dict[str, Any]]:
        start = self.now - timedelta(days=8 * 365)
        for i, (name, role, tz, lang) in enumerate(USERS, start=1):
            slug = name.lower().translate(DOMAIN_LETTERS).replace(" ", ".")
            yield {
                **self._record(i, start + timedelta(days=30 * i), None),
                "name": name,
                "email": f"{slug}@kundebot-bench.example",
                "slack_user_id": f"U{1000 + i:08d}",
                "time_zone": tz,
                "language": lang,
                "role": role,
                "digest_time": clock(7, 30),
                "digest_channels": ["slack"],
                "active": True,
            }

    def industries(self) -> Iterator[dict[str, Any]]:
        for i, (code, name) in enumerate(INDUSTRIES, start=1):
            yield {"id": i, "code": code, "name": name}

    def _company_name(self, country: str) -> str:
        rng = self.rng
        core = rng.choice(PREFIXES) + rng.choice(ROOTS)
        pattern = rng.random()
        if pattern < 0.25:
            core = f"{core} {rng.choice(CITIES)}"
        elif pattern < 0.35:
            core = f"{rng.choice(CITIES)} {rng.choice(ROOTS).capitalize()}"
        return f"{core} {_weighted(rng, LEGAL_FORMS[country])}"

    def _owner(self) -> int:
        roll = self.rng.random()
        if roll < 0.8:
            return self.rng.choice(self.sales_ids)
        return ADMIN_USER_ID if roll < 0.85 else self.rng.choice(self.consultant_ids)

    def customers(self) -> Iterator[dict[str, Any]]:
        used_org: set[tuple[str, str]] = set()
        for cid in range(1, self.sizes.customers + 1):
            row = self._customer(cid, used_org)
            self.customer_owner.append(row["owner_id"])
            if row["deleted_at"] or (
                row["visibility"] is Visibility.OWNER and row["owner_id"] != BENCH_USER_ID
            ):
                self.hidden_from_bench.append(cid)
            if row["relation_level"] is RelationLevel.A:
                self.key_accounts.append(cid)
            if row["kind"] is CustomerKind.PROSPECT:
                self.prospects.append(cid)
            yield row

    def _customer(self, cid: int, used_org: set[tuple[str, str]]) -> dict[str, Any]:
        rng, history = self.rng, timedelta(days=8 * 365)
        kind: CustomerKind = _weighted(rng, CUSTOMER_KINDS)
        country: str = _weighted(rng, COUNTRIES)
        owner = self._owner()
        # Customers were registered steadily over the years: ids follow creation time.
        created = self.now - history + history * ((cid - rng.random()) / self.sizes.customers)
        first_name, org = None, None
        if kind is CustomerKind.PRIVATE:
            first_name = rng.choice(FIRST_NAMES)
            name = f"{first_name} {rng.choice(LAST_NAMES)}"
        else:
            name = self._company_name(country)
            org = self._org_number(country, used_org) if rng.random() < 0.85 else None
        key = name_key(name)
        domain = re.sub(r"[^a-z0-9]", "", key.translate(DOMAIN_LETTERS))
        website = f"https://www.{domain}.{TLDS[country]}" if org else None
        return {
            **self._record(cid, created, owner),
            "deleted_at": created + (self.now - created) * rng.random() if rng.random() < 0.003 else None,
            "customer_number": 10_000 + cid,
            "name": name,
            "first_name": first_name,
            "name_key": key,
            "org_number": org,
            "org_country": country if org else None,
            "kind": kind,
            "owner_id": owner,
            "visibility": Visibility.OWNER if rng.random() < 0.03 else Visibility.EVERYONE,
            "industry_id": rng.randrange(1, len(INDUSTRIES) + 1) if rng.random() < 0.7 else None,
            "employees": int(rng.lognormvariate(2.5, 1.3)) + 1 if org else None,
            "revenue": _money(int(rng.lognormvariate(16.5, 1.5)) * 100_000) if org else None,
            "website": website if rng.random() < 0.7 else None,
            "vat_number": None,
            "rating": rng.randrange(1, 6) if rng.random() < 0.3 else None,
            "description": None,
            "active": rng.random() > 0.05,
            "payment_terms_days": rng.choice((None, 10, 14, 14, 30, 30, 45)),
            "invoice_template": None,
            "price_list": None,
            "e_invoice_address": None,
            "relation_level": _weighted(rng, RELATION_LEVELS),
            "relation_type": _weighted(rng, RELATION_TYPES),
            "merged_into_id": None,
            "version": 1,
        }

    def _org_number(self, country: str, used: set[tuple[str, str]]) -> str:
        while True:
            number = ORG_NUMBER_MAKERS[country](self.rng)
            if number and (country, number) not in used:
                used.add((country, number))
                return number

    def _case_customer(self) -> int:
        if self.prospects and self.rng.random() < 0.25:
            return self.rng.choice(self.prospects)
        return self._active_customer()

    def _case_dates(self, outcome: str) -> tuple[date, date, date | None]:
        """(created, expected order date, closed date): open cases expect an order within a year either
        way (overdue ones included); closed ones were closed within the last two years."""
        rng, today = self.rng, self.today
        if outcome == CaseStatus.OPEN:
            created = self._day_between(today - timedelta(days=365), today)
            expected = today + timedelta(days=rng.randint(-365, 365))
            if expected < created:
                expected = created + timedelta(days=rng.randint(14, 120))
            return created, expected, None
        closed = self._day_between(today - timedelta(days=730), today)
        return (
            closed - timedelta(days=rng.randint(7, 200)),
            closed + timedelta(days=rng.randint(-60, 30)),
            closed,
        )

    def sales_cases(self) -> Iterator[dict[str, Any]]:
        rng = self.rng
        for case_id in range(1, self.sizes.sales_cases + 1):
            customer = self._case_customer()
            stage_id, probability, outcome = self.stages[_weighted(rng, STAGE_MIX)]
            created_day, expected, closed = self._case_dates(outcome)
            if outcome == CaseStatus.OPEN:
                probability = min(95, max(5, probability + rng.choice((-10, -5, 0, 0, 0, 5, 10))))
            elif outcome == CaseStatus.WON:
                self.won_customers.append(customer)
            seller = rng.choice(self.sales_ids) if rng.random() < 0.85 else rng.choice(self.working_ids)
            self.case_customer.append(customer)
            # Deal sizes are log-normal: many small ones, a few large frame agreements.
            value_nok = min(20_000_000, max(5_000, round(rng.lognormvariate(11.9, 1.0), -3)))
            deleted = self.now - timedelta(days=rng.randint(0, 300)) if rng.random() < 0.005 else None
            yield {
                **self._record(case_id, self._stamp(created_day, self.user_tz[seller]), seller),
                "deleted_at": deleted,
                "customer_id": customer,
                "name": f"{rng.choice(DEAL_NAMES)} {expected.year}",
                "seller_id": seller,
                "value": _money(int(value_nok) * 100),
                "currency": "NOK",
                "probability": probability,
                "stage_id": stage_id,
                "expected_order_date": expected,
                "lead_source": rng.choice(LEAD_SOURCES),
                "department": rng.choice(DEPARTMENTS),
                "status": CaseStatus(outcome),
                "closed_date": closed,
                "version": 1,
            }

    def _project_customer(self) -> int:
        roll = self.rng.random()
        if self.won_customers and roll < 0.5:
            return self.rng.choice(self.won_customers)
        return self._active_customer()

    def projects(self) -> Iterator[dict[str, Any]]:
        rng, today = self.rng, self.today
        for pid in range(1, self.sizes.projects + 1):
            customer = self._project_customer()
            internal = rng.random() < 0.05
            self.internal_projects += internal
            started = self._day_between(today - timedelta(days=3 * 365), today)
            # Recent projects are more likely to be still running.
            still_open = rng.random() < (0.85 if (today - started).days < 180 else 0.2)
            manager = rng.choice(self.consultant_ids + self.sales_ids[:3])
            self.project_customer.append(customer)
            yield {
                **self._record(pid, self._stamp(started), manager),
                "customer_id": customer,
                "name": ("Intern: " if internal else "") + f"{rng.choice(DEAL_NAMES)} {started.year}",
                "manager_id": manager,
                "status": ProjectStatus.OPEN if still_open else ProjectStatus.CLOSED,
                "internal": internal,
            }

    def _invoice_status(self, age_days: int) -> InvoiceStatus:
        if age_days < 14:
            weights = [(InvoiceStatus.DRAFT, 30), (InvoiceStatus.SENT, 60), (InvoiceStatus.PAID, 10)]
        elif age_days < 60:
            weights = [(InvoiceStatus.SENT, 40), (InvoiceStatus.PAID, 58), (InvoiceStatus.CREDITED, 2)]
        else:
            weights = [
                (InvoiceStatus.DRAFT, 1),
                (InvoiceStatus.SENT, 1),
                (InvoiceStatus.PAID, 94),
                (InvoiceStatus.CREDITED, 4),
            ]
        return _weighted(self.rng, weights)

    def invoices(self) -> Iterator[dict[str, Any]]:
        rng, today = self.rng, self.today
        first = today - timedelta(days=730)
        # Invoice numbers are given in date order when an invoice is sent, so generate the dates first.
        days = sorted(self._day_between(first, today) for _ in range(self.sizes.invoices))
        number = 100_000
        for iid, day in enumerate(days, start=1):
            project = rng.randrange(1, self.sizes.projects + 1) if rng.random() < 0.9 else None
            customer = self.project_customer[project] if project else self._active_customer()
            status = self._invoice_status((today - day).days)
            if status is not InvoiceStatus.DRAFT:
                number += 1
            amount = max(500_00, int(rng.lognormvariate(10.4, 1.1) * 100))
            yield {
                **self._record(iid, self._stamp(day), rng.choice(self.working_ids)),
                "project_id": project,
                "customer_id": customer,
                "number": None if status is InvoiceStatus.DRAFT else str(number),
                "invoice_date": day,
                "status": status,
                "amount": _money(amount),
            }

    def costs(self) -> Iterator[dict[str, Any]]:
        rng, today = self.rng, self.today
        first = today - timedelta(days=730)
        for cost_id in range(1, self.sizes.costs + 1):
            day = self._day_between(first, today)
            kind = CostKind.LABOUR if rng.random() < 0.7 else CostKind.EXPENSE
            if kind is CostKind.LABOUR:
                minor = rng.randint(1, 40) * rng.choice((750, 950, 1150, 1400)) * 100 // 2
            else:
                minor = int(rng.lognormvariate(8.0, 1.2) * 100)
            yield {
                **self._record(cost_id, self._stamp(day), rng.choice(self.consultant_ids)),
                "project_id": rng.randrange(1, self.sizes.projects + 1),
                "cost_date": day,
                "amount": _money(minor),
                "kind": kind,
            }

    # Activities ------------------------------------------------------------------------------------------

    def _activity_links(self) -> tuple[int | None, int | None, int | None]:
        """(customer, sales case, project): most activities are on a customer, some on a case or project."""
        roll = self.rng.random()
        if roll < 0.15:
            case = self.rng.randrange(1, self.sizes.sales_cases + 1)
            return self.case_customer[case], case, None
        if roll < 0.25:
            project = self.rng.randrange(1, self.sizes.projects + 1)
            return self.project_customer[project], None, project
        if roll < 0.93:
            return self._active_customer(), None, None
        return None, None, None

    def _activity_day(self, kind: ActivityKind) -> date:
        """Three years of history; tasks and meetings are also planned up to three months ahead."""
        ahead = 90 if kind in (ActivityKind.TASK, ActivityKind.MEETING) else 0
        day = self.today + timedelta(days=self.rng.randint(-3 * 365, ahead))
        if day.weekday() >= 5:  # very little happens at weekends: move it to the Friday before
            day -= timedelta(days=day.weekday() - 4)
        return day

    def _activity(self, aid: int) -> dict[str, Any]:
        rng = self.rng
        kind: ActivityKind = _weighted(rng, ACTIVITY_KINDS)
        owner = rng.choice(self.working_ids)
        customer, case, project = self._activity_links()
        day = self._activity_day(kind)
        at = self._stamp(day, self.user_tz[owner])
        row: dict[str, Any] = {
            **self._record(aid, min(at, self.now) - timedelta(days=rng.choice((0, 0, 1, 3, 14))), owner),
            "deleted_at": None if rng.random() > 0.005 else self.now,
            "kind": kind,
            "subject": rng.choice(ACTIVITY_SUBJECTS[kind]),
            "body": None,
            "start_at": None,
            "end_at": None,
            "due_date": None,
            "done": day < self.today,
            "cancelled": False,
            "customer_id": customer,
            "sales_case_id": case,
            "project_id": project,
            "owner_id": owner,
            "assignee_id": None,
            "source": Source.CONSOLE,
            "external_id": None,
        }
        self._activity_details(row, kind, at, aid)
        return row

    def _activity_details(self, row: dict[str, Any], kind: ActivityKind, at: datetime, aid: int) -> None:
        rng = self.rng
        if kind is ActivityKind.TASK:
            row["due_date"], row["start_at"] = at.date(), None
            row["assignee_id"] = row["owner_id"] if rng.random() < 0.7 else rng.choice(self.working_ids)
            row["done"] = row["done"] and rng.random() < 0.92
            row["source"] = rng.choice((Source.SLACK, Source.CONSOLE))
        elif kind is ActivityKind.MEETING:
            row["start_at"] = at
            row["end_at"] = at + timedelta(minutes=rng.choice((30, 45, 60, 60, 90, 120)))
            row["cancelled"] = rng.random() < 0.03
            if rng.random() < 0.2:
                row["assignee_id"] = rng.choice(self.working_ids)
            if rng.random() < 0.6:
                row["source"], row["external_id"] = Source.CALENDAR, f"{aid:x}@calendar.example"
        elif kind is ActivityKind.EMAIL:
            row["start_at"], row["done"] = at, True
            row["source"], row["external_id"] = (
                Source.EMAIL,
                f"<{aid:x}.{rng.getrandbits(32):x}@mail.example>",
            )
        else:  # calls and notes
            row["start_at"] = at if kind is ActivityKind.CALL else None
            row["done"] = True
            if rng.random() < 0.4:
                row["source"], row["external_id"] = Source.SLACK, f"{1_600_000_000 + aid}.{aid % 1000:06d}"

    def _customer_seen_by_bench_user(self) -> int:
        hidden = set(self.hidden_from_bench)
        while (customer := self._active_customer()) in hidden:
            pass
        return customer

    def _todays_meetings_for_bench_user(self, first_id: int) -> list[dict[str, Any]]:
        """A handful of meetings around today for the benchmark user, covering every rule of the query:
        own and assigned, cancelled, on a customer the user can't see, and both sides of local midnight."""
        tz, today = self.user_tz[BENCH_USER_ID], self.today
        hidden = self.hidden_from_bench[0] if self.hidden_from_bench else None
        seen = self._customer_seen_by_bench_user
        plan = [
            (today, clock(9, 0), BENCH_USER_ID, None, False, seen()),
            (today, clock(11, 30), BENCH_USER_ID, None, True, seen()),  # cancelled
            (today, clock(13, 0), BENCH_USER_ID, None, False, hidden),  # invisible to the user
            (today, clock(15, 0), self.sales_ids[1], BENCH_USER_ID, False, seen()),
            (today, clock(0, 15), BENCH_USER_ID, None, False, None),  # just after local midnight
            (today - timedelta(days=1), clock(23, 45), BENCH_USER_ID, None, False, None),  # yesterday
        ]
        rows = []
        for offset, (day, at, owner, assignee, cancelled, customer) in enumerate(plan):
            start = datetime.combine(day, at, tz)
            row = self._activity(first_id + offset)
            row.update(
                kind=ActivityKind.MEETING,
                subject="Kundemøte",
                start_at=start,
                end_at=start + timedelta(hours=1),
                due_date=None,
                owner_id=owner,
                assignee_id=assignee,
                cancelled=cancelled,
                deleted_at=None,
                customer_id=customer,
                source=Source.CONSOLE,
                external_id=None,
                created_at=self.now - timedelta(days=2),
                updated_at=self.now - timedelta(days=2),
            )
            rows.append(row)
        return rows

    def activities(self) -> Iterator[dict[str, Any]]:
        extra = self._todays_meetings_for_bench_user(0)
        regular = self.sizes.activities - len(extra)
        for aid in range(1, regular + 1):
            yield self._activity(aid)
        for offset, row in enumerate(extra):
            row["id"] = regular + 1 + offset
            yield row


# --- loading -----------------------------------------------------------------------------------------


def alembic_head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return head or "base"


def cache_key(scale: float, seed: int) -> str:
    """Scale, seed, schema revision, and a digest of this generator and the migrations: any change to what
    the data would look like gives a new key."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    return f"s{scale:g}-seed{seed}-{alembic_head()}-{digest.hexdigest()[:10]}"


def sqlite_path(key: str) -> Path:
    return DATA_DIR / f"kpi-{key}.db"


async def _insert(store: Store, model: type[Base], rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for chunk in _chunks(rows):
        async with store.transaction() as session:
            await session.execute(insert(cast(Table, model.__table__)), chunk)
        count += len(chunk)
    return count


async def _stages(store: Store) -> dict[str, tuple[int, int, str]]:
    async with store.reading() as session:
        rows = await session.execute(
            select(SalesStage.name, SalesStage.id, SalesStage.probability, SalesStage.outcome)
        )
        return {r.name: (r.id, r.probability, str(r.outcome)) for r in rows}


async def _finish(store: Store) -> None:
    """Advance the sequences past the explicit ids (PostgreSQL) and the customer-number counter."""
    async with store.transaction() as session:
        last = (await session.execute(select(func.max(Customer.customer_number)))).scalar_one()
        await session.execute(update(Counter).where(Counter.name == "customer_number").values(value=last))
        if not store.is_sqlite:
            for model in (User, Industry, Customer, SalesCase, Project, Invoice, Cost, Activity):
                name = model.__tablename__
                await session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
                    )
                )


async def analyze(store: Store) -> None:
    """Fresh planner statistics, as a database in steady use would have (autovacuum, PRAGMA optimize)."""
    if store.is_sqlite:
        async with store.engine.connect() as conn:
            await conn.exec_driver_sql("ANALYZE")
            await conn.commit()
        return
    async with store.engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await auto.exec_driver_sql("VACUUM (ANALYZE)")


async def read_dataset(store: Store) -> Dataset | None:
    """The dataset description stored in the database, if the benchmark generated it."""
    async with store.engine.connect() as conn:
        has_meta = await conn.run_sync(lambda c: c.dialect.has_table(c, BENCH_META.name))
        if not has_meta:
            return None
        raw = (await conn.execute(select(BENCH_META.c.value).where(BENCH_META.c.key == "dataset"))).scalar()
    return Dataset.from_json(raw) if raw else None


async def is_empty(store: Store) -> bool:
    async with store.reading() as session:
        return (await session.execute(select(func.count(User.id)))).scalar_one() == 0


def benchmark_now(today: date | None = None) -> datetime:
    """Mid-morning in Oslo on the day of generation: the benchmark's fixed "now"."""
    day = today or datetime.now(OSLO).date()
    return datetime.combine(day, clock(10, 0), OSLO).astimezone(UTC)


async def generate(store: Store, *, scale: float, seed: int, log: Any = print) -> Dataset:
    """Migrate `store` (which must be empty), fill it, analyse it, and record what was generated."""
    started = time.perf_counter()
    await store.upgrade()
    if not await is_empty(store):
        raise RuntimeError("the database is not empty; the benchmark only fills an empty database")
    sizes, now = Sizes.scaled(scale), benchmark_now()
    gen = Generator(sizes, seed, now, await _stages(store))
    steps: list[tuple[type[Base], Iterable[dict[str, Any]]]] = [
        (User, gen.users()),
        (Industry, gen.industries()),
        (Customer, gen.customers()),
        (SalesCase, gen.sales_cases()),
        (Project, gen.projects()),
        (Invoice, gen.invoices()),
        (Cost, gen.costs()),
        (Activity, gen.activities()),
    ]
    for model, rows in steps:
        t0 = time.perf_counter()
        count = await _insert(store, model, rows)
        log(f"  {model.__tablename__:<12} {count:>9,} rows in {time.perf_counter() - t0:6.1f} s")
    await _finish(store)
    await analyze(store)
    dataset = Dataset(
        key=cache_key(scale, seed),
        scale=scale,
        seed=seed,
        now=now,
        bench_user_id=BENCH_USER_ID,
        admin_user_id=ADMIN_USER_ID,
        foreign_tz_user_id=FOREIGN_TZ_USER_ID,
        sizes=sizes,
        generation_seconds=round(time.perf_counter() - started, 1),
        extras={
            "customers_hidden_from_bench_user": len(gen.hidden_from_bench),
            "internal_projects": gen.internal_projects,
        },
    )
    async with store.engine.begin() as conn:
        await conn.run_sync(_meta.create_all)
        await conn.execute(insert(BENCH_META), [{"key": "dataset", "value": dataset.to_json()}])
    return dataset
