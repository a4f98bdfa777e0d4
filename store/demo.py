"""Demo data behind `kundebot demo-data`: a Norwegian consultancy and its customers across the Nordics.

`seed_demo()` fills an EMPTY store with users, customers (valid organisation numbers, addresses, contacts,
segmentation), 14 months of activities, sales cases in every stage, projects, invoices and costs, so that
every KPI and dashboard figure of SPEC §8 shows something for a sales user. Everything is placed relative
to `today`, and the same seed gives the same organisation (only `random.Random` instances are used, one per
section, so changing how activities are drawn does not change the customer list).

Seeding refuses a store that already has customers (`DemoDataExists`); callers that want "seed on first run
only" check `has_data()` first. The whole organisation is written in ONE transaction, so a failed seed
leaves the database empty and can simply be run again.

Users, customers (numbering, duplicate check), addresses (head-office rule), contacts (validation, primary
email, roles) and groupings go through the services. Two shortcuts keep seeding at a few seconds: contacts
are created without a customer and then linked to it and its head office in one UPDATE (with a customer id
add_contact reloads the whole customer card each time), and sales cases are bulk-inserted with the rules
of create_sales_case (status from the stage's outcome, closed date only when won or lost). Projects,
invoices, costs and activities have no services and are bulk-inserted. Creation times are back-dated so
"latest customers" and "changes since yesterday" look like a CRM in use, not one filled a second ago.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from rapidfuzz import fuzz, process
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from stdnum import luhn
from stdnum.dk import cvr
from stdnum.fi import alv
from stdnum.no import orgnr as no_orgnr

from registry.orgnr import OrgNumber, validate
from store import periods, validation
from store.actor import Actor
from store.db import Store
from store.errors import InvalidInput, StoreError
from store.models import (
    Activity,
    ActivityKind,
    Address,
    CaseStatus,
    Contact,
    Cost,
    CostKind,
    Customer,
    CustomerKind,
    GroupingCategory,
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
    Source,
    User,
    Visibility,
    activity_contacts,
    contact_keywords,
    customer_keywords,
)
from store.names import name_key
from store.services.addresses import add_address
from store.services.contacts import add_contact
from store.services.customers import SIMILAR_CUTOFF, create_customer
from store.services.sales import default_stages, money
from store.services.segmentation import add_to_grouping, create_grouping, keyword
from store.services.users import create_user
from store.types import UTCDateTime

FIRM_NAME = "Kundebot Demo AS"
FIRM_DOMAIN = "kundebot-demo.no"
FIRM_TZ = "Europe/Oslo"
HISTORY_DAYS = 425  # activities reach back 14 months
EXTERNAL_ID_PREFIX = "kundebot-demo:"  # activities are "imported" (source import) with these ids
CUSTOMERS = 230  # plus the firm's own record


class DemoDataExists(StoreError):
    """The store already has customers; demo data only goes into an empty database."""


@dataclass(frozen=True)
class DemoSummary:
    users: int
    customers: int
    contacts: int
    activities: int
    sales_cases: int
    projects: int
    invoices: int
    costs: int
    addresses: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in asdict(self).items())


async def has_data(store: Store) -> bool:
    """True when the store has any customer (also deleted ones): then `seed_demo` would refuse."""
    async with store.reading() as session:
        return await _has_customers(session)


async def _has_customers(session: AsyncSession) -> bool:
    return (await session.execute(select(Customer.id).limit(1))).first() is not None


def firm_today() -> date:
    """Today where the demo firm is (its users are in Oslo and Stockholm, one offset)."""
    return datetime.now(ZoneInfo(FIRM_TZ)).date()


# --------------------------------------------------------------------------------------------------------
# Static data: the firm's users, countries, words.
# --------------------------------------------------------------------------------------------------------

# key, name, role, time zone, language. Sellers own customers and sales cases.
USERS: list[tuple[str, str, Role, str, Language]] = [
    ("ingrid", "Ingrid Halvorsen", Role.ADMIN, "Europe/Oslo", Language.NB),
    ("lars", "Lars Eriksen", Role.SALES, "Europe/Oslo", Language.NB),
    ("sofia", "Sofia Lindqvist", Role.SALES, "Europe/Stockholm", Language.SV),
    ("magnus", "Magnus Berg", Role.SALES, "Europe/Oslo", Language.EN),
    ("nora", "Nora Bakke", Role.CONSULTANT, "Europe/Oslo", Language.NB),
    ("anders", "Anders Solberg", Role.READ_ONLY, "Europe/Oslo", Language.EN),
]
SELLERS = ("ingrid", "lars", "sofia", "magnus")
CONSULTANT = "nora"
# Who owns customers in each country (weights follow SELLERS).
OWNER_WEIGHTS = {"NO": (10, 50, 15, 25), "SE": (5, 15, 70, 10), "FI": (5, 15, 20, 60), "DK": (5, 15, 20, 60)}

INDUSTRIES: dict[str, tuple[str, str]] = {
    # SN2007 code: (name, a one-line description for the customer card)
    "62.010": ("Programmeringstjenester", "Utvikler og drifter egne programvareløsninger."),
    "62.020": (
        "Konsulentvirksomhet tilknyttet informasjonsteknologi",
        "IT-konsulenter med vekt på skyplattformer og integrasjon.",
    ),
    "62.030": (
        "Forvaltning og drift av IT-systemer",
        "Drift og forvaltning av IT-systemer for SMB-markedet.",
    ),
    "41.200": ("Oppføring av bygninger", "Entreprenør innen nybygg og rehabilitering av næringsbygg."),
    "68.209": ("Utleie av egen eller leid fast eiendom ellers", "Eier og forvalter næringseiendom."),
    "69.201": ("Revisjon", "Revisjon og rådgivning for små og mellomstore bedrifter."),
    "69.202": ("Regnskap og bokføring", "Regnskapsbyrå med lønn, fakturering og årsoppgjør."),
    "70.220": (
        "Bedriftsrådgivning og annen administrativ rådgivning",
        "Rådgivning innen strategi, organisasjon og prosessforbedring.",
    ),
    "71.121": ("Byggeteknisk konsulentvirksomhet", "Rådgivende ingeniører innen bygg og infrastruktur."),
    "49.410": ("Godstransport på vei", "Godstransport og lagerlogistikk i hele Norden."),
    "35.111": ("Produksjon av elektrisitet fra vannkraft", "Produksjon og omsetning av fornybar energi."),
    "28.990": (
        "Produksjon av spesialmaskiner ikke nevnt annet sted",
        "Produserer maskiner og utstyr til industri og havbruk.",
    ),
    "73.110": ("Reklamebyråer", "Reklame- og kommunikasjonsbyrå."),
    "46.900": ("Uspesifisert engroshandel", "Engroshandel med bredt varesortiment."),
    "86.211": ("Allmenn legetjeneste", "Legesentre og bedriftshelsetjeneste."),
}


@dataclass(frozen=True)
class Place:
    postcode: str
    city: str
    region: str


@dataclass(frozen=True)
class CountryData:
    code: str
    language: str  # for subjects and case names: nb, sv or en
    tld: str
    weight: int  # share of the customers
    legal_forms: tuple[tuple[str, int], ...]
    prefixes: tuple[str, ...]
    # business word, its SN2007 code, whether it compounds with a prefix ("Fjord" + "bygg")
    cores: tuple[tuple[str, str, bool], ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]
    places: tuple[Place, ...]
    po_box: str
    leader_titles: tuple[str, ...]
    titles: tuple[tuple[str, tuple[str, ...]], ...]
    mobile_prefixes: tuple[str, ...]
    dial: str
    mobile_digits: int


def _places(region: str | None, *rows: str) -> tuple[Place, ...]:
    out = []
    for row in rows:
        postcode, city, *rest = row.split("|")
        out.append(Place(postcode, city, rest[0] if rest else (region or city)))
    return tuple(out)


# fmt: off
NORWAY = CountryData(
    code="NO",
    language="nb",
    tld="no",
    weight=56,
    legal_forms=(("AS", 92), ("ASA", 4), ("ANS", 4)),
    prefixes=(
        "Fjord", "Nordlys", "Vestland", "Aurora", "Havbris", "Fjell", "Polar", "Viken", "Tind", "Bølge",
        "Lofoten", "Nordkapp", "Midgard", "Mjøsa", "Glitre", "Furu", "Bjørke", "Granitt", "Kyst", "Skjær",
        "Sølvberg", "Nordvest", "Trollheimen", "Jotun", "Romsdal", "Hardanger", "Telemark", "Agder",
        "Valdres", "Sogn", "Oslofjord", "Nidaros", "Bjørgvin", "Varanger", "Dovre", "Hallingdal",
    ),
    cores=(
        ("Data", "62.010", True), ("IT", "62.020", False), ("Systemer", "62.010", False),
        ("Drift", "62.030", True), ("Bygg", "41.200", True), ("Eiendom", "68.209", True),
        ("Revisjon", "69.201", True), ("Regnskap", "69.202", True), ("Rådgivning", "70.220", False),
        ("Logistikk", "49.410", False), ("Transport", "49.410", True), ("Energi", "35.111", False),
        ("Kraft", "35.111", True), ("Maskin", "28.990", True), ("Industri", "28.990", False),
        ("Media", "73.110", False), ("Kommunikasjon", "73.110", False), ("Handel", "46.900", True),
        ("Ingeniørtjenester", "71.121", False), ("Prosjekt", "71.121", True), ("Helse", "86.211", True),
        ("Teknologi", "62.020", False), ("Analyse", "70.220", False),
    ),
    first_names=(
        "Ole", "Lars", "Kari", "Ingrid", "Anne", "Per", "Jon", "Hilde", "Silje", "Marte", "Eirik", "Håkon",
        "Sigrid", "Kristin", "Bjørn", "Tone", "Nils", "Øyvind", "Camilla", "Thomas", "Marius", "Ida",
        "Jonas", "Nora", "Emma", "Henrik", "Ragnhild", "Trond", "Geir", "Line", "Åse", "Vegard", "Solveig",
        "Espen", "Randi", "Torbjørn", "Hanne", "Stian", "Mona", "Aslak",
    ),
    last_names=(
        "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen",
        "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Dahl",
        "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen", "Moen", "Gundersen", "Iversen", "Strand",
        "Solberg", "Svendsen", "Eide", "Knutsen", "Martinsen", "Bakken", "Mathisen", "Lie", "Amundsen",
        "Lunde", "Solheim", "Berge", "Nygård", "Bakke", "Holm", "Lien", "Hauge", "Sæther", "Aas", "Myhre",
        "Haugland", "Sandvik", "Rønning", "Næss", "Vik", "Ellingsen", "Birkeland", "Ruud", "Strøm",
        "Myklebust", "Tangen", "Ødegård", "Helland", "Bøe", "Aune", "Tveit", "Brekke", "Nguyen", "Ahmed",
    ),
    streets=(
        "Storgata", "Kirkegata", "Industriveien", "Strandgata", "Kongens gate", "Dronningens gate",
        "Havnegata", "Sjøgata", "Torggata", "Jernbanegata", "Parkveien", "Nygata", "Fjordveien",
        "Bryggeveien", "Skippergata", "Løkkeveien",
    ),
    places=_places(
        None,
        "0150|Oslo|Østlandet", "0158|Oslo|Østlandet", "0250|Oslo|Østlandet", "0484|Oslo|Østlandet",
        "0581|Oslo|Østlandet", "1366|Lysaker|Østlandet", "1606|Fredrikstad|Østlandet",
        "2317|Hamar|Østlandet", "3015|Drammen|Østlandet", "3110|Tønsberg|Østlandet",
        "4006|Stavanger|Vestlandet", "4610|Kristiansand|Sørlandet", "5003|Bergen|Vestlandet",
        "5020|Bergen|Vestlandet", "6002|Ålesund|Vestlandet", "7010|Trondheim|Midt-Norge",
        "7030|Trondheim|Midt-Norge", "8006|Bodø|Nord-Norge", "9008|Tromsø|Nord-Norge",
    ),
    po_box="Postboks",
    leader_titles=("Daglig leder", "Administrerende direktør", "CEO"),
    titles=(
        ("Økonomisjef", ("decision maker", "invoice recipient")), ("CFO", ("decision maker",)),
        ("IT-sjef", ("technical contact",)), ("Innkjøpssjef", ("purchaser",)), ("Salgssjef", ()),
        ("Prosjektleder", ("project contact",)), ("HR-sjef", ()), ("Markedssjef", ()),
        ("Driftssjef", ("technical contact",)), ("Regnskapsansvarlig", ("invoice recipient",)),
    ),
    mobile_prefixes=("4", "9"),
    dial="+47",
    mobile_digits=7,
)

SWEDEN = CountryData(
    code="SE",
    language="sv",
    tld="se",
    weight=24,
    legal_forms=(("AB", 100),),
    prefixes=(
        "Göta", "Norrland", "Mälardalens", "Skåne", "Vänern", "Kronoberg", "Östgöta", "Svea", "Sundsvall",
        "Uppsala", "Dala", "Gävle", "Roslagen", "Bohus", "Småland", "Värmland", "Jämt", "Halland",
        "Blekinge", "Gotland", "Kiruna", "Vättern", "Nordanvind", "Österlen",
    ),
    cores=(
        ("Data", "62.010", True), ("IT", "62.020", False), ("System", "62.010", False),
        ("Bygg", "41.200", True), ("Fastigheter", "68.209", False), ("Revision", "69.201", False),
        ("Redovisning", "69.202", False), ("Konsult", "70.220", True), ("Logistik", "49.410", False),
        ("Transport", "49.410", True), ("Energi", "35.111", True), ("Kraft", "35.111", True),
        ("Verkstad", "28.990", False), ("Industri", "28.990", False), ("Media", "73.110", False),
        ("Kommunikation", "73.110", False), ("Handel", "46.900", True), ("Teknik", "71.121", True),
        ("Vård", "86.211", False),
    ),
    first_names=(
        "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Johanna", "Erik", "Lars", "Karl",
        "Anders", "Johan", "Per", "Nils", "Mikael", "Björn", "Fredrik", "Oskar", "Linnea", "Elin", "Ulf",
        "Gunnar", "Sofia", "Åsa", "Maja", "Henrik", "Mattias", "Ebba", "Gustav",
    ),
    last_names=(
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
        "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Hansson", "Bengtsson", "Lindberg", "Magnusson",
        "Lindström", "Olofsson", "Lindqvist", "Lindgren", "Axelsson", "Bergström", "Lundberg", "Lundgren",
        "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Forsberg", "Sjöberg", "Wallin", "Engström",
        "Eklund", "Danielsson", "Håkansson", "Björk", "Bergman", "Wikström", "Nyström", "Holmberg",
        "Löfgren", "Söderberg", "Blomqvist", "Nordström", "Mårtensson",
    ),
    streets=(
        "Drottninggatan", "Kungsgatan", "Storgatan", "Vasagatan", "Hamngatan", "Kyrkogatan",
        "Industrigatan", "Järnvägsgatan", "Nygatan", "Södra vägen", "Parkgatan", "Skolgatan",
    ),
    places=_places(
        "Sverige",
        "111 52|Stockholm", "114 34|Stockholm", "411 05|Göteborg", "211 22|Malmö", "753 20|Uppsala",
        "582 24|Linköping", "702 11|Örebro", "852 30|Sundsvall", "903 26|Umeå", "721 30|Västerås",
        "352 30|Växjö", "553 16|Jönköping",
    ),
    po_box="Box",
    leader_titles=("VD", "CEO"),
    titles=(
        ("Ekonomichef", ("decision maker", "invoice recipient")), ("CFO", ("decision maker",)),
        ("IT-chef", ("technical contact",)), ("Inköpschef", ("purchaser",)), ("Försäljningschef", ()),
        ("Projektledare", ("project contact",)), ("HR-chef", ()), ("Marknadschef", ()),
        ("Driftchef", ("technical contact",)),
    ),
    mobile_prefixes=("70", "72", "73", "76", "79"),
    dial="+46",
    mobile_digits=7,
)

FINLAND = CountryData(
    code="FI",
    language="en",
    tld="fi",
    weight=10,
    legal_forms=(("Oy", 94), ("Oyj", 6)),
    prefixes=(
        "Suomen", "Pohjolan", "Helsingin", "Tampereen", "Oulun", "Lapin", "Karjalan", "Saimaan", "Turun",
        "Kaleva", "Aalto", "Revontuli", "Kuopion", "Vaasan", "Hämeen", "Pirkan", "Savon", "Kainuun",
        "Porin", "Keski-Suomen",
    ),
    cores=(
        ("Data", "62.010", False), ("IT", "62.020", False), ("Ohjelmistot", "62.010", False),
        ("Rakennus", "41.200", False), ("Kiinteistöt", "68.209", False), ("Tilintarkastus", "69.201", False),
        ("Tilitoimisto", "69.202", False), ("Konsultointi", "70.220", False),
        ("Logistiikka", "49.410", False), ("Kuljetus", "49.410", False), ("Energia", "35.111", False),
        ("Voima", "35.111", False), ("Metalli", "28.990", False), ("Teollisuus", "28.990", False),
        ("Media", "73.110", False), ("Kauppa", "46.900", False), ("Insinöörit", "71.121", False),
        ("Terveys", "86.211", False),
    ),
    first_names=(
        "Mikko", "Juha", "Timo", "Matti", "Kari", "Antti", "Jari", "Jukka", "Mika", "Markku", "Pekka",
        "Anne", "Tuula", "Päivi", "Sari", "Leena", "Minna", "Anna", "Riikka", "Johanna", "Laura", "Elina",
        "Heikki", "Ville", "Aino", "Eero", "Satu", "Jussi",
    ),
    last_names=(
        "Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen",
        "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi",
        "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen", "Rantanen",
        "Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen", "Ahonen",
    ),
    streets=(
        "Kauppakatu", "Hämeenkatu", "Keskuskatu", "Teollisuuskatu", "Satamakatu", "Rautatienkatu",
        "Yliopistonkatu", "Asemakatu", "Puistokatu", "Koulukatu", "Kirkkokatu",
    ),
    places=_places(
        "Suomi",
        "00100|Helsinki", "00180|Helsinki", "02150|Espoo", "01510|Vantaa", "33100|Tampere", "20100|Turku",
        "90100|Oulu", "40100|Jyväskylä", "96100|Rovaniemi", "15110|Lahti", "70100|Kuopio", "65100|Vaasa",
    ),
    po_box="PL",
    leader_titles=("Toimitusjohtaja", "CEO"),
    titles=(
        ("Talousjohtaja", ("decision maker", "invoice recipient")), ("CFO", ("decision maker",)),
        ("IT-päällikkö", ("technical contact",)), ("Hankintapäällikkö", ("purchaser",)),
        ("Myyntijohtaja", ()), ("Projektipäällikkö", ("project contact",)), ("CTO", ("technical contact",)),
    ),
    mobile_prefixes=("40", "41", "44", "45", "50"),
    dial="+358",
    mobile_digits=7,
)

DENMARK = CountryData(
    code="DK",
    language="en",
    tld="dk",
    weight=10,
    legal_forms=(("ApS", 60), ("A/S", 40)),
    prefixes=(
        "Jysk", "Fyns", "Sjællands", "Øresund", "Nordsø", "Aarhus", "Odense", "Aalborg", "Limfjord",
        "Bornholm", "Vesterhav", "Himmerland", "Djurs", "Vendsyssel", "Lolland", "Kattegat", "Skagen",
        "Mols", "Gudenå", "Randers",
    ),
    cores=(
        ("Data", "62.010", True), ("IT", "62.020", False), ("Software", "62.010", False),
        ("Byg", "41.200", True), ("Ejendomme", "68.209", False), ("Revision", "69.201", False),
        ("Regnskab", "69.202", False), ("Rådgivning", "70.220", False), ("Logistik", "49.410", False),
        ("Transport", "49.410", True), ("Energi", "35.111", True), ("Vind", "35.111", True),
        ("Maskinfabrik", "28.990", False), ("Industri", "28.990", False), ("Medie", "73.110", False),
        ("Kommunikation", "73.110", False), ("Handel", "46.900", True), ("Ingeniører", "71.121", False),
        ("Sundhed", "86.211", False),
    ),
    first_names=(
        "Peter", "Michael", "Lars", "Thomas", "Jens", "Henrik", "Søren", "Christian", "Martin", "Jan",
        "Mette", "Anne", "Kirsten", "Hanne", "Susanne", "Lene", "Maria", "Marianne", "Camilla", "Louise",
        "Rasmus", "Mads", "Frederik", "Ida", "Freja", "Mikkel", "Signe",
    ),
    last_names=(
        "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
        "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Christiansen",
        "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen", "Jakobsen", "Mikkelsen", "Lauridsen",
        "Frederiksen", "Kjær", "Dahl", "Holm", "Bech", "Østergaard",
    ),
    streets=(
        "Nørregade", "Østergade", "Søndergade", "Vestergade", "Algade", "Havnegade", "Jernbanegade",
        "Industrivej", "Kongensgade", "Skolegade", "Strandvejen",
    ),
    places=_places(
        "Danmark",
        "1050|København K", "1620|København V", "2100|København Ø", "2300|København S", "8000|Aarhus C",
        "5000|Odense C", "9000|Aalborg", "6700|Esbjerg", "7100|Vejle", "4000|Roskilde", "8700|Horsens",
    ),
    po_box="Postboks",
    leader_titles=("Administrerende direktør", "Direktør", "CEO"),
    titles=(
        ("Økonomichef", ("decision maker", "invoice recipient")), ("CFO", ("decision maker",)),
        ("IT-chef", ("technical contact",)), ("Indkøbschef", ("purchaser",)), ("Salgschef", ()),
        ("Projektleder", ("project contact",)), ("HR-chef", ()), ("Marketingchef", ()),
    ),
    mobile_prefixes=(
        "20", "21", "22", "26", "28", "30", "31", "40", "42", "50", "51", "52", "53", "60", "61", "71",
        "81", "91", "93",
    ),
    dial="+45",
    mobile_digits=6,
)

COUNTRIES = (NORWAY, SWEDEN, FINLAND, DENMARK)
BY_CODE = {c.code: c for c in COUNTRIES}
PRIVATE_MAIL_DOMAINS = ("online.no", "gmail.com", "hotmail.com", "icloud.com")
CUSTOMER_KEYWORDS = (
    "microsoft", "sap", "visma", "azure", "bærekraft", "offentlig sektor", "eksport", "referansekunde",
    "nyhetsbrev", "julegave",
)
CONTACT_KEYWORDS = ("nyhetsbrev", "julegave", "frokostseminar")

KIND_WEIGHTS = (
    (CustomerKind.CUSTOMER, 52),
    (CustomerKind.PROSPECT, 27),
    (CustomerKind.PARTNER, 8),
    (CustomerKind.SUPPLIER, 8),
)
PRIVATE_CUSTOMERS = 8
RELATION_TYPE = {
    CustomerKind.CUSTOMER: RelationType.CUSTOMER,
    CustomerKind.PRIVATE: RelationType.CUSTOMER,
    CustomerKind.PROSPECT: RelationType.POTENTIAL_CUSTOMER,
    CustomerKind.PARTNER: RelationType.PARTNER,
    CustomerKind.SUPPLIER: RelationType.SUPPLIER,
}

# Sales: topics become case and project names; each language has its own wording.
CASE_TOPICS = {
    "nb": (
        "Skymigrering", "ERP-implementering", "Sikkerhetsgjennomgang", "Rammeavtale rådgivning",
        "BI og rapportering", "Bærekraftsrapportering (CSRD)", "Prosessanalyse", "Microsoft 365-utrulling",
        "Integrasjonsplattform", "Opplæringsprogram", "Datavarehus", "Anskaffelsesstøtte",
        "Digital strategi", "Innføring av CRM", "Kostnadsanalyse",
    ),
    "sv": (
        "Molnmigrering", "ERP-implementering", "Säkerhetsgranskning", "Ramavtal rådgivning",
        "BI och rapportering", "Hållbarhetsrapportering (CSRD)", "Processanalys", "Microsoft 365-utrullning",
        "Integrationsplattform", "Utbildningsprogram", "Datalager", "Upphandlingsstöd", "Digital strategi",
        "Införande av CRM", "Kostnadsanalys",
    ),
    "en": (
        "Cloud migration", "ERP implementation", "Security review", "Advisory framework agreement",
        "BI and reporting", "Sustainability reporting (CSRD)", "Process analysis", "Microsoft 365 roll-out",
        "Integration platform", "Training programme", "Data warehouse", "Procurement support",
        "Digital strategy", "CRM roll-out", "Cost analysis",
    ),
}
LEAD_SOURCES = ("Nettside", "Anbefaling", "Eksisterende kunde", "Messe", "LinkedIn", "Partner", "Anbud")
DEPARTMENTS = ("Rådgivning", "Teknologi", "Økonomi og analyse")
OPEN_STAGES = ("lead", "qualified", "proposal", "negotiation")
STAGE_PROBABILITY = {"lead": 10, "qualified": 25, "proposal": 50, "negotiation": 75}

# Activities: {first} is a contact's first name, {topic} a subject.
TOPICS = {
    "nb": (
        "skymigrering", "ERP-prosjektet", "IT-sikkerhet", "rammeavtalen", "BI og rapportering",
        "bærekraftsrapportering", "prosessforbedring", "Microsoft 365", "integrasjoner", "opplæring",
    ),
    "sv": (
        "molnmigrering", "ERP-projektet", "IT-säkerhet", "ramavtalet", "BI och rapportering",
        "hållbarhetsrapportering", "processförbättring", "Microsoft 365", "integrationer", "utbildning",
    ),
    "en": (
        "cloud migration", "the ERP project", "IT security", "the framework agreement", "BI and reporting",
        "sustainability reporting", "process improvement", "Microsoft 365", "integrations", "training",
    ),
}
SUBJECTS: dict[str, dict[ActivityKind, tuple[str, ...]]] = {
    "nb": {
        ActivityKind.CALL: (
            "Ringte {first} om {topic}", "Oppfølgingssamtale med {first}", "Kort statusprat med {first}",
            "Telefon: behov rundt {topic}", "Ringte {first}, tar det opp igjen neste uke",
        ),
        ActivityKind.MEETING: (
            "Møte med {first} om {topic}", "Statusmøte: {topic}", "Workshop: {topic}", "Lunsj med {first}",
            "Kvartalsmøte med ledelsen", "Presentasjon av tilbud på {topic}",
        ),
        ActivityKind.EMAIL: (
            "Tilbud på {topic}", "Re: Oppfølging etter møtet", "Referat fra møtet med {first}",
            "Prisoversikt for {topic}", "Re: Spørsmål om faktura", "Invitasjon til frokostseminar",
        ),
        ActivityKind.NOTE: (
            "{first} er positiv til {topic}", "Budsjett for neste år er ikke avklart",
            "Kunden vurderer også en konkurrent", "Ny IT-sjef starter etter sommeren",
            "Ta kontakt før avtalen fornyes", "Styret behandler {topic} i neste møte",
        ),
        ActivityKind.TASK: (
            "Send tilbud på {topic}", "Følg opp {first}", "Forbered presentasjon om {topic}",
            "Oppdater kontaktinformasjon", "Sjekk status på utestående faktura", "Book møte med {first}",
        ),
    },
    "sv": {
        ActivityKind.CALL: (
            "Ringde {first} om {topic}", "Uppföljningssamtal med {first}", "Kort avstämning med {first}",
            "Samtal om behov kring {topic}", "Ringde {first}, återkommer nästa vecka",
        ),
        ActivityKind.MEETING: (
            "Möte med {first} om {topic}", "Statusmöte: {topic}", "Workshop: {topic}", "Lunch med {first}",
            "Kvartalsmöte med ledningen", "Presentation av offert på {topic}",
        ),
        ActivityKind.EMAIL: (
            "Offert på {topic}", "Sv: Uppföljning efter mötet", "Minnesanteckningar från mötet med {first}",
            "Prislista för {topic}", "Sv: Fråga om faktura", "Inbjudan till frukostseminarium",
        ),
        ActivityKind.NOTE: (
            "{first} är positiv till {topic}", "Budgeten för nästa år är inte klar",
            "Kunden utvärderar även en konkurrent", "Ny IT-chef börjar efter sommaren",
            "Hör av dig innan avtalet förnyas", "Styrelsen tar upp {topic} på nästa möte",
        ),
        ActivityKind.TASK: (
            "Skicka offert på {topic}", "Följ upp {first}", "Förbered presentation om {topic}",
            "Uppdatera kontaktuppgifter", "Kontrollera obetald faktura", "Boka möte med {first}",
        ),
    },
    "en": {
        ActivityKind.CALL: (
            "Called {first} about {topic}", "Follow-up call with {first}", "Quick check-in with {first}",
            "Call: needs around {topic}", "Called {first}, will pick it up next week",
        ),
        ActivityKind.MEETING: (
            "Meeting with {first} about {topic}", "Status meeting: {topic}", "Workshop: {topic}",
            "Lunch with {first}", "Quarterly review with management", "Proposal presentation: {topic}",
        ),
        ActivityKind.EMAIL: (
            "Proposal for {topic}", "Re: Follow-up after our meeting", "Minutes from the meeting with {first}",
            "Price list for {topic}", "Re: Question about an invoice", "Invitation to breakfast seminar",
        ),
        ActivityKind.NOTE: (
            "{first} is positive about {topic}", "Next year's budget is not settled",
            "The customer is also evaluating a competitor", "New IT manager starts after the summer",
            "Get in touch before the agreement is renewed", "The board discusses {topic} at its next meeting",
        ),
        ActivityKind.TASK: (
            "Send proposal for {topic}", "Follow up {first}", "Prepare presentation on {topic}",
            "Update contact details", "Check status of unpaid invoice", "Book a meeting with {first}",
        ),
    },
}
BODIES = {
    "nb": (
        "Gikk gjennom behov og tidsplan. Neste steg: tilbud innen to uker.",
        "Kunden ønsker en referanse fra et lignende prosjekt.",
        "Budsjettrammen er avklart; beslutning tas i neste styremøte.",
        "Positivt møte. Vi sender et forslag til gjennomføringsplan.",
    ),
    "sv": (
        "Gick igenom behov och tidplan. Nästa steg: offert inom två veckor.",
        "Kunden vill ha en referens från ett liknande projekt.",
        "Budgetramen är klar; beslut fattas på nästa styrelsemöte.",
        "Positivt möte. Vi skickar ett förslag till genomförandeplan.",
    ),
    "en": (
        "Went through needs and timeline. Next step: proposal within two weeks.",
        "The customer would like a reference from a similar project.",
        "Budget is settled; the decision is taken at the next board meeting.",
        "Good meeting. We send a proposed delivery plan.",
    ),
}
# fmt: on
ACTIVITY_KINDS = (
    (ActivityKind.CALL, 26),
    (ActivityKind.EMAIL, 24),
    (ActivityKind.MEETING, 20),
    (ActivityKind.NOTE, 15),
    (ActivityKind.TASK, 15),
)
INTERNAL_PROJECTS = (
    ("Intern: Kompetanseheving", ProjectStatus.OPEN),
    ("Intern: Salg og markedsføring", ProjectStatus.OPEN),
    ("Intern: Videreutvikling av kundebot", ProjectStatus.OPEN),
    ("Intern: Flytting til nye lokaler", ProjectStatus.CLOSED),
)


# --------------------------------------------------------------------------------------------------------
# Plans: what will be written, decided up front from the seed (no database ids in here).
# --------------------------------------------------------------------------------------------------------


@dataclass
class ContactPlan:
    first_name: str
    last_name: str
    title: str | None
    email: str
    phone: str
    roles: tuple[str, ...]
    keywords: tuple[str, ...]
    created: datetime
    id: int | None = None


@dataclass
class AddressPlan:
    lines: list[str]
    postcode: str
    city: str
    country: str
    roles: tuple[str, ...]


@dataclass
class CustomerPlan:
    name: str
    country: CountryData
    kind: CustomerKind
    level: RelationLevel
    owner: str
    since: date  # the day the customer was registered
    created: datetime
    visibility: Visibility = Visibility.EVERYONE
    first_name: str | None = None
    org: OrgNumber | None = None
    industry_code: str | None = None
    domain: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    addresses: list[AddressPlan] = field(default_factory=list)
    region: str | None = None
    contacts: list[ContactPlan] = field(default_factory=list)
    keywords: tuple[str, ...] = ()
    framework: str | None = None  # a choice of the "Rammeavtale" grouping
    is_firm: bool = False
    id: int | None = None
    head_office_id: int | None = None

    @property
    def language(self) -> str:
        return self.country.language


@dataclass
class CasePlan:
    customer: CustomerPlan
    name: str
    seller: str
    value: Decimal
    stage: str
    probability: int
    expected: date
    created: date
    closed: date | None = None
    lead_source: str | None = None
    department: str | None = None
    id: int | None = None


def _between(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end] (start when the range is empty)."""
    span = (end - start).days
    return start if span <= 0 else start + timedelta(days=rng.randint(0, span))


