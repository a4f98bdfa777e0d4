"""CSV import of customers, contacts and addresses (SPEC §9): create or update, with a dry run.

The import runs in three steps:

1. **Read** (`read_table`): the bytes are decoded (a BOM decides; else UTF-8 if the file is valid UTF-8,
   else windows-1252, what Excel writes on Nordic Windows), the delimiter is the one of `;` `,` tab `|` that
   makes the most header names recognisable (Excel's `sep=;` first line is honoured), and the records are
   parsed with quoted fields that may hold the delimiter, quotes and line breaks. Every record keeps the
   line number it starts on, counted as a person counts lines in the file (the header is line 1).
2. **Check**: the header names are matched against English, Norwegian and Swedish names per kind
   (`COLUMN_NAMES`; unknown columns are reported once, never an error); each row is cleaned and validated
   without the database; then what the rows refer to is read from the store in a few batched queries
   (customers by customer number, organisation number and name; contacts by email; addresses and head
   offices) and each row is decided: create, update, unchanged, or rejected with a short reason (English
   text, and the catalogue key and values the chat says it with in the user's language: `Reason`).
3. **Write** (unless a dry run, and, without `partial`, only when no row was rejected): batched inserts and
   updates in one transaction, so an import is all or nothing; the counter hands out a block of customer
   numbers at once; updates bump each record's version, so someone holding an edit form of a customer the
   import changed gets "changed by someone else" (SPEC §3).

The rules:

- **Customers** with a customer number update that customer (an unknown number, or one the user may not
  see, is rejected: a number is never invented); else a row whose organisation number is on an existing
  customer updates it; else the row creates a customer through the duplicate check of SPEC §3: an
  organisation number on a customer the user cannot see is rejected as `create_customer` does, and a name
  close to an existing customer's (or to an earlier new row's) is rejected with that customer named, unless
  `allow_similar`. Names are only compared when one of the two has no organisation number: two companies
  with different organisation numbers are different companies, however alike their names. Columns for
  street, postcode and city set the customer's head office.
- **Contacts** belong to the customer named by customer number, organisation number or, as a last resort,
  name: exactly as written, else the one customer whose name differs only in case, punctuation and legal
  form ("Acme" for "ACME AS"; several such customers are rejected as ambiguous). An existing contact the
  user can see with the row's email is updated (name, title, the customer it works for; phones, emails and
  roles are added), and without an email, one with the same name at that customer.
- **Addresses** belong to a customer the same way; an existing address of that customer with the same
  street and postcode is updated. A customer's first address becomes its head office, and a "head office"
  column moves it.
- **Empty cells change nothing**: an import never clears a value.
- **Within the file**, the second row with the same customer number, organisation number, email or
  address as an earlier row is rejected, naming the earlier line.
- The acting user must be allowed to write (read-only users cannot import, not even a dry run), and sees
  and updates only the customers and contacts visibility lets them see (SPEC §3); the rest count as
  unknown.

Similar names are found without comparing every pair: when few rows need the check, each asks the store's
trigram name index (`customers.similar_names`, exactly what creating one customer does); for more, the
visible customers' name keys are read once into an in-memory index (`NameIndex`) that, like the store's,
narrows each name to at most about a thousand candidates by the starts and ends of its words before ranking
them with the same scorer and cut-off.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from operator import itemgetter
from types import MappingProxyType
from typing import Any, Generic, Protocol, TypeVar

from rapidfuzz import fuzz, process
from sqlalchemy import Table, bindparam, false, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registry.orgnr import COUNTRIES, InvalidOrgNumber, OrgNumber, candidates, validate
from store import validation
from store.actor import Actor
from store.db import Store
from store.domains import email_domain, website_domain
from store.errors import NO_VALUES, ChangedMeanwhile, InvalidInput, StoreError
from store.models import (
    Address,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactRole,
    Counter,
    Customer,
    CustomerKind,
    Industry,
    RelationLevel,
    User,
    Visibility,
)
from store.names import name_key
from store.services.addresses import ROLES as ADDRESS_ROLES
from store.services.contacts import split_name
from store.services.customers import SIMILAR_CUTOFF, require_writer, similar_names
from store.types import utcnow
from store.visibility import contact_visible, customer_row_visible, customer_visible

MAX_FILE_BYTES = 200 * 1024 * 1024
BATCH = 1000  # rows per INSERT/UPDATE statement
IN_CHUNK = 500  # values per IN (...) list
INDEX_LOOKUPS = 200  # up to this many names are checked through the store's index, one query each
PROGRESS_EVERY = 2000
ANALYZE_AFTER = 1000  # rows written; PostgreSQL then refreshes the tables' statistics (see run_import)

T = TypeVar("T")
Progress = Callable[[str, int, int], None]  # (phase, done, total)


class Kind(StrEnum):
    CUSTOMERS = "customers"
    CONTACTS = "contacts"
    ADDRESSES = "addresses"


class ImportFileError(InvalidInput):
    """The file as a whole cannot be imported: not CSV, empty, or no header kundebot recognises."""


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    partial: bool = False  # write the good rows even when some are rejected
    allow_similar: bool = False  # create customers even when a similar name exists


@dataclass(frozen=True)
class Reason:
    """One problem with a row: `text` in English, and the catalogue's message for it (bot/i18n.py): `key` is
    the whole catalogue key, "import.reason.*" for the import's own words or "error.*" for a store error's
    (whose English message, first letter lowered and without its full stop, is `text`), formatted with
    `values`. A value named `what` (or `delimiter`) is an English word the catalogue translates too."""

    text: str
    key: str | None = None
    values: Mapping[str, Any] = field(default_factory=lambda: NO_VALUES)


# Reasons of rows rejected for a name close to another customer's: importing with `allow_similar` creates them.
SIMILAR_NAME_KEYS = frozenset({"import.reason.similar_existing", "import.reason.similar_new"})


@dataclass(frozen=True)
class RowProblem:
    """A rejected row. `reason` is the English text (logs, the command line); `key` and `values` are its
    catalogue message when the row had one problem (None when it had several), and `parts` holds every
    problem's (`reason` is their texts joined with "; ")."""

    line: int
    reason: str
    label: str = ""  # what the row is about (a name, an email), for the report
    key: str | None = None
    values: Mapping[str, Any] = field(default_factory=lambda: NO_VALUES)
    parts: tuple[Reason, ...] = ()

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Each problem of the row, with its catalogue message (the English text alone when it has none)."""
        return self.parts or (Reason(self.reason, self.key, self.values),)


@dataclass
class ImportReport:
    kind: Kind
    file_name: str
    encoding: str
    delimiter: str
    options: ImportOptions
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowProblem] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field -> the header it was read from
    written: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))

    def counts(self) -> str:
        """ "created 97, updated 12, 3 unchanged, 4 rejected" ("would create ..." when nothing was written)."""
        if self.written:
            parts = [f"created {self.created}", f"updated {self.updated}"]
        else:
            parts = [f"would create {self.created}", f"would update {self.updated}"]
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        parts.append(f"{len(self.rejected)} rejected")
        return ", ".join(parts)

    def summary(self) -> str:
        """What happened to the file's rows, in one or two sentences."""
        noun = "row" if self.rows == 1 else "rows"
        counts = f"{self.rows} {noun} of {self.kind.value}: {self.counts()}."
        if self.options.dry_run:
            return f"Dry run, nothing written. {counts}"
        if self.written:
            return f"Imported. {counts}"
        if self.rejected and not self.options.partial:
            return f"Nothing imported, as rows were rejected. {counts}"
        return f"Nothing to import. {counts}"


DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe"}


# --- reading the file -------------------------------------------------------------------------------------


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (the line the record starts on, its fields)
    encoding: str
    delimiter: str