def _weekday(day: date) -> date:
    """Weekend days move to the Friday before (people log work on working days)."""
    return day - timedelta(days=day.weekday() - 4) if day.weekday() >= 5 else day


def _at(day: date, hour: int, minute: int, tz: str) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(tz))


def _midday_utc(day: date) -> datetime:
    return datetime.combine(day, time(11, 0), UTC)


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ü": "u", "&": "-"})


def ascii_slug(text: str) -> str:
    """ "Bølge Drift" -> "bolgedrift"; for domains and email local parts."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_ASCII))
    plain = folded.encode("ascii", "ignore").decode()
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "", plain)).strip("-")


# Organisation numbers: NO, FI and DK share a weighted MOD 11 whose last weight is 1, so the check digit
# is whatever makes stdnum's checksum of the full number 0. SE is Luhn.
def _mod11(rng: random.Random, module: Any, first: str, length: int) -> str:
    while True:
        body = first + "".join(str(rng.randrange(10)) for _ in range(length - len(first) - 1))
        check = -int(module.checksum(body + "0")) % 11
        if check < 10:
            return body + str(check)


def make_org_number(rng: random.Random, country: str, taken: set[tuple[str, str]]) -> OrgNumber:
    """A checksum-valid organisation number not in `taken` (which it extends)."""
    while True:
        if country == "NO":
            raw = _mod11(rng, no_orgnr, "9" if rng.random() < 0.85 else "8", 9)
        elif country == "SE":
            body = rng.choice(("556", "559")) + "".join(str(rng.randrange(10)) for _ in range(6))
            raw = body + luhn.calc_check_digit(body)
        elif country == "FI":
            digits = _mod11(rng, alv, rng.choice("0123"), 8)
            raw = f"{digits[:7]}-{digits[7]}"
        else:
            raw = _mod11(rng, cvr, str(rng.randint(1, 4)), 8)
        org = validate(raw, country)
        if (org.country, org.number) not in taken:
            taken.add((org.country, org.number))
            return org


def make_mobile(rng: random.Random, country: CountryData) -> str:
    """A valid mobile number of the country in E.164."""
    for _ in range(200):
        raw = (
            country.dial
            + rng.choice(country.mobile_prefixes)
            + "".join(str(rng.randrange(10)) for _ in range(country.mobile_digits))
        )
        try:
            return validation.phone_number(raw, country.code)
        except InvalidInput:
            continue
    raise RuntimeError(f"no valid mobile number for {country.code}")  # pragma: no cover - data error


class NamePool:
    """Company names that are unique AND not near each other by the duplicate check's own measure."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.domains: set[str] = set()

    def accepts(self, name: str, domain: str | None) -> bool:
        key = name_key(name)
        if domain is not None and domain in self.domains:
            return False
        if self.keys and process.extractOne(
            key, self.keys, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR_CUTOFF
        ):
            return False
        self.keys.append(key)
        if domain is not None:
            self.domains.add(domain)
        return True


def _company_name(rng: random.Random, c: CountryData) -> tuple[str, str]:
    """(name, SN2007 code) for a company of the country."""
    core, code, compounds = rng.choice(c.cores)
    form = _pick(rng, c.legal_forms)
    roll = rng.random()
    if compounds and roll < 0.3:
        base = f"{rng.choice(c.prefixes)}{core.lower()}"
    elif c.code != "FI" and roll < 0.5:
        base = f"{rng.choice(c.last_names)} {core}"
    elif roll < 0.58:
        a, b = rng.sample(c.last_names, 2)
        base = f"{a} & {b}"
        code = rng.choice(("69.201", "69.202", "70.220"))
    else:
        base = f"{rng.choice(c.prefixes)} {core}"
    return f"{base} {form}", code


def _domain(name: str, tld: str) -> str:
    return f"{ascii_slug(name_key(name).replace(' og ', ' & ').replace(' ', ''))}.{tld}"


def _address(rng: random.Random, c: CountryData, *, private: bool = False) -> tuple[AddressPlan, str]:
    place = rng.choice(c.places)
    number = rng.randint(1, 120)
    letter = rng.choice(("", "", "", " A", " B")) if c.code in ("NO", "FI") else ""
    street = f"{rng.choice(c.streets)} {number}{letter}"
    roles = ("postal", "visiting") if not private else ("postal",)
    return AddressPlan([street], place.postcode, place.city, c.code, roles), place.region