_SEP_LINE = re.compile(r"\A\ufeff?sep=(.)[ \t]*\r?\n", re.IGNORECASE)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding: a BOM decides; else UTF-8 when valid, else windows-1252."""
    for bom, codec, label in (
        (codecs.BOM_UTF8, "utf-8", "UTF-8 with BOM"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace"), label
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:  # bytes windows-1252 leaves undefined: ISO-8859-1 reads anything
        return data.decode("latin-1"), "ISO-8859-1"


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of each record; a quoted field may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=False)
    line = 0
    try:
        for fields in reader:
            yield line + 1, fields
            line = reader.line_num
    except csv.Error as exc:
        raise ImportFileError(
            f"Line {line + 1} cannot be read ({exc}); is a quote never closed?",
            field_name="file",
            key="import.unreadable_line",
            line=line + 1,
            reason=str(exc),
        ) from exc


def _blank(fields: Sequence[str]) -> bool:
    return not any(f.strip() for f in fields)


def _sniff(text: str) -> str:
    """The delimiter under which the header has the most known column names, then the most consistent
    field counts, then the most columns."""
    sample = text[:65536]
    best: tuple[tuple[int, float, int], str] | None = None
    for delimiter in DELIMITERS:
        records: list[list[str]] = []
        try:
            for _, fields in _records(sample, delimiter):
                if not _blank(fields):
                    records.append(fields)
                if len(records) >= 30:
                    break
        except ImportFileError:
            continue
        if not records:
            continue
        header = records[0]
        known = sum(1 for name in header if _compact(name) in _ALL_KNOWN)
        width = len(_trim(header))
        same = sum(1 for r in records[1:] if len(_trim(r)) == width) / max(len(records) - 1, 1)
        score = (known, same if width > 1 else 0.0, width)
        if best is None or score > best[0]:
            best = (score, delimiter)
    return best[1] if best else ","


def _trim(fields: Sequence[str]) -> list[str]:
    """Fields without trailing empty ones (Excel pads rows with delimiters)."""
    out = list(fields)
    while out and not out[-1].strip():
        out.pop()
    return out


DELIMITERS = (";", ",", "\t", "|")


def read_table(data: bytes) -> CsvTable:
    """The header and records of a CSV file; raises ImportFileError for what is no CSV at all."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"The file is {len(data) // 1_000_000} MB; split it into files of at most "
            f"{MAX_FILE_BYTES // 1_000_000} MB.",
            field_name="file",
            key="import.too_big",
            size=len(data) // 1_000_000,
            limit=MAX_FILE_BYTES // 1_000_000,
        )
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "This is an Excel workbook, not CSV. In Excel: File → Save As → CSV (semicolon or comma "
            "separated), then import that file.",
            field_name="file",
            key="import.excel",
        )
    text, encoding = decode(data)
    text = text.replace("\x00", "")
    sep = _SEP_LINE.match(text)
    delimiter = sep.group(1) if sep else _sniff(text)
    records = _records(text, delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for line, fields in records:
        if sep and line == 1:
            continue
        if header is None:
            if not _blank(fields):
                header = [f.strip().lstrip("\ufeff").strip() for f in fields]
            continue
        if not _blank(fields):
            rows.append((line, fields))
    if header is None:
        raise ImportFileError(
            "The file is empty: no header line and no rows.", field_name="file", key="import.empty"
        )
    return CsvTable(header, rows, encoding, delimiter)


# --- the columns --------------------------------------------------------------------------------------------

# Header names per field, in English, Norwegian and Swedish, "|"-separated. Matching ignores case, spaces and
# punctuation ("Org.nr", "org nr" and "ORGNR" are the same); "#" reads as "no" ("Customer #" = "Customer no").
_NAMES = "Name|Navn|Namn"
_CUSTOMER_NAMES = (
    "Customer|Customer name|Company|Company name|Account|Account name|Organisation|Organization|"
    "Kunde|Kundenavn|Firma|Firmanavn|Bedrift|Selskap|Selskapsnavn|Foretak|Foretaksnavn|"
    "Kund|Kundnamn|Företag|Företagsnamn|Bolag"
)
_CUSTOMER_NUMBER = (
    "Customer number|Customer no|Customer nr|Customer id|Cust no|Kundenummer|Kundenr|Kunde nr|"
    "Kundnummer|Kundnr|Kund nr"
)
_ORG_NUMBER = (
    "Org nr|Org no|Org number|Org nummer|Organisation number|Organization number|Organisation no|"
    "Organisasjonsnummer|Organisasjonsnr|Foretaksnummer|Foretaksnr|Organisationsnummer|Organisationsnr|"
    "Business ID|Y-tunnus|CVR|CVR-nummer|CVR-nr|Company number|Company registration number|Registration number"
)
_COUNTRY = "Country|Country code|Land|Landkode|Landskod"
_FIRST_NAME = "First name|Given name|Fornavn|Förnamn"
_STREET = (
    "Street|Street address|Address|Address 1|Address line 1|Adresse|Adresse 1|Adresselinje 1|Gateadresse|"
    "Postadresse|Besøksadresse|Adress|Adress 1|Gatuadress|Postadress|Besöksadress|Utdelningsadress"
)
_ADDRESS = {
    "street": _STREET,
    "street2": "Address 2|Address line 2|Street 2|Adresse 2|Adresselinje 2|Adress 2|c/o",
    "street3": "Address 3|Address line 3|Street 3|Adresse 3|Adresselinje 3|Adress 3",
    "postcode": "Postal code|Postcode|Post code|Zip|Zip code|Postnummer|Postnr|Post nr|Postkod",
    "city": "City|Town|Poststed|Sted|By|Ort|Postort|Stad",
}
COLUMN_NAMES: dict[Kind, dict[str, str]] = {
    Kind.CUSTOMERS: {
        "customer_number": _CUSTOMER_NUMBER,
        "org_number": _ORG_NUMBER,
        "country": _COUNTRY,
        "name": f"{_NAMES}|{_CUSTOMER_NAMES}",
        "first_name": _FIRST_NAME,
        "kind": "Kind|Type|Customer type|Customer kind|Kundetype|Kundtyp|Typ",
        "website": (
            "Website|Web site|Web|Homepage|URL|Www|Nettside|Nettsted|Hjemmeside|Webside|"
            "Hemsida|Webbplats|Webbsida|Webbadress"
        ),
        "vat_number": "VAT number|VAT no|VAT|VAT ID|MVA-nummer|MVA nr|MVA|Momsnummer|Momsreg nr",
        "industry": "Industry|Industry code|Bransje|Næring|Næringskode|Bransch",
        "employees": "Employees|Number of employees|No of employees|Ansatte|Antall ansatte|Anställda|Antal anställda",
        "owner": (
            "Owner|Account manager|Account owner|Kundeansvarlig|Ansvarlig|Selger|Eier|"
            "Kundansvarig|Ansvarig|Säljare|Ägare"
        ),
        "relation_level": "Relation level|Customer level|Level|Relasjonsnivå|Kundenivå|Nivå|Relationsnivå|Kundnivå",
        "description": (
            "Description|Notes|Note|Comment|Comments|Beskrivelse|Notat|Notater|Kommentar|Merknad|"
            "Beskrivning|Anteckning|Anteckningar"
        ),
        **_ADDRESS,
    },
    Kind.CONTACTS: {
        "customer_number": _CUSTOMER_NUMBER,
        "org_number": _ORG_NUMBER,
        "country": _COUNTRY,
        "customer_name": _CUSTOMER_NAMES,
        "full_name": (
            f"{_NAMES}|Full name|Contact|Contact name|Contact person|Kontakt|Kontaktperson|Kontaktnavn|"
            "Fullt navn|Kontaktnamn"
        ),
        "first_name": _FIRST_NAME,
        "last_name": "Last name|Surname|Family name|Etternavn|Efternamn",
        "title": "Title|Job title|Position|Tittel|Stilling|Stillingstittel|Titel|Befattning",
        "email": "Email|E-mail|Email address|E-mail address|Mail|E-post|E-postadresse|E-postadress|Mejl",
        "phone": (
            "Phone|Phone number|Telephone|Mobile|Mobile phone|Cell|Cell phone|Work phone|Tel|Tlf|Tlf nr|"
            "Telefon|Telefonnummer|Mobil|Mobilnummer|Mobiltelefon|Direktenummer"
        ),
        "roles": "Role|Roles|Rolle|Roller|Roll",
    },
    Kind.ADDRESSES: {
        "customer_number": _CUSTOMER_NUMBER,
        "org_number": _ORG_NUMBER,
        "country": _COUNTRY,
        "customer_name": f"{_NAMES}|{_CUSTOMER_NAMES}",
        **_ADDRESS,
        "address_roles": (
            "Address type|Address role|Type|Role|Roles|Adressetype|Adresserolle|Rolle|Adresstyp|Typ|Roll"
        ),
        "head_office": "Head office|Main address|Main office|Hovedkontor|Hovedadresse|Huvudkontor|Huvudadress",
    },
}
MULTI_VALUED = frozenset({"phone", "email"})  # several columns (Telefon, Mobil) all count


def _compact(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold().replace("#", "no")
    return "".join(ch for ch in text if ch.isalnum())


_LOOKUP: dict[Kind, dict[str, str]] = {
    kind: {_compact(alias): name for name, aliases in fields.items() for alias in aliases.split("|")}
    for kind, fields in COLUMN_NAMES.items()
}
_ALL_KNOWN = frozenset(alias for table in _LOOKUP.values() for alias in table)


@dataclass
class Columns:
    """Which column holds which field (several for phones and emails), and what is left over."""

    index: dict[str, list[int]]
    names: dict[str, str]  # field -> header name (the first column's)
    unknown: list[str]

    def row(self, fields: Sequence[str]) -> dict[str, str]:
        """Every single-valued field of a record, whitespace collapsed; "" when empty or absent."""
        out: dict[str, str] = defaultdict(str)
        for name, cols in self.index.items():
            i = cols[0]
            if i < len(fields) and fields[i]:
                value = " ".join(fields[i].split())
                if value:
                    out[name] = value
        return out

    def raw(self, fields: Sequence[str], name: str) -> str:
        cols = self.index.get(name)
        if not cols or cols[0] >= len(fields):
            return ""
        return fields[cols[0]].strip()

    def all(self, fields: Sequence[str], name: str) -> list[str]:
        return [fields[i].strip() for i in self.index.get(name, []) if i < len(fields) and fields[i].strip()]

    def has(self, *names: str) -> bool:
        return any(n in self.index for n in names)


def map_columns(kind: Kind, header: Sequence[str]) -> Columns:
    lookup = _LOOKUP[kind]
    index: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    unknown: list[str] = []
    for i, name in enumerate(header):
        if not name:
            continue  # Excel's trailing empty columns
        found = lookup.get(_compact(name))
        if found is None or (found in index and found not in MULTI_VALUED):
            unknown.append(name)
            continue
        index.setdefault(found, []).append(i)
        names.setdefault(found, name)
    return Columns(index, names, unknown)


_KIND_WORDS = {
    Kind.CONTACTS: ("contact", "kontakt"),
    Kind.ADDRESSES: ("address", "adresse", "adress"),
    Kind.CUSTOMERS: ("customer", "kunde", "kund", "firma", "företag", "company", "companies"),
}


def guess_kind(header: Sequence[str], hint: str = "") -> Kind:
    """What a file holds: a word in `hint` (the message or file name: "kontakter.csv", "import addresses")
    decides; else the columns (contact columns: contacts; address columns with a type or head-office
    column and no customer column: addresses); else customers."""
    words = hint.casefold()
    for kind, stems in _KIND_WORDS.items():
        if any(stem in words for stem in stems):
            return kind
    contacts = map_columns(Kind.CONTACTS, header)
    if contacts.has("email", "first_name", "last_name", "title", "phone") and contacts.has(
        "customer_number", "org_number", "customer_name"
    ):
        return Kind.CONTACTS
    addresses = map_columns(Kind.ADDRESSES, header)
    customers = map_columns(Kind.CUSTOMERS, header)
    customer_only = ("kind", "website", "vat_number", "industry", "employees", "owner", "relation_level")
    if addresses.has("address_roles", "head_office") and not customers.has(*customer_only):
        return Kind.ADDRESSES
    return Kind.CUSTOMERS


# --- values -------------------------------------------------------------------------------------------------


class Reject(Exception):
    """A row's problem, in the words of the report: `str()` is the English text, `parts` each problem with
    its catalogue message ("import.reason." + `key`, formatted with `values`)."""

    def __init__(self, text: str, *, key: str | None = None, **values: Any) -> None:
        super().__init__(text)
        full = f"import.reason.{key}" if key else None
        self.parts: tuple[Reason, ...] = (Reason(text, full, MappingProxyType(values)),)

    @classmethod
    def joined(cls, parts: Sequence[Reason]) -> Reject:
        """Several problems of one row as one rejection; its text joins theirs with "; "."""
        reject = cls("; ".join(p.text for p in parts))
        reject.parts = tuple(parts)
        return reject

    @classmethod
    def of_error(cls, exc: StoreError) -> Reject:
        """A store error as a row's problem: its message, first letter lowered and without its full stop,
        and its own catalogue message ("error." + its key)."""
        reject = cls(_lower_first(str(exc).rstrip(".")))
        if exc.key:
            reject.parts = (Reason(str(reject), f"error.{exc.key}", exc.values),)
        return reject


_COUNTRY_NAMES = {
    **dict.fromkeys(("norge", "noreg", "norway"), "NO"),
    **dict.fromkeys(("sverige", "sweden"), "SE"),
    **dict.fromkeys(("suomi", "finland"), "FI"),
    **dict.fromkeys(("danmark", "denmark"), "DK"),
    **dict.fromkeys(("island", "iceland", "ísland"), "IS"),
    **dict.fromkeys(("tyskland", "germany", "deutschland"), "DE"),
    **dict.fromkeys(("storbritannia", "storbritannien", "united kingdom", "uk"), "GB"),
}


def parse_country(value: str) -> str:
    text = value.strip()
    named = _COUNTRY_NAMES.get(text.casefold())
    if named:
        return named
    if len(text) == 2 and text.isascii() and text.isalpha():
        return text.upper()
    raise Reject(
        f"unknown country {text!r} (use a two-letter code such as NO, SE, FI or DK)",
        key="unknown_country",
        country=text,
    )


_ORG_NAMES = {"NO": "Norwegian", "SE": "Swedish", "FI": "Finnish", "DK": "Danish"}
_NON_DIGITS = re.compile(r"[\s.\-]")


def parse_org_number(value: str, country: str | None) -> OrgNumber:
    """The organisation number, its country detected from the number (the row's country settles a number
    valid in two countries)."""
    text = value.strip()
    found = _candidates(text)
    if len(found) == 1:  # also under another country: a Swedish firm's Norwegian branch has a Norwegian one
        return found[0]
    for org in found:
        if org.country == country:
            return org
    if found:
        first, last = " and ".join(o.country for o in found[:-1]), found[-1].country
        raise Reject(
            f"organisation number {text!r} is valid in both {first} and {last}; add a Country column",
            key="org_several_countries",
            number=text,
            first=first,
            last=last,
        )
    if country and country not in COUNTRIES:
        raise Reject(
            f"organisation number {text!r}: kundebot checks organisation numbers of NO, SE, FI and DK only; "
            f"leave the column empty for customers in {country}",
            key="org_country_unchecked",
            number=text,
            country=country,
        )
    guess = country or {9: "NO", 10: "SE"}.get(len(_NON_DIGITS.sub("", text)))
    if guess:
        try:
            validate(text, guess)
        except InvalidOrgNumber as exc:
            detail = _lower_first(str(exc).rpartition(" (")[2].rstrip(").")) or "bad check digit"
            what = f"{_ORG_NAMES[guess]} number"
            raise Reject(
                f"invalid organisation number {text!r}: not a valid {what} ({detail})",
                key="org_invalid_in_country",
                number=text,
                what=what,
                reason=detail,
            ) from None
    raise Reject(
        f"invalid organisation number {text!r}: not valid in NO, SE, FI or DK", key="org_invalid", number=text
    )


_BY_LENGTH = {9: ("NO",), 10: ("SE",), 8: ("FI", "DK")}  # digits of a compact number -> where it can be


def _candidates(text: str) -> list[OrgNumber]:
    """registry.orgnr.candidates, asking only the countries whose numbers have this many digits."""
    countries = _BY_LENGTH.get(len(_NON_DIGITS.sub("", text)))
    if countries is None:
        return candidates(text)
    found = []
    for country in countries:
        try:
            found.append(validate(text, country))
        except InvalidOrgNumber:
            continue
    return found


def parse_customer_number(value: str) -> int:
    digits = re.sub(r"[\s\u00a0]", "", value).lstrip("#")
    if not digits.isdigit() or len(digits) > 9:
        raise Reject(
            f"customer number {value.strip()!r} is not a number",
            key="bad_customer_number",
            value=value.strip(),
        )
    return int(digits)


def parse_count(value: str, what: str) -> int:
    digits = re.sub(r"[\s\u00a0\u202f.']", "", value)
    if not digits.isdigit():
        raise Reject(
            f"{what} {value.strip()!r} is not a whole number",
            key="not_whole_number",
            what=what,
            value=value.strip(),
        )
    return int(digits)


_YES = frozenset({"yes", "y", "ja", "j", "true", "x", "1", "sant", "✓"})
_NO = frozenset({"no", "n", "nei", "nej", "false", "0", "usant", "-"})


def parse_yes_no(value: str, what: str) -> bool | None:
    text = value.strip().casefold()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise Reject(
        f"{what} {value.strip()!r}: write yes or no (ja/nei, ja/nej)",
        key="not_yes_no",
        what=what,
        value=value.strip(),
    )


_CUSTOMER_KINDS = {
    CustomerKind.CUSTOMER: "customer|client|kunde|kund",
    CustomerKind.SUPPLIER: "supplier|vendor|leverandør|leverantör",
    CustomerKind.PRIVATE: "private|private customer|privat|privatkunde|privatperson|privatkund",
    CustomerKind.PARTNER: "partner|samarbeidspartner|samarbetspartner",
    CustomerKind.PROSPECT: "prospect|lead|prospekt|potensiell kunde|potentiell kund|emne",
}
_KIND_LOOKUP = {_compact(word): kind for kind, words in _CUSTOMER_KINDS.items() for word in words.split("|")}


def parse_kind(value: str) -> CustomerKind:
    found = _KIND_LOOKUP.get(_compact(value))
    if found is None:
        raise Reject(
            f"unknown customer type {value.strip()!r} (use customer, supplier, private, partner or prospect)",
            key="unknown_kind",
            value=value.strip(),
        )
    return found


_ADDRESS_ROLE_WORDS = {
    "postal": "postal|post|postal address|mailing address|postadresse|postadress",
    "visiting": "visiting|visit|visiting address|besøk|besøksadresse|besök|besöksadress",
    "billing": "billing|invoice|invoicing|billing address|faktura|fakturaadresse|fakturering|fakturaadress",
    "delivery": "delivery|shipping|delivery address|levering|leveringsadresse|vareadresse|leverans|leveransadress",
    "attestation": "attestation|attestasjon|attest|attestering",
}
_ROLE_LOOKUP = {_compact(w): role for role, words in _ADDRESS_ROLE_WORDS.items() for w in words.split("|")}
_LIST_SEPARATORS = re.compile(r"\s*(?:[,;/+&]|\bog\b|\boch\b|\band\b)\s*", re.IGNORECASE)


def parse_address_roles(value: str) -> tuple[str, ...]:
    roles: list[str] = []
    for part in _LIST_SEPARATORS.split(value):
        if not part.strip():
            continue
        role = _ROLE_LOOKUP.get(_compact(part))
        if role is None:
            types = ", ".join(ADDRESS_ROLES)
            raise Reject(
                f"unknown address type {part.strip()!r} (use {types})",
                key="unknown_address_type",
                value=part.strip(),
                types=types,
            )
        if role not in roles:
            roles.append(role)
    return tuple(roles)


def _text(value: str, what: str, limit: int) -> str:
    return _checked(lambda: validation.required_text(value, what, max_length=limit))


def _checked(what: Callable[[], T]) -> T:
    """Run a validation of store.validation; its InvalidInput becomes a Reject with the same words."""
    try:
        return what()
    except InvalidInput as exc:
        raise Reject.of_error(exc) from None


class _Problems:
    """A row's problems, collected so that one report line names them all."""

    def __init__(self) -> None:
        self.found: list[Reason] = []

    def attempt(self, work: Callable[[], T]) -> T | None:
        try:
            return work()
        except Reject as exc:
            self.found.extend(exc.parts)
            return None

    def add(self, text: str, *, key: str, **values: Any) -> None:
        self.found.extend(Reject(text, key=key, **values).parts)

    def raise_any(self) -> None:
        if self.found:
            raise Reject.joined(self.found)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


@dataclass(frozen=True)
class AddressValues:
    lines: tuple[str, ...]
    postcode: str | None
    city: str | None
    country: str | None  # None: the customer's (or NO)

    def same_place(self, line1: str | None, postcode: str | None) -> bool:
        return _place_key(self.lines[0] if self.lines else None, self.postcode) == _place_key(line1, postcode)


def _place_key(line1: str | None, postcode: str | None) -> tuple[str, str]:
    return (" ".join((line1 or "").casefold().split()), re.sub(r"\s", "", postcode or "").casefold())


def _address_values(cells: dict[str, str], raw_street: str, country: str | None) -> AddressValues | None:
    """The address of a row; a street cell with line breaks (Alt+Enter in Excel) holds several lines."""
    lines = [" ".join(x.split()) for x in raw_street.splitlines() if x.strip()]
    lines += [cells[n] for n in ("street2", "street3") if cells[n]]
    postcode, city = cells["postcode"], cells["city"]
    if not lines and not postcode and not city:
        return None
    if not lines and not city:
        raise Reject(
            "an address needs at least a street line or a city", key="address_without_street_or_city"
        )
    if len(lines) > 3:
        raise Reject("an address has at most three street lines", key="address_too_many_lines")
    return AddressValues(
        tuple(_text(line, "street line", 200) for line in lines),
        _text(postcode, "postcode", 20) if postcode else None,
        _text(city, "city", 100) if city else None,
        country,
    )


# --- the in-memory name index --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameEntry:
    label: str  # "Acme AS (#10023)", or a row of the file: its name ("Acme AS")
    has_org: bool
    existing: bool = False  # a customer in the store (else a row of the file)
    line: int | None = None  # a row of the file: its line


class NameIndex:
    """Similar-name look-ups over many names without comparing every pair.

    Each name key is filed under the first and the last three letters of each of its words (a shorter word
    under itself). A look-up takes the names filed under the key's rarest tokens, as many whole lists as fit
    in CANDIDATES (always the rarest one), and ranks those with rapidfuzz: token_sort_ratio with the cut-off
    of the store's own duplicate check (the keys are kept with their words sorted, so plain `ratio` computes
    it). Two names that close share most of their letters, so they share the start or the end of a word;
    common words ("bygg", "consulting") are the long lists a look-up skips.
    """

    CANDIDATES = 1000
    MAX_POSTING = 5000  # when even the rarest token is this common, its latest names only

    def __init__(self) -> None:
        self._sorted: list[str] = []
        self._entries: list[NameEntry] = []
        self._postings: dict[str, list[int]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def tokens(key: str) -> set[str]:
        out: set[str] = set()
        for word in key.split():
            if len(word) < 3:
                out.add("=" + word)
            else:
                out.add("<" + word[:3])
                out.add(">" + word[-3:])
        return out

    def add(self, key: str, entry: NameEntry) -> None:
        if not key:
            return
        i = len(self._entries)
        self._entries.append(entry)
        self._sorted.append(" ".join(sorted(key.split())))
        for token in self.tokens(key):
            self._postings[token].append(i)

    def similar(self, key: str, limit: int = 3) -> list[tuple[NameEntry, float]]:
        if not key or not self._entries:
            return []
        postings = sorted((self._postings[t] for t in self.tokens(key) if t in self._postings), key=len)
        if not postings:
            return []
        ids = postings[0][-self.MAX_POSTING :]
        if len(postings) > 1 and len(ids) + len(postings[1]) <= self.CANDIDATES:
            chosen = set(ids)
            for posting in postings[1:]:
                if len(chosen) + len(posting) > self.CANDIDATES:
                    break
                chosen.update(posting)
            ids = list(chosen)
        choices = [self._sorted[ids[0]]] if len(ids) == 1 else itemgetter(*ids)(self._sorted)
        wanted = " ".join(sorted(key.split()))
        hits = process.extract(wanted, choices, scorer=fuzz.ratio, score_cutoff=SIMILAR_CUTOFF, limit=limit)
        return [(self._entries[ids[j]], float(score)) for _, score, j in hits]


# --- shared look-ups ----------------------------------------------------------------------------------------


def _chunks(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


@dataclass
class KnownCustomer:
    id: int
    number: int
    name: str
    name_key: str
    org_number: str | None
    org_country: str | None
    visible: bool
    deleted: bool
    fields: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.name} (#{self.number})"

    @property
    def org_key(self) -> tuple[str, str] | None:
        return (self.org_country, self.org_number) if self.org_number and self.org_country else None


_CUSTOMER_FIELDS = (
    "first_name",
    "kind",
    "website",
    "vat_number",
    "industry_id",
    "employees",
    "owner_id",
    "relation_level",
    "description",
)
_CUSTOMER_COLUMNS = (
    Customer.id,
    Customer.customer_number,
    Customer.name,
    Customer.name_key,
    Customer.org_number,
    Customer.org_country,
    Customer.visibility,
    Customer.owner_id,
    Customer.deleted_at,
    *(getattr(Customer, f) for f in _CUSTOMER_FIELDS if f != "owner_id"),
)


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value


class Lookup:
    """What the rows refer to, read from the store in batches and kept by key."""

    def __init__(self, session: AsyncSession, actor: Actor, *, lock: bool) -> None:
        self.session = session
        self.actor = actor
        self.lock = lock and session.get_bind().dialect.name == "postgresql"  # SQLite: the write lock
        self.by_id: dict[int, KnownCustomer] = {}
        self.by_number: dict[int, KnownCustomer] = {}
        self.by_org: dict[tuple[str, str], KnownCustomer] = {}
        self.by_key: dict[str, list[KnownCustomer]] = defaultdict(list)

    def _known(self, row: Any) -> KnownCustomer:
        found = self.by_id.get(row.id)
        if found is not None:
            return found
        deleted = row.deleted_at is not None
        org_country = _enum_value(row.org_country)
        known = KnownCustomer(
            id=row.id,
            number=row.customer_number,
            name=row.name,
            name_key=row.name_key,
            org_number=row.org_number,
            org_country=org_country,
            visible=customer_row_visible(self.actor, row.visibility, row.owner_id, False),
            deleted=deleted,
            fields={f: _enum_value(getattr(row, f)) for f in _CUSTOMER_FIELDS},
        )
        self.by_id[known.id] = known
        self.by_number[known.number] = known
        if known.org_key:
            self.by_org[known.org_key] = known
        return known

    async def _load(self, where: Any) -> list[KnownCustomer]:
        stmt = select(*_CUSTOMER_COLUMNS).where(where)
        if self.lock:
            stmt = stmt.with_for_update(of=Customer.__table__)
        return [self._known(row) for row in await self.session.execute(stmt)]

    async def customers_by_number(self, numbers: Iterable[int]) -> None:
        wanted = sorted(set(numbers) - set(self.by_number))
        for chunk in _chunks(wanted, IN_CHUNK):
            await self._load(Customer.customer_number.in_(chunk))

    async def customers_by_org(self, orgs: Iterable[tuple[str, str]]) -> None:
        """Deleted customers too: their numbers are still taken (the unique constraint). Asked per country,
        so the (org_country, org_number) index of that constraint finds them."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for country, number in orgs:
            if (country, number) not in self.by_org:
                wanted[country].add(number)
        for country, numbers in sorted(wanted.items()):
            for chunk in _chunks(sorted(numbers), IN_CHUNK):
                await self._load((Customer.org_country == country) & Customer.org_number.in_(chunk))

    async def customers_by_name(self, keys: Iterable[str]) -> None:
        wanted = sorted({k for k in keys if k and k not in self.by_key})
        for chunk in _chunks(wanted, IN_CHUNK):
            for known in await self._load(Customer.name_key.in_(chunk) & Customer.deleted_at.is_(None)):
                same = self.by_key[known.name_key]
                if all(k.id != known.id for k in same):
                    same.append(known)
        for key in wanted:
            self.by_key.setdefault(key, [])

    async def head_offices(self, customer_ids: Iterable[int]) -> dict[int, Any]:
        found: dict[int, Any] = {}
        for chunk in _chunks(sorted(set(customer_ids)), IN_CHUNK):
            rows = await self.session.execute(
                select(Address).where(Address.customer_id.in_(chunk), Address.is_head_office.is_(True))
            )
            for address in rows.scalars():
                found[address.customer_id] = address
        return found

    def resolve(self, ref: CustomerRef) -> KnownCustomer:
        """The visible customer a contact or address row names, or Reject."""
        if ref.number is not None:
            known = self.by_number.get(ref.number)
            if known is None or not known.visible or known.deleted:
                raise Reject(
                    f"unknown customer: no customer #{ref.number}",
                    key="unknown_customer_number",
                    number=ref.number,
                )
            return known
        if ref.org is not None:
            known = self.by_org.get((ref.org.country, ref.org.number))
            if known is None or not known.visible or known.deleted:
                raise Reject(
                    f"unknown customer: no customer with organisation number {ref.org.formatted}",
                    key="unknown_customer_org",
                    org=ref.org.formatted,
                )
            return known
        if ref.name:
            named = [k for k in self.by_key.get(name_key(ref.name), []) if k.visible and not k.deleted]
            exact = [k for k in named if k.name.casefold() == ref.name.casefold()]
            if len(exact) == 1:
                return exact[0]
            if len(named) == 1 and not exact:
                return named[0]
            if named:
                labels = ", ".join(k.label for k in (exact or named)[:3])
                raise Reject(
                    f"several customers are called {ref.name!r} ({labels}); give the customer number",
                    key="ambiguous_customer",
                    name=ref.name,
                    customers=labels,
                )
            raise Reject(f"unknown customer {ref.name!r}", key="unknown_customer_name", name=ref.name)
        raise Reject(
            "no customer: give a customer number, organisation number or customer name", key="no_customer"
        )


@dataclass(frozen=True)
class CustomerRef:
    number: int | None
    org: OrgNumber | None
    name: str | None

    @property
    def label(self) -> str:
        if self.number is not None:
            return f"#{self.number}"
        if self.org is not None:
            return self.org.formatted
        return self.name or ""


def _customer_ref(cells: dict[str, str], country: str | None) -> CustomerRef:
    number, org = cells["customer_number"], cells["org_number"]
    return CustomerRef(
        parse_customer_number(number) if number else None,
        parse_org_number(org, country) if org else None,
        cells["customer_name"] or None,
    )


# --- the import ----------------------------------------------------------------------------------------------


@dataclass
class Context:
    """Small tables every row may refer to, read once."""

    industries: dict[str, int]
    users: dict[str, int]  # email and casefolded name -> id, active users only

    @classmethod
    async def load(cls, session: AsyncSession) -> Context:
        industries: dict[str, int] = {}
        for row in await session.execute(select(Industry.id, Industry.name, Industry.code)):
            industries[row.name.casefold()] = row.id
            if row.code:
                industries[row.code.casefold()] = row.id
        users: dict[str, int] = {}
        for row in await session.execute(select(User.id, User.email, User.name).where(User.active.is_(True))):
            users.setdefault(row.name.casefold(), row.id)
            users[row.email.casefold()] = row.id
        return cls(industries, users)


class _OfCustomer(Protocol):
    """A row that names its customer (contacts, addresses)."""

    line: int
    customer: CustomerRef


_R = TypeVar("_R", bound=_OfCustomer)


_Row = TypeVar("_Row")


class _Import(Generic[_Row]):
    """One import's state: the rows, the decisions, the report. Subclasses know one kind."""

    kind: Kind
    tables: tuple[str, ...]  # what `write` writes to

    def __init__(
        self, actor: Actor, table: CsvTable, options: ImportOptions, report: ImportReport, progress: Progress
    ) -> None:
        self.actor = actor
        self.table = table
        self.options = options
        self.report = report
        self.progress = progress
        self.cols = map_columns(self.kind, table.header)
        report.unknown_columns = self.cols.unknown
        report.columns = dict(self.cols.names)
        self.rejected: dict[int, tuple[Reason, ...]] = {}  # line -> its problems
        self.labels: dict[int, str] = {}
        self.rows: list[_Row] = []  # the rows that passed their checks

    def require_columns(self) -> None:
        raise NotImplementedError

    def reject(self, line: int, problem: Reject) -> None:
        self.rejected.setdefault(line, problem.parts)

    async def resolve_customers(self, lookup: Lookup, rows: Sequence[_R]) -> list[tuple[_R, KnownCustomer]]:
        """Each row's customer (by number, else organisation number, else name), read for all rows at once;
        a row whose customer cannot be found is rejected with the reason."""
        await lookup.customers_by_number(r.customer.number for r in rows if r.customer.number is not None)
        await lookup.customers_by_org(
            (r.customer.org.country, r.customer.org.number) for r in rows if r.customer.org is not None
        )
        await lookup.customers_by_name(
            name_key(r.customer.name) for r in rows if r.customer.name and r.customer.number is None
        )
        resolved: list[tuple[_R, KnownCustomer]] = []
        for row in rows:
            try:
                resolved.append((row, lookup.resolve(row.customer)))
            except Reject as exc:
                self.reject(row.line, exc)
        return resolved

    def check_width(self, fields: Sequence[str]) -> None:
        """A row with values beyond the header's columns would be read shifted: refuse it."""
        extra = sum(1 for f in fields[len(self.table.header) :] if f.strip())
        delimiter = DELIMITER_NAMES.get(self.table.delimiter, self.table.delimiter)
        if extra == 1:
            raise Reject(
                f"1 more value than the header has columns: is the delimiter ({delimiter}) inside a value "
                "without quotes?",
                key="extra_value",
                delimiter=delimiter,
            )
        if extra:
            raise Reject(
                f"{extra} more values than the header has columns: is the delimiter ({delimiter}) inside a "
                "value without quotes?",
                key="extra_values",
                count=extra,
                delimiter=delimiter,
            )

    def clean_rows(self, context: Context) -> None:
        """Check every row: the ones that pass go to `rows`, the others are rejected with their reason."""
        total = len(self.table.rows)
        for done, (line, fields) in enumerate(self.table.rows, start=1):
            self.tick("Checking rows", done, total)
            cells = self.cols.row(fields)
            self.labels[line] = self.row_label(cells)
            try:
                self.check_width(fields)
                self.rows.append(self.clean_row(line, cells, fields, context))
            except Reject as exc:
                self.reject(line, exc)

    def row_label(self, cells: dict[str, str]) -> str:
        """How the report names a row (its rejection reason says what was wrong with it)."""
        raise NotImplementedError

    def clean_row(self, line: int, cells: dict[str, str], fields: Sequence[str], context: Context) -> _Row:
        raise NotImplementedError

    async def decide(self, session: AsyncSession, lookup: Lookup) -> None:
        raise NotImplementedError

    async def write(self, session: AsyncSession) -> None:
        raise NotImplementedError

    def finish_report(self) -> None:
        self.report.rows = len(self.table.rows)
        self.report.rejected = [
            _row_problem(line, parts, self.labels.get(line, ""))
            for line, parts in sorted(self.rejected.items())
        ]

    def tick(self, phase: str, done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            self.progress(phase, done, total)


def _row_problem(line: int, parts: tuple[Reason, ...], label: str) -> RowProblem:
    if len(parts) == 1:
        one = parts[0]
        return RowProblem(line, one.text, label, one.key, one.values, parts)
    return RowProblem(line, "; ".join(p.text for p in parts), label, parts=parts)


def _label_of(*values: str | None) -> str:
    return next((v for v in values if v), "")


async def _insert_returning_ids(
    session: AsyncSession,
    table: Table,
    rows: list[dict[str, Any]],
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Insert `rows` in batches; the new ids in the rows' order.

    PostgreSQL returns them in order from batched INSERTs (RETURNING sorted by parameter order). SQLite
    cannot (SQLAlchemy would fall back to one INSERT per row), but a write transaction there holds the
    database's only write lock from its BEGIN IMMEDIATE, so the ids are handed out here: after the largest.
    """
    ids: list[int] = []
    if session.get_bind().dialect.name == "sqlite":
        start = int((await session.execute(select(func.coalesce(func.max(table.c.id), 0)))).scalar_one())
        ids = list(range(start + 1, start + 1 + len(rows)))
        rows = [{**row, "id": i} for row, i in zip(rows, ids, strict=True)]
        for chunk in _chunks(rows, BATCH):
            await session.execute(insert(table), list(chunk))
            if progress:
                progress(len(chunk))
        return ids
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    for chunk in _chunks(rows, BATCH):
        ids.extend(int(r[0]) for r in await session.execute(stmt, list(chunk)))
        if progress:
            progress(len(chunk))
    return ids


async def _insert_many(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows, BATCH):
        await session.execute(insert(table), list(chunk))


async def _update_many(
    session: AsyncSession, table: Table, changes: list[tuple[int, dict[str, Any]]], *, versioned: bool
) -> None:
    """UPDATE by id, one executemany per set of changed columns; a versioned row's version goes up."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row_id, values in changes:
        keys = tuple(sorted(values))
        groups[keys].append({"b_id": row_id, **{f"b_{k}": v for k, v in values.items()}})
    for keys, params in groups.items():
        columns: dict[str, Any] = {k: bindparam(f"b_{k}") for k in keys}
        if versioned:
            columns["version"] = table.c.version + 1
        stmt = update(table).where(table.c.id == bindparam("b_id")).values(columns)
        for chunk in _chunks(params, BATCH):
            await session.execute(stmt, list(chunk))


def _address_row(
    customer_id: int, values: AddressValues, country: str, roles: Sequence[str], head: bool, user: int
) -> dict[str, Any]:
    now = utcnow()
    padded = [*values.lines, None, None, None]
    return {
        "customer_id": customer_id,
        "line1": padded[0],
        "line2": padded[1],
        "line3": padded[2],
        "postcode": values.postcode,
        "city": values.city,
        "country": country,
        "is_head_office": head,
        **{f"is_{r}": r in roles for r in ADDRESS_ROLES},
        "created_by_id": user,
        "created_at": now,
        "updated_at": now,
    }


def _address_changes(existing: Any, values: AddressValues, country: str | None) -> dict[str, Any]:
    """The columns of an existing address that differ from the row (empty cells change nothing)."""
    changes: dict[str, Any] = {}
    for i, line in enumerate(values.lines[:3]):
        if getattr(existing, f"line{i + 1}") != line:
            changes[f"line{i + 1}"] = line
    for name in ("postcode", "city"):
        value = getattr(values, name)
        if value is not None and getattr(existing, name) != value:
            changes[name] = value
    if country and existing.country != country:
        changes["country"] = country
    return changes


# customers ---------------------------------------------------------------------------------------------------


@dataclass
class CustomerRow:
    line: int
    number: int | None
    name: str | None
    org: OrgNumber | None
    values: dict[str, Any]  # first_name, kind, website, ... as stored
    address: AddressValues | None
    country: str | None

    @property
    def org_key(self) -> tuple[str, str] | None:
        return (self.org.country, self.org.number) if self.org else None


_TEXT_LIMITS = {"first_name": 100, "website": 300, "vat_number": 32}


class CustomerImport(_Import[CustomerRow]):
    kind = Kind.CUSTOMERS
    tables = ("customers", "addresses")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.creates: list[CustomerRow] = []
        self.updates: list[tuple[CustomerRow, KnownCustomer, dict[str, Any]]] = []
        self.address_writes: list[tuple[CustomerRow, KnownCustomer | None]] = []
        self.head_offices: dict[int, Any] = {}

    def require_columns(self) -> None:
        if not self.cols.has("name", "customer_number", "org_number"):
            raise ImportFileError(
                "No column names the customers: the header needs a name (Name, Navn, Namn, Kundenavn, "
                "Företagsnamn...), customer number (Kundenummer, Kundnummer) or organisation number "
                f"(Org.nr, Organisasjonsnummer, Organisationsnummer) column. It has: {_header_list(self.table)}.",
                field_name="file",
                key="import.no_customer_column",
                columns=_header_list(self.table),
            )

    def row_label(self, cells: dict[str, str]) -> str:
        return _label_of(cells["name"], cells["org_number"], cells["customer_number"])

    def clean_row(
        self, line: int, cells: dict[str, str], fields: Sequence[str], context: Context
    ) -> CustomerRow:
        problems = _Problems()
        country = problems.attempt(lambda: parse_country(cells["country"])) if cells["country"] else None
        number = org = name = None
        if cells["customer_number"]:
            number = problems.attempt(lambda: parse_customer_number(cells["customer_number"]))
        if cells["org_number"]:
            org = problems.attempt(lambda: parse_org_number(cells["org_number"], country))
        if cells["name"]:
            name = problems.attempt(lambda: _text(cells["name"], "customer name", 200))
        values: dict[str, Any] = {}
        for key, limit in _TEXT_LIMITS.items():
            if cells[key]:
                values[key] = problems.attempt(partial(_text, cells[key], key.replace("_", " "), limit))
        description = self.cols.raw(fields, "description").replace("\r\n", "\n")
        if description:
            if len(description) > 5000:
                problems.add(
                    "the description is too long (at most 5000 characters)", key="description_too_long"
                )
            values["description"] = description
        if cells["kind"]:
            values["kind"] = problems.attempt(lambda: parse_kind(cells["kind"]))
        if cells["relation_level"]:
            level = cells["relation_level"].upper()
            if level not in RelationLevel.__members__:
                problems.add(
                    f"relation level {cells['relation_level']!r}: use A, B or C",
                    key="bad_relation_level",
                    value=cells["relation_level"],
                )
            values["relation_level"] = level
        if cells["employees"]:
            values["employees"] = problems.attempt(lambda: parse_count(cells["employees"], "employees"))
        if cells["industry"]:
            values["industry_id"] = context.industries.get(cells["industry"].casefold())
            if values["industry_id"] is None:
                problems.add(
                    f"unknown industry {cells['industry']!r}", key="unknown_industry", value=cells["industry"]
                )
        if cells["owner"]:
            values["owner_id"] = context.users.get(cells["owner"].casefold())
            if values["owner_id"] is None:
                problems.add(
                    f"unknown owner {cells['owner']!r} (no active user with that email or name)",
                    key="unknown_owner",
                    value=cells["owner"],
                )
        street = self.cols.raw(fields, "street")
        address = problems.attempt(lambda: _address_values(cells, street, country))
        problems.raise_any()
        return CustomerRow(line, number, name, org, values, address, country)

    async def decide(self, session: AsyncSession, lookup: Lookup) -> None:
        await lookup.customers_by_number(r.number for r in self.rows if r.number is not None)
        await lookup.customers_by_org(r.org_key for r in self.rows if r.org_key)
        seen_numbers: dict[int, int] = {}
        seen_orgs: dict[tuple[str, str], int] = {}
        seen_targets: dict[int, int] = {}
        pending: list[tuple[CustomerRow, KnownCustomer | None]] = []
        for row in self.rows:
            try:
                target = self._target(row, lookup)
                if row.number is not None:
                    if row.number in seen_numbers:
                        raise Reject(
                            f"customer number #{row.number} is also on line {seen_numbers[row.number]}",
                            key="customer_number_repeated",
                            number=row.number,
                            line=seen_numbers[row.number],
                        )
                    seen_numbers[row.number] = row.line
                if row.org_key:
                    if row.org_key in seen_orgs:
                        org = row.org.formatted if row.org else ""
                        raise Reject(
                            f"organisation number {org} is also on line {seen_orgs[row.org_key]}",
                            key="org_number_repeated",
                            org=org,
                            line=seen_orgs[row.org_key],
                        )
                    seen_orgs[row.org_key] = row.line
                if target is not None:
                    if target.id in seen_targets:
                        raise Reject(
                            f"updates {target.label}, as line {seen_targets[target.id]} does",
                            key="customer_updated_twice",
                            customer=target.label,
                            line=seen_targets[target.id],
                        )
                    seen_targets[target.id] = row.line
                elif not row.name:
                    raise Reject("missing name: a new customer needs a name", key="missing_customer_name")
            except Reject as exc:
                self.reject(row.line, exc)
                continue
            pending.append((row, target))
        await self._check_names(session, lookup, [row for row, target in pending if target is None])
        heads = await lookup.head_offices(t.id for r, t in pending if t is not None and r.address)
        for row, target in pending:
            if row.line in self.rejected:
                continue
            if target is None:
                self.creates.append(row)
                if row.address:
                    self.address_writes.append((row, None))
                continue
            changes = self._changes(row, target)
            head = heads.get(target.id)
            address_changed = row.address is not None and (
                head is None or bool(_address_changes(head, row.address, row.address.country))
            )
            if changes or address_changed:
                self.updates.append((row, target, changes))
                if address_changed:
                    self.address_writes.append((row, target))
            else:
                self.report.unchanged += 1
        self.head_offices = heads
        self.report.created, self.report.updated = len(self.creates), len(self.updates)

    def _target(self, row: CustomerRow, lookup: Lookup) -> KnownCustomer | None:
        if row.number is not None:
            known = lookup.by_number.get(row.number)
            if known is None or not known.visible or known.deleted:
                raise Reject(
                    f"no customer #{row.number} (leave the customer number empty to create a new customer)",
                    key="no_customer_number",
                    number=row.number,
                )
            if row.org_key and row.org_key != known.org_key:
                other = lookup.by_org.get(row.org_key)
                if other is not None and other.id != known.id:
                    raise _org_taken(row.org, other)
            return known
        if row.org_key:
            known = lookup.by_org.get(row.org_key)
            if known is not None:
                if not known.visible or known.deleted:
                    raise _org_taken(row.org, known)
                return known
        return None

    async def _check_names(self, session: AsyncSession, lookup: Lookup, rows: list[CustomerRow]) -> None:
        """New customers' names against the visible customers and earlier new rows (SPEC §3).

        Names matter when one of the two has no organisation number: a row with one is compared with the
        names without one, a row without one with every name. For many rows, the visible customers' names
        are read into the same in-memory indexes as the file's; for few, each row asks the store's index.
        """
        if self.options.allow_similar or not rows:
            return
        every, without_org = NameIndex(), NameIndex()
        store_in_memory = len(rows) > INDEX_LOOKUPS
        if store_in_memory:
            stmt = select(
                Customer.customer_number, Customer.name, Customer.name_key, Customer.org_number
            ).where(customer_visible(self.actor))
            for number, name, key, org_number in await session.execute(stmt):
                entry = NameEntry(f"{name} (#{number})", org_number is not None, existing=True)
                every.add(key, entry)
                if org_number is None:
                    without_org.add(key, entry)
        for done, row in enumerate(rows, start=1):
            self.tick("Comparing names", done, len(rows))
            key = name_key(row.name or "")
            try:
                hits = [] if store_in_memory else await self._similar_in_store(session, lookup, row)
                hits = hits or (without_org if row.org else every).similar(key)
                if hits:
                    entry = hits[0][0]
                    raise _similar_reason(entry)
            except Reject as exc:
                self.reject(row.line, exc)
                continue
            entry = NameEntry(row.name or "", row.org is not None, line=row.line)
            every.add(key, entry)
            if row.org is None:
                without_org.add(key, entry)

    async def _similar_in_store(
        self, session: AsyncSession, lookup: Lookup, row: CustomerRow
    ) -> list[tuple[NameEntry, float]]:
        found = await similar_names(session, self.actor, row.name or "", limit=20)
        if not found:
            return []
        await lookup.customers_by_number(s.customer_number for s in found)
        hits = []
        for s in found:
            known = lookup.by_number.get(s.customer_number)
            has_org = bool(known and known.org_number)
            if row.org is None or not has_org:
                hits.append((NameEntry(f"{s.name} (#{s.customer_number})", has_org, existing=True), s.score))
        return hits

    def _changes(self, row: CustomerRow, target: KnownCustomer) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if row.name and row.name != target.name:
            changes["name"] = row.name
            changes["name_key"] = name_key(row.name)
        if row.org_key and row.org_key != target.org_key and row.org:
            changes["org_number"], changes["org_country"] = row.org.number, row.org.country
        for key, value in row.values.items():
            if target.fields.get(key) != _enum_value(value):
                changes[key] = _enum_value(value)
        if "website" in changes:
            changes["web_domain"] = website_domain(changes["website"])
        return changes

    async def write(self, session: AsyncSession) -> None:
        table: Table = Customer.__table__  # type: ignore[assignment]
        user, now = self.actor.user_id, utcnow()
        ids: dict[int, int] = {}  # line -> new customer id
        if self.creates:
            self.progress("Writing", 0, len(self.creates) + len(self.updates))
            last = int(
                (
                    await session.execute(
                        update(Counter)
                        .where(Counter.name == "customer_number")
                        .values(value=Counter.value + len(self.creates))
                        .returning(Counter.value)
                    )
                ).scalar_one()
            )
            first = last - len(self.creates) + 1
            rows = [self._new_customer(row, first + i, user, now) for i, row in enumerate(self.creates)]
            done = [0]

            def written(count: int) -> None:
                done[0] += count
                self.progress("Writing", done[0], len(self.creates) + len(self.updates))

            new_ids = await _insert_returning_ids(session, table, rows, written)
            ids = {row.line: new_id for row, new_id in zip(self.creates, new_ids, strict=True)}
        if self.updates:
            await _update_many(
                session,
                table,
                [(target.id, changes) for _, target, changes in self.updates if changes],
                versioned=True,
            )
            self.progress(
                "Writing", len(self.creates) + len(self.updates), len(self.creates) + len(self.updates)
            )
        await self._write_addresses(session, ids)

    def _new_customer(self, row: CustomerRow, number: int, user: int, now: Any) -> dict[str, Any]:
        values = row.values
        website = values.get("website")
        return {
            "customer_number": number,
            "name": row.name,
            "name_key": name_key(row.name or ""),
            "first_name": values.get("first_name"),
            "org_number": row.org.number if row.org else None,
            "org_country": row.org.country if row.org else None,
            "kind": _enum_value(values.get("kind") or CustomerKind.CUSTOMER),
            "owner_id": values.get("owner_id") or user,
            "visibility": Visibility.EVERYONE.value,
            "industry_id": values.get("industry_id"),
            "employees": values.get("employees"),
            "website": website,
            "web_domain": website_domain(website),
            "vat_number": values.get("vat_number"),
            "description": values.get("description"),
            "relation_level": values.get("relation_level"),
            "active": True,
            "version": 1,
            "created_by_id": user,
            "created_at": now,
            "updated_at": now,
        }

    async def _write_addresses(self, session: AsyncSession, new_ids: dict[int, int]) -> None:
        table: Table = Address.__table__  # type: ignore[assignment]
        inserts: list[dict[str, Any]] = []
        changes: list[tuple[int, dict[str, Any]]] = []
        for row, target in self.address_writes:
            assert row.address is not None
            head = self.head_offices.get(target.id) if target is not None else None
            if head is not None:
                changes.append((head.id, _address_changes(head, row.address, row.address.country)))
                continue
            customer_id = target.id if target is not None else new_ids[row.line]
            country = (
                row.address.country
                or (row.org.country if row.org else None)
                or (target.org_country if target is not None else None)
                or "NO"
            )
            inserts.append(
                _address_row(customer_id, row.address, country, ("postal",), True, self.actor.user_id)
            )
        await _insert_many(session, table, inserts)
        await _update_many(session, table, [c for c in changes if c[1]], versioned=False)


def _org_taken(org: OrgNumber | None, known: KnownCustomer) -> Reject:
    formatted = org.formatted if org else ""
    if not known.visible:
        return Reject(
            f"organisation number {formatted} is already registered on a customer you cannot see",
            key="org_taken_hidden",
            org=formatted,
        )
    if known.deleted:
        return Reject(
            f"organisation number {formatted} belongs to the deleted customer {known.label}; restore it first",
            key="org_taken_deleted",
            org=formatted,
            customer=known.label,
        )
    return Reject(
        f"organisation number {formatted} already belongs to {known.label}",
        key="org_taken",
        org=formatted,
        customer=known.label,
    )


def _similar_reason(entry: NameEntry) -> Reject:
    """A new customer's name is close to an existing customer's, or to an earlier row's (SIMILAR_NAME_KEYS)."""
    if entry.existing:
        return Reject(
            f"similar to an existing customer, {entry.label}: give its customer number to update it, or allow "
            "similar names to create another",
            key="similar_existing",
            customer=entry.label,
        )
    return Reject(
        f"similar to a new customer, {entry.label} on line {entry.line}: remove one of the rows, or allow "
        "similar names",
        key="similar_new",
        name=entry.label,
        line=entry.line,
    )


def _header_list(table: CsvTable) -> str:
    names = [n for n in table.header if n]
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return shown or "no column names"


# contacts ----------------------------------------------------------------------------------------------------


@dataclass
class ContactRow:
    line: int
    customer: CustomerRef
    first_name: str | None
    last_name: str | None
    title: str | None
    emails: list[str]
    phones: list[str]
    roles: list[str]


@dataclass
class KnownContact:
    id: int
    customer_id: int | None
    first_name: str
    last_name: str
    title: str | None
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)


_EMAIL_SPLIT = re.compile(r"[;,\s]+")
_PHONE_SPLIT = re.compile(r"\s*[;,/]\s*")


class ContactImport(_Import[ContactRow]):
    kind = Kind.CONTACTS
    tables = ("contacts", "contact_emails", "contact_phones", "contact_roles")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.creates: list[tuple[ContactRow, KnownCustomer]] = []
        self.updates: list[tuple[ContactRow, KnownContact, KnownCustomer, dict[str, Any]]] = []

    def require_columns(self) -> None:
        missing = []
        if not self.cols.has("full_name", "first_name", "email"):
            missing.append("the contact's name (Name, Navn, Fornavn, Förnamn...) or email (Email, E-post)")
        if not self.cols.has("customer_number", "org_number", "customer_name"):
            missing.append(
                "the customer (Customer number, Kundenummer, Org.nr, Organisasjonsnummer, Customer, Kunde, Kund)"
            )
        if missing:
            raise ImportFileError(
                f"The header needs a column for {' and '.join(missing)}. It has: {_header_list(self.table)}.",
                field_name="file",
            )

    def row_label(self, cells: dict[str, str]) -> str:
        name = cells["full_name"] or " ".join(x for x in (cells["first_name"], cells["last_name"]) if x)
        return _label_of(name, cells["email"])

    def clean_row(
        self, line: int, cells: dict[str, str], fields: Sequence[str], context: Context
    ) -> ContactRow:
        problems = _Problems()
        country = problems.attempt(lambda: parse_country(cells["country"])) if cells["country"] else None
        ref = problems.attempt(lambda: _customer_ref(cells, country))
        first, last = cells["first_name"], cells["last_name"]
        if cells["full_name"] and not first and not last:
            first, last = split_name(cells["full_name"])
        if not first and last:
            first, last = last, ""
        if not first:
            problems.add("missing name: a contact needs a name", key="missing_contact_name")
        for value, what in ((first, "first name"), (last, "last name")):
            if len(value) > 100:
                problems.add(
                    f"the {what} is too long (at most 100 characters)", key="name_too_long", what=what
                )
        title = problems.attempt(lambda: _text(cells["title"], "title", 200)) if cells["title"] else None
        emails: list[str] = []
        for cell in self.cols.all(fields, "email"):
            for part in _EMAIL_SPLIT.split(cell):
                address = problems.attempt(partial(_email, part)) if part else None
                if address and address not in emails:
                    emails.append(address)
        phones: list[str] = []
        for cell in self.cols.all(fields, "phone"):
            for part in _PHONE_SPLIT.split(cell):
                number = problems.attempt(partial(_phone, part, country)) if part else None
                if number and number not in phones:
                    phones.append(number)
        roles = [r.strip().casefold() for r in re.split(r"[;,]", cells["roles"]) if r.strip()]
        problems.raise_any()
        assert ref is not None
        return ContactRow(line, ref, first, last, title, emails, phones, list(dict.fromkeys(roles)))

    async def decide(self, session: AsyncSession, lookup: Lookup) -> None:
        resolved = await self.resolve_customers(lookup, self.rows)
        by_email, by_name = await self._existing(session, resolved, lookup.lock)
        seen_emails: dict[str, int] = {}
        seen_names: dict[tuple[int, str, str], int] = {}
        for row, customer in resolved:
            try:
                for email in row.emails:
                    if email in seen_emails:
                        raise Reject(
                            f"email {email} is also on line {seen_emails[email]}",
                            key="email_repeated",
                            email=email,
                            line=seen_emails[email],
                        )
                name = (customer.id, (row.first_name or "").casefold(), (row.last_name or "").casefold())
                if not row.emails:
                    if name in seen_names:
                        raise Reject(
                            f"{row.first_name} {row.last_name} at {customer.name} is also on line {seen_names[name]}",
                            key="contact_repeated",
                            first_name=row.first_name,
                            last_name=row.last_name,
                            customer=customer.name,
                            line=seen_names[name],
                        )
                existing = self._match(row, customer, by_email, by_name)
            except Reject as exc:
                self.reject(row.line, exc)
                continue
            for email in row.emails:
                seen_emails[email] = row.line
            if not row.emails:
                seen_names[name] = row.line
            if existing is None:
                self.creates.append((row, customer))
                continue
            changes = self._changes(row, existing, customer)
            new_bits = (
                set(row.emails) - existing.emails
                or set(row.phones) - existing.phones
                or set(row.roles) - existing.roles
            )
            if changes or new_bits:
                self.updates.append((row, existing, customer, changes))
            else:
                self.report.unchanged += 1
        self.heads = await lookup.head_offices(
            {c.id for _, c in self.creates} | {c.id for _, _, c, ch in self.updates if "customer_id" in ch}
        )
        self.report.created, self.report.updated = len(self.creates), len(self.updates)

    async def _existing(
        self, session: AsyncSession, rows: list[tuple[ContactRow, KnownCustomer]], lock: bool
    ) -> tuple[dict[str, list[KnownContact]], dict[tuple[int, str, str], list[KnownContact]]]:
        """Visible contacts with the rows' emails, and (for rows without one) at the rows' customers."""
        contacts: dict[int, KnownContact] = {}
        visible = contact_visible(self.actor)
        columns = (Contact.id, Contact.customer_id, Contact.first_name, Contact.last_name, Contact.title)

        async def load(stmt: Any) -> None:
            if lock:
                stmt = stmt.with_for_update(of=Contact.__table__)
            for row in await session.execute(stmt):
                contacts.setdefault(row.id, KnownContact(*row))

        emails = sorted({e for row, _ in rows for e in row.emails})
        for some_emails in _chunks(emails, IN_CHUNK):
            await load(
                select(*columns)
                .join(ContactEmail, ContactEmail.contact_id == Contact.id)
                .where(ContactEmail.email.in_(some_emails), visible)
            )
        without = sorted({c.id for row, c in rows if not row.emails})
        for some_customers in _chunks(without, IN_CHUNK):
            await load(select(*columns).where(Contact.customer_id.in_(some_customers), visible))
        ids = sorted(contacts)
        for chunk in _chunks(ids, IN_CHUNK):
            for cid, email in await session.execute(
                select(ContactEmail.contact_id, ContactEmail.email).where(ContactEmail.contact_id.in_(chunk))
            ):
                contacts[cid].emails.add(email)
            for cid, number in await session.execute(
                select(ContactPhone.contact_id, ContactPhone.number).where(ContactPhone.contact_id.in_(chunk))
            ):
                contacts[cid].phones.add(number)
            for cid, role in await session.execute(
                select(ContactRole.contact_id, ContactRole.role).where(ContactRole.contact_id.in_(chunk))
            ):
                contacts[cid].roles.add(role)
        by_email: dict[str, list[KnownContact]] = defaultdict(list)
        by_name: dict[tuple[int, str, str], list[KnownContact]] = defaultdict(list)
        for contact in contacts.values():
            for email in contact.emails:
                by_email[email].append(contact)
            if contact.customer_id is not None:
                by_name[
                    (contact.customer_id, contact.first_name.casefold(), contact.last_name.casefold())
                ].append(contact)
        return by_email, by_name

    def _match(
        self,
        row: ContactRow,
        customer: KnownCustomer,
        by_email: dict[str, list[KnownContact]],
        by_name: dict[tuple[int, str, str], list[KnownContact]],
    ) -> KnownContact | None:
        if row.emails:
            found = {c.id: c for email in row.emails for c in by_email.get(email, [])}
            if len(found) > 1:
                here = [c for c in found.values() if c.customer_id == customer.id]
                if len(here) == 1:
                    return here[0]
                raise Reject(
                    f"several contacts have the email {row.emails[0]}; update them one by one",
                    key="ambiguous_email",
                    email=row.emails[0],
                )
            return next(iter(found.values()), None)
        key = (customer.id, (row.first_name or "").casefold(), (row.last_name or "").casefold())
        same = by_name.get(key, [])
        if len(same) > 1:
            raise Reject(
                f"{customer.name} has several contacts called {row.first_name} {row.last_name}; add an email",
                key="ambiguous_contact",
                customer=customer.name,
                first_name=row.first_name,
                last_name=row.last_name,
            )
        return same[0] if same else None

    def _changes(self, row: ContactRow, existing: KnownContact, customer: KnownCustomer) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if row.first_name and row.first_name != existing.first_name:
            changes["first_name"] = row.first_name
        if row.last_name and row.last_name != existing.last_name:
            changes["last_name"] = row.last_name
        if row.title and row.title != existing.title:
            changes["title"] = row.title
        if existing.customer_id != customer.id:
            changes["customer_id"] = customer.id
        return changes

    async def write(self, session: AsyncSession) -> None:
        contacts: Table = Contact.__table__  # type: ignore[assignment]
        user, now = self.actor.user_id, utcnow()
        total = len(self.creates) + len(self.updates)
        self.progress("Writing", 0, total)
        new_rows = [
            {
                "first_name": row.first_name,
                "last_name": row.last_name or "",
                "title": row.title,
                "customer_id": customer.id,
                "address_id": self._head_id(customer.id),
                "owner_id": user,
                "visibility": Visibility.EVERYONE.value,
                "version": 1,
                "created_by_id": user,
                "created_at": now,
                "updated_at": now,
            }
            for row, customer in self.creates
        ]
        ids = await _insert_returning_ids(session, contacts, new_rows)
        emails: list[dict[str, Any]] = []
        phones: list[dict[str, Any]] = []
        roles: list[dict[str, Any]] = []
        for (row, _), contact_id in zip(self.creates, ids, strict=True):
            emails += [_email_row(contact_id, e, i == 0) for i, e in enumerate(row.emails)]
            phones += [{"contact_id": contact_id, "number": p, "kind": "mobile"} for p in row.phones]
            roles += [{"contact_id": contact_id, "role": r} for r in row.roles]
        changes: list[tuple[int, dict[str, Any]]] = []
        for row, existing, customer, change in self.updates:
            if "customer_id" in change:
                change["address_id"] = self._head_id(customer.id)
            changes.append((existing.id, change))
            emails += [
                _email_row(existing.id, e, not existing.emails and i == 0)
                for i, e in enumerate(e for e in row.emails if e not in existing.emails)
            ]
            phones += [
                {"contact_id": existing.id, "number": p, "kind": "mobile"}
                for p in row.phones
                if p not in existing.phones
            ]
            roles += [{"contact_id": existing.id, "role": r} for r in row.roles if r not in existing.roles]
        await _update_many(session, contacts, [c for c in changes if c[1]], versioned=True)
        # A contact whose phones or roles grew was changed too: its version goes up.
        touched = [existing.id for _, existing, _, change in self.updates if not change]
        await _update_many(session, contacts, [(i, {"updated_at": now}) for i in touched], versioned=True)
        await _insert_many(session, ContactEmail.__table__, emails)  # type: ignore[arg-type]
        await _insert_many(session, ContactPhone.__table__, phones)  # type: ignore[arg-type]
        await _insert_many(session, ContactRole.__table__, roles)  # type: ignore[arg-type]
        self.progress("Writing", total, total)

    def _head_id(self, customer_id: int) -> int | None:
        head = self.heads.get(customer_id)
        return int(head.id) if head is not None else None


def _email(value: str) -> str:
    try:
        return validation.email_address(value)
    except InvalidInput:
        raise Reject(f"bad email {value.strip()!r}", key="bad_email", value=value.strip()) from None


def _phone(value: str, country: str | None) -> str:
    region = country if country and country.isalpha() else "NO"
    try:
        return validation.phone_number(value, region)
    except InvalidInput:
        raise Reject(f"bad phone number {value.strip()!r}", key="bad_phone", value=value.strip()) from None


def _email_row(contact_id: int, email: str, primary: bool) -> dict[str, Any]:
    return {"contact_id": contact_id, "email": email, "domain": email_domain(email), "is_primary": primary}


# addresses ---------------------------------------------------------------------------------------------------


@dataclass
class AddressRow:
    line: int
    customer: CustomerRef
    values: AddressValues
    roles: tuple[str, ...] | None  # None: not given
    head_office: bool | None


class AddressImport(_Import[AddressRow]):
    kind = Kind.ADDRESSES
    tables = ("addresses",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.creates: list[tuple[AddressRow, KnownCustomer, bool]] = []  # ..., becomes the head office
        self.updates: list[tuple[AddressRow, int, dict[str, Any]]] = []
        self.new_heads: set[int] = set()  # customers whose head office moves

    def require_columns(self) -> None:
        missing = []
        if not self.cols.has("street", "city"):
            missing.append("the street (Street, Adresse, Gatuadress...) or city (City, Poststed, Ort)")
        if not self.cols.has("customer_number", "org_number", "customer_name"):
            missing.append("the customer (Customer number, Kundenummer, Org.nr, Name, Kunde, Kund)")
        if missing:
            raise ImportFileError(
                f"The header needs a column for {' and '.join(missing)}. It has: {_header_list(self.table)}.",
                field_name="file",
            )

    def row_label(self, cells: dict[str, str]) -> str:
        place = ", ".join(x for x in (cells["street"], cells["city"]) if x)
        return _label_of(place, cells["customer_name"])

    def clean_row(
        self, line: int, cells: dict[str, str], fields: Sequence[str], context: Context
    ) -> AddressRow:
        problems = _Problems()
        country = problems.attempt(lambda: parse_country(cells["country"])) if cells["country"] else None
        ref = problems.attempt(lambda: _customer_ref(cells, country))
        street = self.cols.raw(fields, "street")
        values = problems.attempt(lambda: _address_values(cells, street, country))
        if values is None and not problems.found:
            problems.add("no address: the street, postcode and city are empty", key="no_address")
        roles = None
        if cells["address_roles"]:
            roles = problems.attempt(lambda: parse_address_roles(cells["address_roles"]))
        head = problems.attempt(lambda: parse_yes_no(cells["head_office"], "head office"))
        problems.raise_any()
        assert ref is not None and values is not None
        return AddressRow(line, ref, values, roles or None, head)

    async def decide(self, session: AsyncSession, lookup: Lookup) -> None:
        resolved = await self.resolve_customers(lookup, self.rows)
        existing: dict[int, list[Any]] = defaultdict(list)
        ids = sorted({c.id for _, c in resolved})
        for chunk in _chunks(ids, IN_CHUNK):
            stmt = select(Address).where(Address.customer_id.in_(chunk)).order_by(Address.id)
            if lookup.lock:
                stmt = stmt.with_for_update()
            for address in (await session.execute(stmt)).scalars():
                existing[address.customer_id].append(address)
        seen: dict[tuple[int, tuple[str, str]], int] = {}
        heads: dict[int, int] = {}  # customer -> line that makes a head office
        has_address = {cid for cid, found in existing.items() if found}
        for row, customer in resolved:
            place = (
                customer.id,
                _place_key(row.values.lines[0] if row.values.lines else None, row.values.postcode),
            )
            if place in seen:
                self.reject(
                    row.line,
                    Reject(
                        f"the same address as line {seen[place]}", key="address_repeated", line=seen[place]
                    ),
                )
                continue
            if row.head_office and customer.id in heads:
                self.reject(
                    row.line,
                    Reject(
                        f"line {heads[customer.id]} already makes another address the head office",
                        key="head_office_repeated",
                        line=heads[customer.id],
                    ),
                )
                continue
            seen[place] = row.line
            if row.head_office:
                heads[customer.id] = row.line
            match = next(
                (a for a in existing[customer.id] if row.values.same_place(a.line1, a.postcode)), None
            )
            if match is None:
                first = customer.id not in has_address
                has_address.add(customer.id)
                head = first or bool(row.head_office)
                if head and not first:
                    self.new_heads.add(customer.id)
                self.creates.append((row, customer, head))
                continue
            changes = _address_changes(match, row.values, row.values.country)
            if row.roles is not None:
                for role in ADDRESS_ROLES:
                    if getattr(match, f"is_{role}") != (role in row.roles):
                        changes[f"is_{role}"] = role in row.roles
            if row.head_office and not match.is_head_office:
                changes["is_head_office"] = True
                self.new_heads.add(customer.id)
            if changes:
                self.updates.append((row, match.id, changes))
            else:
                self.report.unchanged += 1
        self.report.created, self.report.updated = len(self.creates), len(self.updates)

    async def write(self, session: AsyncSession) -> None:
        table: Table = Address.__table__  # type: ignore[assignment]
        total = len(self.creates) + len(self.updates)
        self.progress("Writing", 0, total)
        # The old head office steps down first: the database allows one per customer at any moment.
        for chunk in _chunks(sorted(self.new_heads), IN_CHUNK):
            await session.execute(
                update(table)
                .where(table.c.customer_id.in_(chunk), table.c.is_head_office.is_(True))
                .values(is_head_office=false())
            )
        await _update_many(session, table, [(i, c) for _, i, c in self.updates], versioned=False)
        rows = [
            _address_row(
                customer.id,
                row.values,
                row.values.country or customer.org_country or "NO",
                row.roles or ("postal",),
                head,
                self.actor.user_id,
            )
            for row, customer, head in self.creates
        ]
        await _insert_many(session, table, rows)
        self.progress("Writing", total, total)


_IMPORTS: dict[Kind, type[_Import[Any]]] = {
    Kind.CUSTOMERS: CustomerImport,
    Kind.CONTACTS: ContactImport,
    Kind.ADDRESSES: AddressImport,
}


async def _fresh_statistics(session: AsyncSession, tables: Sequence[str]) -> None:
    """PostgreSQL: refresh the planner's statistics of `tables`. Right after a bulk load they describe the
    table as it was before until autovacuum gets to it, and a look-up planned for a near-empty table takes a
    second instead of a few milliseconds. (SQLite plans by its indexes without statistics.)"""
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in tables:
        await session.execute(text(f"ANALYZE {name}"))


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


async def run_import(
    store: Store,
    actor: Actor,
    kind: Kind | str,
    data: bytes,
    *,
    options: ImportOptions = ImportOptions(),
    file_name: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    """Import (or with `options.dry_run`, only check) a CSV file of customers, contacts or addresses.

    Raises PermissionDenied for a read-only user and ImportFileError for a file that cannot be read as CSV
    or has no column kundebot recognises; every problem with a row is in the report instead. Without
    `options.partial`, nothing is written when any row is rejected.
    """
    require_writer(actor)
    started = time.perf_counter()
    kind = Kind(kind)
    table = read_table(data)
    report = ImportReport(kind, file_name, table.encoding, table.delimiter, options)
    work = _IMPORTS[kind](actor, table, options, report, progress or _no_progress)
    work.require_columns()
    async with store.reading() as session:
        context = await Context.load(session)
    work.clean_rows(context)
    work.progress("Looking up the CRM", 0, len(table.rows))
    big = len(table.rows) >= ANALYZE_AFTER
    if options.dry_run:
        async with store.reading() as session:
            await _fresh_statistics(session, ("customers",) if big else ())
            await work.decide(session, Lookup(session, actor, lock=False))
    else:
        try:
            async with store.transaction() as session:
                await _fresh_statistics(session, ("customers",) if big else ())
                await work.decide(session, Lookup(session, actor, lock=True))
                if (options.partial or not work.rejected) and (report.created or report.updated):
                    await work.write(session)
                    report.written = True
                    if report.created + report.updated >= ANALYZE_AFTER:
                        await _fresh_statistics(session, work.tables)
        except IntegrityError as exc:
            raise ChangedMeanwhile(
                "Someone else saved one of these records while the import ran, so nothing was imported; "
                "run the import again.",
                key="import.changed_meanwhile",
            ) from exc
    work.finish_report()
    report.seconds = time.perf_counter() - started
    return report


__all__ = [
    "COLUMN_NAMES",
    "CsvTable",
    "ImportFileError",
    "ImportOptions",
    "ImportReport",
    "Kind",
    "NameIndex",
    "RowProblem",
    "decode",
    "guess_kind",
    "map_columns",
    "read_table",
    "run_import",
]