def _contacts(
    rng: random.Random, c: CountryData, domain: str, since: date, today: date, count: int
) -> list[ContactPlan]:
    titles = list(c.titles)
    rng.shuffle(titles)
    people: list[ContactPlan] = []
    used: set[str] = set()
    locals_: set[str] = set()
    for i in range(count):
        first, last = rng.choice(c.first_names), rng.choice(c.last_names)
        while f"{first} {last}" in used:
            first, last = rng.choice(c.first_names), rng.choice(c.last_names)
        used.add(f"{first} {last}")
        roles: tuple[str, ...]
        if i == 0:
            title, roles = rng.choice(c.leader_titles), ("decision maker",)
        else:
            title, roles = titles[(i - 1) % len(titles)]
        local = f"{ascii_slug(first)}.{ascii_slug(last)}"
        short = f"{ascii_slug(first)[0]}{ascii_slug(last)}"
        if rng.random() < 0.25 and short not in locals_:  # "khansen@" as well as "kari.hansen@"
            local = short
        locals_.add(local)
        words = tuple(w for w in CONTACT_KEYWORDS if rng.random() < 0.12)
        created = _between(rng, since, min(today, since + timedelta(days=90)))
        people.append(
            ContactPlan(
                first,
                last,
                title,
                f"{local}@{domain}",
                make_mobile(rng, c),
                roles,
                words,
                _midday_utc(created),
            )
        )
    return people


def _registered(rng: random.Random, kind: CustomerKind, today: date) -> date:
    if kind is CustomerKind.PROSPECT:
        return today - timedelta(days=rng.randint(3, 360))
    if kind is CustomerKind.PRIVATE:
        return today - timedelta(days=rng.randint(30, 900))
    # Before the oldest deals of the history (A customers have a framework agreement from then).
    return today - timedelta(days=rng.randint(HISTORY_DAYS + 90, 1800))


def plan_customers(seed: int, today: date) -> list[CustomerPlan]:
    """The firm itself first, then the customers in the order they were registered."""
    rng = random.Random(f"{seed}:customers")
    taken: set[tuple[str, str]] = set()
    pool = NamePool()
    pool.accepts(FIRM_NAME, FIRM_DOMAIN)
    firm_since = today - relativedelta(years=6)
    firm = CustomerPlan(
        name=FIRM_NAME,
        country=NORWAY,
        kind=CustomerKind.CUSTOMER,
        level=RelationLevel.A,
        owner="ingrid",
        since=firm_since,
        created=_midday_utc(firm_since),
        org=make_org_number(rng, "NO", taken),
        industry_code="70.220",
        domain=FIRM_DOMAIN,
        region="Østlandet",
        is_firm=True,
        addresses=[AddressPlan(["Akersgata 45"], "0158", "Oslo", "NO", ("postal", "visiting", "billing"))],
    )
    firm.fields = {
        "website": f"https://www.{FIRM_DOMAIN}",
        "description": "Vårt eget selskap. Interne prosjekter føres her.",
        "employees": 48,
    }

    plans: list[CustomerPlan] = []
    companies = CUSTOMERS - PRIVATE_CUSTOMERS
    for i in range(companies):
        c = _pick(rng, tuple((x, x.weight) for x in COUNTRIES))
        while True:
            name, code = _company_name(rng, c)
            domain = _domain(name, c.tld)
            if pool.accepts(name, domain):
                break
        # Exactly the first few are recent prospects: "latest customers" shows fresh leads.
        kind = CustomerKind.PROSPECT if i < 8 else _pick(rng, KIND_WEIGHTS)
        level = _pick(rng, ((RelationLevel.A, 15), (RelationLevel.B, 35), (RelationLevel.C, 50)))
        if kind in (CustomerKind.SUPPLIER, CustomerKind.PROSPECT) and level is RelationLevel.A:
            level = RelationLevel.B
        since = today - timedelta(days=rng.randint(1, 10)) if i < 8 else _registered(rng, kind, today)
        owner = _pick(rng, tuple(zip(SELLERS, OWNER_WEIGHTS[c.code], strict=True)))
        plan = CustomerPlan(
            name=name,
            country=c,
            kind=kind,
            level=level,
            owner=owner,
            since=since,
            created=_at(since, rng.randint(8, 16), rng.choice((0, 15, 30, 45)), FIRM_TZ),
            visibility=Visibility.OWNER if rng.random() < 0.06 else Visibility.EVERYONE,
            org=make_org_number(rng, c.code, taken),
            industry_code=code,
            domain=domain,
        )
        employees = {
            RelationLevel.A: rng.randint(150, 3000),
            RelationLevel.B: rng.randint(25, 300),
            RelationLevel.C: rng.randint(3, 60),
        }[level]
        org = plan.org
        assert org is not None
        plan.fields = {
            "website": f"https://www.{domain}",
            "description": INDUSTRIES[code][1] if rng.random() < 0.7 else None,
            "employees": employees,
            "revenue": Decimal(employees * rng.randint(12, 28) * 100_000),
            "rating": rng.randint(1, 5) if rng.random() < 0.6 else None,
            "vat_number": {
                "NO": f"NO{org.number}MVA",
                "SE": f"SE{org.number}01",
                "FI": f"FI{org.number}",
                "DK": f"DK{org.number}",
            }[c.code],
            "payment_terms_days": 30 if level is RelationLevel.A else rng.choice((10, 14, 14, 30)),
            "invoice_template": "Standard" if c.code == "NO" else "Engelsk",
            "price_list": "Rammeavtale" if level is RelationLevel.A else f"Standard {today.year}",
            "e_invoice_address": {"NO": f"0192:{org.number}", "SE": f"0007:{org.number}"}.get(c.code),
        }
        head, plan.region = _address(rng, c)
        plan.addresses.append(head)
        if rng.random() < 0.25:
            box = AddressPlan(
                [f"{c.po_box} {rng.randint(1, 9999)}"], head.postcode, head.city, c.code, ("billing",)
            )
            plan.addresses.append(box)
        count = rng.choices((1, 2, 3, 4), weights=(18, 35, 30, 17))[0]
        if kind is CustomerKind.SUPPLIER:
            count = min(count, 2)
        plan.contacts = _contacts(rng, c, domain, since, today, count)
        plan.keywords = tuple(w for w in CUSTOMER_KEYWORDS if rng.random() < 0.08)
        if kind is CustomerKind.CUSTOMER and rng.random() < 0.18:
            plan.framework = rng.choice(("Statlig", "Kommunal", "Privat"))
        plans.append(plan)

    surnames = list(NORWAY.last_names)
    rng.shuffle(surnames)
    for last in surnames:
        if len([p for p in plans if p.kind is CustomerKind.PRIVATE]) == PRIVATE_CUSTOMERS:
            break
        if not pool.accepts(last, None):
            continue
        first = rng.choice(NORWAY.first_names)
        since = _registered(rng, CustomerKind.PRIVATE, today)
        plan = CustomerPlan(
            name=last,
            first_name=first,
            country=NORWAY,
            kind=CustomerKind.PRIVATE,
            level=RelationLevel.C,
            owner=rng.choice(("lars", "magnus")),
            since=since,
            created=_midday_utc(since),
        )
        head, plan.region = _address(rng, NORWAY, private=True)
        plan.addresses.append(head)
        mail = f"{ascii_slug(first)}.{ascii_slug(last)}@{rng.choice(PRIVATE_MAIL_DOMAINS)}"
        plan.contacts = [
            ContactPlan(first, last, None, mail, make_mobile(rng, NORWAY), (), (), _midday_utc(since))
        ]
        plans.append(plan)
    plans.sort(key=lambda p: p.created)
    return [firm, *plans]


def _round_value(value: float) -> Decimal:
    return Decimal(max(5_000, int(round(value / 5_000)) * 5_000))


def _case_value(rng: random.Random, level: RelationLevel) -> Decimal:
    low, high = {
        RelationLevel.A: (300_000, 3_000_000),
        RelationLevel.B: (100_000, 1_200_000),
        RelationLevel.C: (40_000, 400_000),
    }[level]
    return _round_value(rng.uniform(low, high))


class SalesPlanner:
    """Sales cases for the planned customers, with the guarantees the dashboard needs."""

    def __init__(self, seed: int, today: date, customers: list[CustomerPlan]) -> None:
        self.rng = random.Random(f"{seed}:sales")
        self.today = today
        self.month = periods.month(today)
        self.quarter = periods.quarter(today)
        self.year = periods.year(today)
        self.customers = customers
        self.cases: list[CasePlan] = []
        self.names: dict[int, set[str]] = {}

    def _name(self, customer: CustomerPlan) -> str:
        taken = self.names.setdefault(id(customer), set())
        topics = CASE_TOPICS[customer.language]
        for _ in range(20):
            name = self.rng.choice(topics)
            if name not in taken:
                break
        else:
            name = f"{self.rng.choice(topics)} – fase {len(taken) + 1}"
        taken.add(name)
        return name

    def _seller(self, customer: CustomerPlan) -> str:
        if customer.visibility is Visibility.OWNER or self.rng.random() < 0.85:
            return customer.owner
        return self.rng.choice(SELLERS)

    def add(
        self, customer: CustomerPlan, stage: str, *, closed: date | None = None, expected: date | None = None
    ) -> CasePlan:
        rng = self.rng
        value = _case_value(rng, customer.level)
        if stage in ("won", "lost"):
            assert closed is not None
            created = max(customer.since, closed - timedelta(days=rng.randint(20, 150)))
            expected = expected or closed + timedelta(days=rng.randint(-10, 10))
            probability = 100 if stage == "won" else 0
        else:
            created = _between(rng, max(customer.since, self.today - timedelta(days=200)), self.today)
            expected = expected or self._expected(customer)
            if expected < created:  # an overdue case was opened before its expected order date
                created = max(customer.since, expected - timedelta(days=rng.randint(10, 60)))
            base = STAGE_PROBABILITY[stage]
            probability = max(5, min(95, base + rng.choice((-10, -5, 0, 0, 5, 10))))
        case = CasePlan(
            customer=customer,
            name=self._name(customer),
            seller=self._seller(customer),
            value=value,
            stage=stage,
            probability=probability,
            expected=expected,
            created=min(created, self.today),
            closed=closed,
            lead_source=rng.choice(LEAD_SOURCES),
            department=rng.choice(DEPARTMENTS),
        )
        self.cases.append(case)
        return case

    def _expected(self, customer: CustomerPlan) -> date:
        rng, today = self.rng, self.today
        roll = rng.random()
        overdue = today - timedelta(days=rng.randint(3, 60))
        if roll < 0.15 and overdue > customer.since:  # overdue: the digest has something to nag about
            return overdue
        if roll < 0.4:
            return _between(rng, self.month.start, self.month.end - timedelta(days=1))
        if roll < 0.65:
            return _between(rng, today, self.quarter.end - timedelta(days=1))
        return today + timedelta(days=rng.randint(30, 220))

    def _won_day(self, customer: CustomerPlan) -> date:
        start = max(customer.since + timedelta(days=20), self.today - timedelta(days=HISTORY_DAYS))
        return _between(self.rng, start, self.today)

    def plan(self) -> list[CasePlan]:
        rng = self.rng
        for customer in self.customers:
            if customer.is_firm:
                continue
            if customer.kind is CustomerKind.CUSTOMER:
                if customer.level is RelationLevel.A:
                    # A long-running framework agreement: invoices in every month of the history.
                    closed = self.today - timedelta(days=rng.randint(HISTORY_DAYS + 5, HISTORY_DAYS + 45))
                    self.add(customer, "won", closed=closed)
                won = {
                    RelationLevel.A: rng.randint(1, 2),
                    RelationLevel.B: 1,
                    RelationLevel.C: rng.randint(0, 1),
                }
                for _ in range(won[customer.level]):
                    self.add(customer, "won", closed=self._won_day(customer))
                if rng.random() < 0.2:
                    self.add(customer, "lost", closed=self._won_day(customer))
                opened = {RelationLevel.A: rng.randint(1, 2), RelationLevel.B: rng.randint(0, 2)}
                for _ in range(opened.get(customer.level, rng.randint(0, 1))):
                    self.add(customer, _pick(rng, tuple(zip(OPEN_STAGES, (15, 25, 35, 25), strict=True))))
            elif customer.kind is CustomerKind.PROSPECT:
                if rng.random() < 0.9:
                    self.add(customer, _pick(rng, tuple(zip(OPEN_STAGES, (35, 30, 25, 10), strict=True))))
                if rng.random() < 0.2:
                    self.add(customer, "lost", closed=_between(rng, customer.since, self.today))
            elif customer.kind is CustomerKind.PARTNER and rng.random() < 0.3:
                self.add(customer, rng.choice(OPEN_STAGES))
        self._guarantee_dashboard()
        return self.cases

    def _guarantee_dashboard(self) -> None:
        """Every seller: won this month and earlier this year, open cases due this month and this quarter,
        one overdue. Every stage of the sales process has cases."""
        rng, today = self.rng, self.today
        month_last = self.month.end - timedelta(days=1)
        visible = [
            c
            for c in self.customers
            if c.kind is CustomerKind.CUSTOMER and c.visibility is Visibility.EVERYONE and not c.is_firm
        ]
        for seller in SELLERS:
            own = [c for c in visible if c.owner == seller]
            rng.shuffle(own)
            others = [c for c in visible if c.owner != seller]
            picks = [*own, *rng.sample(others, 6)][:6]
            planned = (
                (picks[0], "won", _between(rng, self.month.start, today), None),
                (picks[1], "won", _between(rng, self.year.start, today), None),
                (picks[2], "won", _between(rng, self.year.start, today), None),
                (picks[3], "proposal", None, _between(rng, today, month_last)),
                (picks[4], "negotiation", None, _between(rng, self.month.start, month_last)),
                (picks[5], "qualified", None, _between(rng, today, self.quarter.end - timedelta(days=1))),
                (picks[5], "lead", None, today - timedelta(days=rng.randint(5, 30))),
            )
            for customer, stage, closed, expected in planned:
                self.add(customer, stage, closed=closed, expected=expected).seller = seller
        for stage in (*OPEN_STAGES, "won", "lost"):
            if not any(c.stage == stage for c in self.cases):  # pragma: no cover - the mix has them all
                self.add(visible[0], stage, closed=today if stage in ("won", "lost") else None)


@dataclass
class ProjectPlan:
    customer: CustomerPlan
    name: str
    manager: str
    start: date
    end: date | None  # None while open
    internal: bool = False
    hours: float = 0.0  # per month
    rate: int = 0  # NOK per hour invoiced
    cost_rate: int = 0  # NOK per hour it costs
    case: CasePlan | None = None
    obj: Project | None = None


@dataclass
class InvoicePlan:
    project: ProjectPlan
    day: date
    amount: Decimal
    status: InvoiceStatus
    number: str | None = None


@dataclass
class CostPlan:
    project: ProjectPlan
    day: date
    amount: Decimal
    kind: CostKind


def _months(start: date, end: date) -> list[date]:
    first, out = start.replace(day=1), []
    while first <= end:
        out.append(first)
        first += relativedelta(months=1)
    return out


def plan_delivery(
    seed: int, today: date, customers: list[CustomerPlan], cases: list[CasePlan]
) -> tuple[list[ProjectPlan], list[InvoicePlan], list[CostPlan]]:
    """Projects for most won cases, monthly invoices and costs on them, and the firm's internal projects."""
    rng = random.Random(f"{seed}:delivery")
    projects: list[ProjectPlan] = []
    for case in cases:
        if case.stage != "won" or case.customer.kind is not CustomerKind.CUSTOMER or rng.random() > 0.85:
            continue
        assert case.closed is not None
        start = min(today, case.closed + timedelta(days=rng.randint(3, 20)))
        age = (today - start).days
        end = None
        long_running = case.closed < today - timedelta(days=HISTORY_DAYS)
        if not long_running and age > 150 and rng.random() < 0.65:
            end = start + timedelta(days=rng.randint(45, age - 15))
        hours = {
            RelationLevel.A: rng.uniform(80, 220),
            RelationLevel.B: rng.uniform(30, 120),
            RelationLevel.C: rng.uniform(10, 60),
        }[case.customer.level]
        projects.append(
            ProjectPlan(
                customer=case.customer,
                name=case.name,
                manager=CONSULTANT
                if rng.random() < 0.5 and case.customer.visibility is Visibility.EVERYONE
                else case.seller,
                start=start,
                end=end,
                hours=hours,
                rate=rng.randrange(1200, 1701, 50),
                cost_rate=rng.randrange(600, 801, 25),
                case=case,
            )
        )
    firm = customers[0]
    history_start = (today - timedelta(days=HISTORY_DAYS + 30)).replace(day=1)
    for name, status in INTERNAL_PROJECTS:
        closed = status is ProjectStatus.CLOSED
        start = history_start + timedelta(days=rng.randint(0, 20)) if not closed else today - timedelta(200)
        projects.append(
            ProjectPlan(
                customer=firm,
                name=name,
                manager="ingrid",
                start=start,
                end=start + timedelta(days=60) if closed else None,
                internal=True,
                hours=rng.uniform(40, 160),
                cost_rate=750,
            )
        )

    invoices: list[InvoicePlan] = []
    costs: list[CostPlan] = []
    this_month = periods.month(today)
    for project in projects:
        last = min(project.end or today, today)
        for first in _months(project.start, last):
            lo = max(first, project.start)
            hi = min(first + relativedelta(months=1) - timedelta(days=1), last)
            hours = round(project.hours * rng.uniform(0.6, 1.25) * 2) / 2
            costs.append(
                CostPlan(
                    project, _between(rng, lo, hi), Decimal(round(hours * project.cost_rate)), CostKind.LABOUR
                )
            )
            if rng.random() < 0.25:
                amount = Decimal(rng.randrange(1_000, 12_001, 250))
                costs.append(CostPlan(project, _between(rng, lo, hi), amount, CostKind.EXPENSE))
            if project.internal:
                continue
            day = _between(rng, lo, hi)
            age = (today - day).days
            if day in this_month:
                invoice_status = InvoiceStatus.DRAFT if rng.random() < 0.15 else InvoiceStatus.SENT
            elif age <= 30:
                invoice_status = InvoiceStatus.SENT if rng.random() < 0.6 else InvoiceStatus.PAID
            elif age <= 60:
                invoice_status = InvoiceStatus.PAID if rng.random() < 0.8 else InvoiceStatus.SENT
            else:
                invoice_status = InvoiceStatus.CREDITED if rng.random() < 0.04 else InvoiceStatus.PAID
            invoices.append(InvoicePlan(project, day, Decimal(round(hours * project.rate)), invoice_status))
    _guarantee_invoice_statuses(invoices, this_month)
    numbered = sorted((i for i in invoices if i.status is not InvoiceStatus.DRAFT), key=lambda i: i.day)
    for n, invoice in enumerate(numbered, start=10001):
        invoice.number = str(n)
    return projects, invoices, costs


def _guarantee_invoice_statuses(invoices: list[InvoicePlan], this_month: periods.Period) -> None:
    """Every status occurs; drafts only take a current-month invoice when another one counts."""
    if not any(i.status is InvoiceStatus.CREDITED for i in invoices):
        oldest_paid = next(i for i in sorted(invoices, key=lambda i: i.day) if i.status is InvoiceStatus.PAID)
        oldest_paid.status = InvoiceStatus.CREDITED
    current = [i for i in invoices if i.day in this_month]
    if not any(i.status is InvoiceStatus.DRAFT for i in invoices) and len(current) > 1:
        current[-1].status = InvoiceStatus.DRAFT
    if current and all(i.status is InvoiceStatus.DRAFT for i in current):
        current[0].status = InvoiceStatus.SENT


@dataclass
class ActivityPlan:
    customer: CustomerPlan
    kind: ActivityKind
    subject: str
    owner: str
    body: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    due: date | None = None
    done: bool = True
    contacts: list[ContactPlan] = field(default_factory=list)
    case: CasePlan | None = None
    project: ProjectPlan | None = None
    created: datetime | None = None


class ActivityPlanner:
    def __init__(
        self,
        seed: int,
        today: date,
        customers: list[CustomerPlan],
        cases: list[CasePlan],
        projects: list[ProjectPlan],
        time_zones: dict[str, str],
    ) -> None:
        self.rng = random.Random(f"{seed}:activities")
        self.today = today
        self.customers = customers
        self.tz = time_zones
        self.cases: dict[int, list[CasePlan]] = {}
        for case in cases:
            self.cases.setdefault(id(case.customer), []).append(case)
        self.projects: dict[int, list[ProjectPlan]] = {}
        for project in projects:
            if not project.internal:
                self.projects.setdefault(id(project.customer), []).append(project)
        self.activities: list[ActivityPlan] = []

    def _subject(self, customer: CustomerPlan, kind: ActivityKind, contact: ContactPlan | None) -> str:
        options = SUBJECTS[customer.language][kind]
        if contact is None:
            options = tuple(o for o in options if "{first}" not in o)
        return self.rng.choice(options).format(
            first=contact.first_name if contact else "", topic=self.rng.choice(TOPICS[customer.language])
        )

    def make(
        self,
        customer: CustomerPlan,
        kind: ActivityKind,
        day: date,
        *,
        owner: str | None = None,
        hour: int | None = None,
        minute: int | None = None,
        done: bool | None = None,
    ) -> ActivityPlan:
        rng = self.rng
        owner = owner or customer.owner
        contacts = rng.sample(customer.contacts, min(len(customer.contacts), rng.choice((1, 1, 2))))
        if kind in (ActivityKind.NOTE, ActivityKind.TASK) and rng.random() < 0.5:
            contacts = []
        activity = ActivityPlan(
            customer=customer,
            kind=kind,
            subject=self._subject(customer, kind, contacts[0] if contacts else None),
            owner=owner,
            contacts=contacts,
        )
        if kind is ActivityKind.TASK:
            activity.due = day
            activity.done = (day < self.today and rng.random() < 0.85) if done is None else done
            planned = day - timedelta(days=rng.randint(2, 14))
            activity.created = _at(planned, 9, 0, self.tz[owner])
        else:
            hour = rng.randint(8, 16) if hour is None else hour
            minute = rng.choice((0, 15, 30, 45)) if minute is None else minute
            activity.start = _at(day, hour, minute, self.tz[owner])
            if kind is ActivityKind.MEETING:
                activity.end = activity.start + timedelta(minutes=rng.choice((30, 45, 60, 60, 90, 120)))
            elif kind is ActivityKind.CALL:
                activity.end = activity.start + timedelta(minutes=rng.choice((5, 10, 15, 20, 30)))
            activity.done = (day < self.today) if done is None else done
            activity.created = activity.start if day <= self.today else _at(self.today, 8, 0, self.tz[owner])
            if kind in (ActivityKind.MEETING, ActivityKind.NOTE) and rng.random() < 0.5:
                activity.body = rng.choice(BODIES[customer.language])
        cases = [
            c
            for c in self.cases.get(id(customer), [])
            if c.created <= day and (c.closed is None or day <= c.closed)
        ]
        if cases and rng.random() < 0.5:
            activity.case = rng.choice(cases)
        projects = [p for p in self.projects.get(id(customer), []) if p.start <= day]
        if projects and (owner == CONSULTANT or rng.random() < 0.2):
            activity.project = rng.choice(projects)
        self.activities.append(activity)
        return activity

    def plan(self) -> list[ActivityPlan]:
        rng, today = self.rng, self.today
        history_start = today - timedelta(days=HISTORY_DAYS)
        yesterday = today - timedelta(days=1)
        for customer in self.customers:
            if customer.is_firm:
                continue
            count = {RelationLevel.A: (14, 22), RelationLevel.B: (7, 12), RelationLevel.C: (3, 7)}[
                customer.level
            ]
            if customer.kind is CustomerKind.SUPPLIER:
                count = (2, 4)
            elif customer.kind is CustomerKind.PRIVATE:
                count = (1, 3)
            start = max(customer.since, history_start)
            projects = self.projects.get(id(customer), [])
            for _ in range(rng.randint(*count)):
                if start > yesterday:
                    break
                kind = _pick(rng, ACTIVITY_KINDS)
                day = max(start, _weekday(_between(rng, start, yesterday)))
                consultant = projects and customer.visibility is Visibility.EVERYONE
                owner = (
                    CONSULTANT
                    if consultant and kind is not ActivityKind.TASK and rng.random() < 0.2
                    else None
                )
                self.make(customer, kind, day, owner=owner)
            # What is coming: meetings and calls booked, tasks due.
            open_work = bool(projects) or any(c.closed is None for c in self.cases.get(id(customer), []))
            if open_work and customer.level is not RelationLevel.C:
                if rng.random() < 0.5:
                    day = _weekday(today + timedelta(days=rng.randint(3, 28)))
                    day = day if day > today else day + timedelta(days=3)
                    self.make(customer, rng.choice((ActivityKind.MEETING, ActivityKind.CALL)), day)
                if rng.random() < 0.5:
                    self.make(customer, ActivityKind.TASK, today + timedelta(days=rng.randint(0, 21)))
        self._today(SELLERS, ((9, 0), (11, 30), (14, 0)))
        self._today((CONSULTANT,), ((10, 0), (13, 30)))
        return self.activities

    def _today(self, users: tuple[str, ...], times: tuple[tuple[int, int], ...]) -> None:
        """Meetings today for each user, and tasks due today and overdue, on customers they can see."""
        rng, today = self.rng, self.today
        for user in users:
            if user == CONSULTANT:
                mine = [
                    p.customer
                    for ps in self.projects.values()
                    for p in ps
                    if p.manager == user and p.end is None
                ]
            else:
                mine = [c for c in self.customers if c.owner == user and c.contacts and not c.is_firm]
            mine = [c for c in mine if c.visibility is Visibility.EVERYONE or c.owner == user]
            mine = list({id(c): c for c in mine}.values())
            for (hour, minute), customer in zip(
                times, rng.sample(mine, min(len(times), len(mine))), strict=False
            ):
                self.make(
                    customer, ActivityKind.MEETING, today, owner=user, hour=hour, minute=minute, done=False
                )
            for customer in rng.sample(mine, min(2, len(mine))):
                self.make(customer, ActivityKind.TASK, today, owner=user, done=False)
            for customer in rng.sample(mine, min(2, len(mine))):
                self.make(
                    customer, ActivityKind.TASK, today - timedelta(rng.randint(2, 12)), owner=user, done=False
                )


# --------------------------------------------------------------------------------------------------------
# Writing.
# --------------------------------------------------------------------------------------------------------


async def seed_demo(store: Store, *, seed: int = 2026, today: date | None = None) -> DemoSummary:
    """Seed the demo organisation into an empty store, in one transaction.

    Raises DemoDataExists when the store already has customers (check `has_data` to skip quietly).
    `today` defaults to today in Oslo, where the demo firm is.
    """
    today = today or firm_today()
    customers = plan_customers(seed, today)
    cases = SalesPlanner(seed, today, customers).plan()
    projects, invoices, costs = plan_delivery(seed, today, customers, cases)
    async with store.transaction() as session:
        if await _has_customers(session):
            raise DemoDataExists(
                "The database already has customers; demo data only goes into an empty database."
            )
        users, created_users = await _users(session, today)
        actors = {key: Actor.of(user) for key, user in users.items()}
        time_zones = {key: user.time_zone for key, user in users.items()}
        activities = ActivityPlanner(seed, today, customers, cases, projects, time_zones).plan()

        industries = await _industries(session)
        addresses = await _write_customers(session, customers, actors, industries)
        await _write_segmentation(session, customers, actors["ingrid"])
        await _write_cases(session, cases, users)
        await _write_delivery(session, projects, invoices, costs, users)
        await _write_activities(session, activities, users)
    return DemoSummary(
        users=created_users,
        customers=len(customers),
        contacts=sum(len(c.contacts) for c in customers),
        activities=len(activities),
        sales_cases=len(cases),
        projects=len(projects),
        invoices=len(invoices),
        costs=len(costs),
        addresses=addresses,
    )


async def _users(session: AsyncSession, today: date) -> tuple[dict[str, User], int]:
    """The firm's users; ones that exist already (same email) are reused."""
    users: dict[str, User] = {}
    created = 0
    for i, (key, name, role, tz, language) in enumerate(USERS):
        email = f"{name.lower().replace(' ', '.')}@{FIRM_DOMAIN}"
        user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
        if user is None:
            user = await create_user(
                session, name=name, email=email, role=role, time_zone=tz, language=language
            )
            user.created_at = user.updated_at = _midday_utc(
                today - relativedelta(years=3) + timedelta(days=i)
            )
            created += 1
        users[key] = user
    return users, created


async def _industries(session: AsyncSession) -> dict[str, int]:
    """The industry list, by code; existing entries (same code or name) are kept."""
    existing = (await session.execute(select(Industry))).scalars().all()
    by_code = {i.code: i.id for i in existing if i.code}
    names = {i.name.casefold(): i.id for i in existing}
    for code, (name, _) in INDUSTRIES.items():
        if code in by_code:
            continue
        if name.casefold() in names:
            by_code[code] = names[name.casefold()]
            continue
        industry = Industry(code=code, name=name)
        session.add(industry)
        await session.flush()
        by_code[code] = industry.id
    return by_code


async def _write_customers(
    session: AsyncSession, plans: list[CustomerPlan], actors: dict[str, Actor], industries: dict[str, int]
) -> int:
    addresses = 0
    for plan in plans:
        actor = actors[plan.owner]
        fields = {k: v for k, v in plan.fields.items() if v is not None}
        customer = await create_customer(
            session,
            actor,
            plan.name,
            org_number=plan.org.number if plan.org else None,
            country=plan.org.country if plan.org else None,
            allow_similar=True,  # the names were already kept apart by NamePool with the same measure
            kind=plan.kind,
            first_name=plan.first_name,
            relation_level=plan.level,
            relation_type=None if plan.is_firm else RELATION_TYPE[plan.kind],
            visibility=plan.visibility,
            industry=industries.get(plan.industry_code or ""),
            **fields,
        )
        plan.id = customer.id
        for n, address in enumerate(plan.addresses):
            row = await add_address(
                session,
                actor,
                customer.id,
                lines=address.lines,
                postcode=address.postcode,
                city=address.city,
                country=address.country,
                roles=address.roles,
            )
            if n == 0:
                plan.head_office_id = row.id
            addresses += 1
        for person in plan.contacts:
            # Linked below, all at once: with a customer id, add_contact reloads the whole customer card.
            contact = await add_contact(
                session,
                actor,
                customer_id=None,
                first_name=person.first_name,
                last_name=person.last_name,
                title=person.title,
                emails=[person.email],
                phones=[person.phone],
                roles=person.roles,
                visibility=plan.visibility,
                phone_region=plan.country.code,
            )
            person.id = contact.id
    await _backdate(session, _table(Customer), [(p.id, p.created) for p in plans])
    at = bindparam("b_at", type_=UTCDateTime())
    await session.execute(
        update(_table(Address))
        .where(_table(Address).c.customer_id == bindparam("b_id"))
        .values(created_at=at, updated_at=at),
        [{"b_id": p.id, "b_at": p.created} for p in plans],
    )
    await _link_contacts(session, plans)
    contacts = [c for p in plans for c in p.contacts]
    await _backdate(session, _table(Contact), [(c.id, c.created) for c in contacts])
    return addresses


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


async def _link_contacts(session: AsyncSession, plans: list[CustomerPlan]) -> None:
    """What add_contact and link_contact do for a contact of a customer: the customer, and its head
    office as the contact's address (SPEC §2). The contacts were just created, so no version bump."""
    table = _table(Contact)
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(customer_id=bindparam("b_customer"), address_id=bindparam("b_address")),
        [
            {"b_id": person.id, "b_customer": plan.id, "b_address": plan.head_office_id}
            for plan in plans
            for person in plan.contacts
        ],
    )


async def _backdate(session: AsyncSession, table: Table, rows: list[tuple[int | None, datetime]]) -> None:
    """Set created_at/updated_at in one statement per table (no version bump: nobody edited the record)."""
    if not rows:
        return
    at = bindparam("b_at", type_=UTCDateTime())
    await session.execute(
        update(table).where(table.c.id == bindparam("b_id")).values(created_at=at, updated_at=at),
        [{"b_id": row_id, "b_at": when} for row_id, when in rows],
    )


async def _write_segmentation(session: AsyncSession, plans: list[CustomerPlan], admin: Actor) -> None:
    """Two admin-defined groupings (region, framework agreement) and keywords on customers and contacts."""
    groupings = {
        "Region": [
            "Østlandet",
            "Vestlandet",
            "Sørlandet",
            "Midt-Norge",
            "Nord-Norge",
            "Sverige",
            "Suomi",
            "Danmark",
        ],
        "Rammeavtale": ["Statlig", "Kommunal", "Privat"],
    }
    for name, choices in groupings.items():
        category = await _grouping(session, admin, name, choices)
        attr = "region" if name == "Region" else "framework"
        for choice in category.choices:
            ids = [p.id for p in plans if getattr(p, attr) == choice.name and p.id is not None]
            if ids:
                await add_to_grouping(session, admin, ids, choice.id)
    words = {w: (await keyword(session, w)).id for w in (*CUSTOMER_KEYWORDS, *CONTACT_KEYWORDS)}
    customer_rows = [{"customer_id": p.id, "keyword_id": words[w]} for p in plans for w in p.keywords]
    contact_rows = [
        {"contact_id": c.id, "keyword_id": words[w]} for p in plans for c in p.contacts for w in c.keywords
    ]
    if customer_rows:
        await session.execute(insert(customer_keywords), customer_rows)
    if contact_rows:
        await session.execute(insert(contact_keywords), contact_rows)


async def _grouping(session: AsyncSession, admin: Actor, name: str, choices: list[str]) -> GroupingCategory:
    """The grouping category, created unless an admin already defined one by that name."""
    existing = (
        await session.execute(
            select(GroupingCategory)
            .where(GroupingCategory.name == name)
            .options(selectinload(GroupingCategory.choices))
        )
    ).scalar_one_or_none()
    return existing or await create_grouping(session, admin, name, choices)


async def _write_cases(session: AsyncSession, cases: list[CasePlan], users: dict[str, User]) -> None:
    """Sales cases along the default sales process, with the rules of `create_sales_case`: the stage's
    outcome is the status, and only a won or lost case has a closed date. One bulk insert; the ids are
    found again by (customer, name), which the planner keeps unique."""
    stages = {stage.name: stage for stage in await default_stages(session)}
    rows = []
    for case in cases:
        stage = stages[case.stage]
        rows.append(
            {
                "customer_id": case.customer.id,
                "name": validation.required_text(case.name, "sales case name"),
                "seller_id": users[case.seller].id,
                "value": money(case.value),
                "currency": "NOK",
                "probability": validation.percentage(case.probability),
                "stage_id": stage.id,
                "expected_order_date": case.expected,
                "lead_source": case.lead_source,
                "department": case.department,
                "status": stage.outcome,
                "closed_date": case.closed if stage.outcome is not CaseStatus.OPEN else None,
                "created_by_id": users[case.seller].id,
                "created_at": _midday_utc(case.created),
                "updated_at": _midday_utc(case.created),
            }
        )
    await session.execute(insert(SalesCase), rows)
    found = await session.execute(select(SalesCase.customer_id, SalesCase.name, SalesCase.id))
    ids = {(customer_id, name): case_id for customer_id, name, case_id in found}
    for case in cases:
        assert case.customer.id is not None
        case.id = ids[(case.customer.id, case.name)]


async def _write_delivery(
    session: AsyncSession,
    projects: list[ProjectPlan],
    invoices: list[InvoicePlan],
    costs: list[CostPlan],
    users: dict[str, User],
) -> None:
    creator = users["ingrid"].id
    for p in projects:
        assert p.customer.id is not None
        p.obj = Project(
            customer_id=p.customer.id,
            name=p.name,
            manager_id=users[p.manager].id,
            status=ProjectStatus.OPEN if p.end is None else ProjectStatus.CLOSED,
            internal=p.internal,
            created_by_id=users[p.case.seller].id if p.case else creator,
            created_at=_midday_utc(p.start),
            updated_at=_midday_utc(p.end or p.start),
        )
    session.add_all([p.obj for p in projects if p.obj is not None])
    await session.flush()
    # Bulk inserts (executemany): invoices and costs need no ids back.
    await session.execute(
        insert(Invoice),
        [
            {
                "project_id": _project_id(i.project),
                "customer_id": i.project.customer.id,
                "number": i.number,
                "invoice_date": i.day,
                "status": i.status,
                "amount": i.amount,
                "created_by_id": creator,
                "created_at": _midday_utc(i.day),
                "updated_at": _midday_utc(i.day),
            }
            for i in invoices
        ],
    )
    await session.execute(
        insert(Cost),
        [
            {
                "project_id": _project_id(c.project),
                "cost_date": c.day,
                "amount": c.amount,
                "kind": c.kind,
                "created_by_id": users[c.project.manager].id,
                "created_at": _midday_utc(c.day),
                "updated_at": _midday_utc(c.day),
            }
            for c in costs
        ],
    )


def _project_id(project: ProjectPlan) -> int:
    assert project.obj is not None and project.obj.id is not None
    return project.obj.id


async def _write_activities(
    session: AsyncSession, activities: list[ActivityPlan], users: dict[str, User]
) -> None:
    """One executemany for the activities, found again by their import ids to link the contacts."""
    rows = []
    for n, a in enumerate(activities, start=1):
        owner = users[a.owner].id
        rows.append(
            {
                "kind": a.kind,
                "subject": a.subject,
                "body": a.body,
                "start_at": a.start,
                "end_at": a.end,
                "due_date": a.due,
                "done": a.done,
                "cancelled": False,
                "customer_id": a.customer.id,
                "sales_case_id": a.case.id if a.case else None,
                "project_id": _project_id(a.project) if a.project else None,
                "owner_id": owner,
                "assignee_id": owner,
                "source": Source.IMPORT,
                "external_id": f"{EXTERNAL_ID_PREFIX}{n}",
                "created_by_id": owner,
                "created_at": a.created,
                "updated_at": a.created,
            }
        )
    await session.execute(insert(Activity), rows)
    found = await session.execute(
        select(Activity.external_id, Activity.id).where(
            Activity.source == Source.IMPORT, Activity.external_id.startswith(EXTERNAL_ID_PREFIX)
        )
    )
    ids = {external_id: activity_id for external_id, activity_id in found}
    links = [
        {"activity_id": ids[f"{EXTERNAL_ID_PREFIX}{n}"], "contact_id": c.id}
        for n, a in enumerate(activities, start=1)
        for c in a.contacts
    ]
    if links:
        await session.execute(insert(activity_contacts), links)
