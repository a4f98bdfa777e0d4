"""CSV import (SPEC §9): Nordic Excel files, bad rows with their line numbers, dry run, all or nothing and
--partial, create or update by customer number and organisation number, the duplicate check, visibility and
permissions, contacts and addresses. The fixtures are in tests/data/import (see its README)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import func, select

from store.actor import Actor
from store.db import Store
from store.errors import ChangedMeanwhile, PermissionDenied
from store.models import Address, Contact, Customer, Role, Visibility
from store.names import name_key
from store.services import addresses, contacts, customers, importing
from store.services.importing import (
    ImportFileError,
    ImportOptions,
    ImportReport,
    Kind,
    NameEntry,
    NameIndex,
    guess_kind,
    map_columns,
    read_table,
)
from tests.conftest import make_actor

DATA = Path(__file__).parent.parent / "data" / "import"
AEROY_ORG = "923609016"
FJELLHEIM_ORG = "912345602"


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


async def run(store: Store, actor: Actor, kind: str, data: bytes, **options: bool) -> ImportReport:
    return await importing.run_import(
        store, actor, kind, data, options=ImportOptions(**options), file_name="test.csv"
    )


async def count(store: Store, model: type) -> int:
    async with store.reading() as s:
        return int((await s.execute(select(func.count(model.id)))).scalar_one())  # type: ignore[attr-defined]


async def customer_named(store: Store, name: str) -> Customer:
    async with store.reading() as s:
        return (await s.execute(select(Customer).where(Customer.name == name))).scalar_one()


def rejected(report: ImportReport) -> dict[int, str]:
    return {p.line: p.reason for p in report.rejected}


# --- reading files (no database) --------------------------------------------------------------------------


def test_nordic_excel_file_windows_1252_semicolons_crlf_quotes_and_line_breaks() -> None:
    table = read_table(fixture("kunder_excel_nb.csv"))
    assert (table.encoding, table.delimiter) == ("windows-1252", ";")
    assert table.header[:3] == ["Kundenummer", "Navn", "Org.nr"]
    assert table.header[-2:] == ["", ""]  # Excel's trailing empty columns
    assert [line for line, _ in table.rows] == [2, 3, 6, 8]  # the empty row is skipped, lines still count
    aeroy, fjellheim = table.rows[0][1], table.rows[1][1]
    assert aeroy[1] == "Ærøy Bygg AS"
    assert fjellheim[1] == 'Fjellheim "Konsult" AS'
    assert fjellheim[5] == "Postboks 12\nSentrum"


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "first_header"),
    [
        ("customers_utf8_bom.csv", "UTF-8 with BOM", ",", "Customer number"),
        ("kunder_sv.tsv", "UTF-16", "\t", "Kundnummer"),
        ("excel_sep_line.csv", "windows-1252", ";", "Navn"),
        ("adresser.csv", "UTF-8", ";", "Org.nr"),
    ],
)
def test_encoding_and_delimiter_are_detected(
    name: str, encoding: str, delimiter: str, first_header: str
) -> None:
    table = read_table(fixture(name))
    assert (table.encoding, table.delimiter, table.header[0]) == (encoding, delimiter, first_header)


def test_the_sep_line_counts_as_line_one() -> None:
    table = read_table(fixture("excel_sep_line.csv"))
    assert [line for line, _ in table.rows] == [3]


def test_a_comma_inside_a_name_does_not_make_commas_the_delimiter() -> None:
    table = read_table(csv("Navn;Org.nr;Poststed", "Nordic Advisory, Ltd;;Oslo", "Berg, Hansen & Co;;Bergen"))
    assert table.delimiter == ";"
    assert table.rows[1][1][0] == "Berg, Hansen & Co"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04rest of a zip", "Excel workbook"),
        (b"", "empty"),
        (b"\r\n\r\n", "empty"),
    ],
)
def test_files_that_are_no_csv_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read_table(data)


@pytest.mark.parametrize(
    ("kind", "header", "fields"),
    [
        (
            Kind.CUSTOMERS,
            ["Kundenavn", "Organisasjonsnummer", "Kundenummer", "Nettside", "Land", "Kundetype"],
            ["name", "org_number", "customer_number", "website", "country", "kind"],
        ),
        (
            Kind.CUSTOMERS,
            [
                "Företagsnamn",
                "Organisationsnummer",
                "Kundnummer",
                "Hemsida",
                "Gatuadress",
                "Postnummer",
                "Ort",
            ],
            ["name", "org_number", "customer_number", "website", "street", "postcode", "city"],
        ),
        (
            Kind.CUSTOMERS,
            ["Name", "Org number", "Customer #", "Website", "Type", "Street", "Postal code", "City"],
            ["name", "org_number", "customer_number", "website", "kind", "street", "postcode", "city"],
        ),
        (
            Kind.CUSTOMERS,
            ["Navn", "ORG.NR.", "Gateadresse", "Poststed"],
            ["name", "org_number", "street", "city"],
        ),
        (Kind.CUSTOMERS, ["Namn", "Org.nr", "Typ"], ["name", "org_number", "kind"]),
        (
            Kind.CONTACTS,
            ["Kunde", "Navn", "E-post", "Telefon", "Mobil", "Tittel"],
            ["customer_name", "full_name", "email", "phone", "phone", "title"],
        ),
        (
            Kind.CONTACTS,
            ["Kund", "Förnamn", "Efternamn", "E-post", "Titel", "Kundnummer"],
            ["customer_name", "first_name", "last_name", "email", "title", "customer_number"],
        ),
        (
            Kind.CONTACTS,
            ["Customer", "First name", "Last name", "Email", "Phone", "Title"],
            ["customer_name", "first_name", "last_name", "email", "phone", "title"],
        ),
        (
            Kind.ADDRESSES,
            ["Kundenummer", "Adresse", "Postnummer", "Poststed", "Adressetype", "Hovedkontor"],
            ["customer_number", "street", "postcode", "city", "address_roles", "head_office"],
        ),
    ],
)
def test_header_names_in_english_norwegian_and_swedish(
    kind: Kind, header: list[str], fields: list[str]
) -> None:
    columns = map_columns(kind, header)
    found = {i: f for f, indexes in columns.index.items() for i in indexes}
    assert [found.get(i) for i in range(len(header))] == fields
    assert columns.unknown == []


def test_unknown_columns_are_listed_once_and_empty_ones_ignored() -> None:
    columns = map_columns(Kind.CUSTOMERS, ["Navn", "Fakturaspråk", "", "Org.nr", "Navn", ""])
    assert columns.unknown == ["Fakturaspråk", "Navn"]  # the second Navn: a column can be read once
    assert columns.index["name"] == [0]


def test_column_names_do_not_clash_within_a_kind() -> None:
    for kind, fields in importing.COLUMN_NAMES.items():
        seen: dict[str, str] = {}
        for field_name, aliases in fields.items():
            for alias in aliases.split("|"):
                key = importing._compact(alias)
                assert seen.get(key, field_name) == field_name, (
                    f"{kind}: {alias!r} is {seen[key]} and {field_name}"
                )
                seen[key] = field_name


@pytest.mark.parametrize(
    ("header", "hint", "kind"),
    [
        (["Kunde", "Fornavn", "Etternavn", "E-post"], "", Kind.CONTACTS),
        (["Org.nr", "Adresse", "Postnummer", "Poststed", "Hovedkontor"], "", Kind.ADDRESSES),
        (["Navn", "Org.nr", "Adresse", "Postnummer", "Poststed"], "", Kind.CUSTOMERS),
        (["Navn", "Org.nr", "Adresse", "Postnummer", "Poststed"], "adresser.csv", Kind.ADDRESSES),
        (["Navn", "E-post"], "importer kontakter", Kind.CONTACTS),
    ],
)
def test_what_a_file_holds_is_guessed_from_the_hint_then_the_columns(
    header: list[str], hint: str, kind: Kind
) -> None:
    assert guess_kind(header, hint) == kind


def test_the_name_index_finds_typos_and_word_order_but_not_other_names() -> None:
    index = NameIndex()
    for name in ("Fjordlys Rådgivning AS", "Equinor ASA", "Nordic Consulting Group", "Bergen Bygg"):
        index.add(name_key(name), NameEntry(name, has_org=False))
    for i in range(3000):  # common words must not hide the match
        index.add(name_key(f"Nordic Bygg {i}"), NameEntry(f"filler {i}", has_org=False))

    def best(name: str) -> str | None:
        hits = index.similar(name_key(name))
        return hits[0][0].label if hits else None

    assert best("Fjordlys Rådgiving") == "Fjordlys Rådgivning AS"
    assert best("EQUNOR ASA") == "Equinor ASA"
    assert best("Consulting Group Nordic AS") == "Nordic Consulting Group"
    assert best("Bergen Bygg & Anlegg") is None
    assert best("Oslo Regnskap") is None


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("923 609 016", None, ("NO", "923609016")),
        ("556123-4500", None, ("SE", "5561234500")),
        ("923609016", "SE", ("NO", "923609016")),  # a Swedish firm's Norwegian branch
        ("923 609 017", None, "not a valid Norwegian number"),
        ("abc", None, "not valid in NO, SE, FI or DK"),
        ("HRB 12345", "DE", "leave the column empty for customers in DE"),
    ],
)
def test_organisation_numbers(value: str, country: str | None, expected: tuple[str, str] | str) -> None:
    if isinstance(expected, tuple):
        org = importing.parse_org_number(value, country)
        assert (org.country, org.number) == expected
    else:
        with pytest.raises(importing.Reject, match=expected):
            importing.parse_org_number(value, country)


# --- customers ----------------------------------------------------------------------------------------------


async def test_nordic_excel_file_creates_customers_with_head_offices(store: Store, alice: Actor) -> None:
    report = await run(store, alice, "customers", fixture("kunder_excel_nb.csv"))
    assert report.ok and report.written, report.rejected
    assert (report.rows, report.created, report.updated) == (4, 4, 0)
    assert report.unknown_columns == []
    aeroy = await customer_named(store, "Ærøy Bygg AS")
    assert (aeroy.org_country, aeroy.org_number) == ("NO", AEROY_ORG)
    assert (aeroy.website, aeroy.web_domain, aeroy.kind, aeroy.owner_id) == (
        "www.aeroy-bygg.no",
        "aeroy-bygg.no",
        "customer",
        alice.user_id,
    )
    assert aeroy.customer_number == 10001
    fjellheim = await customer_named(store, 'Fjellheim "Konsult" AS')
    assert fjellheim.kind == "prospect"
    assert fjellheim.description == "To linjer\ni kommentaren"
    async with store.reading() as s:
        card = await customers.customer_card(s, alice, fjellheim.id)
        assert card.head_office is not None
        assert (card.head_office.lines, card.head_office.postcode, card.head_office.city) == (
            ["Postboks 12", "Sentrum"],
            "0101",
            "Oslo",
        )
        aeroy_card = await customers.customer_card(s, alice, aeroy.id)
        assert aeroy_card.head_office is not None and aeroy_card.head_office.city == "Byrknesøy"
        # the import found them through the name index like any other customer
        assert [h.customer.name for h in await customers.find_customers(s, alice, "Bjørnstad og Søn")] == [
            "Bjørnstad & Søn AS"
        ]
    assert (await customer_named(store, "Bjørnstad & Søn AS")).kind == "supplier"
    async with store.transaction() as s:  # the counter moved past the imported numbers
        assert (await customers.create_customer(s, alice, "Neste Kunde AS")).customer_number == 10005


@pytest.mark.parametrize("name", ["customers_utf8_bom.csv", "kunder_sv.tsv", "excel_sep_line.csv"])
async def test_other_spreadsheet_files(store: Store, admin: Actor, name: str) -> None:
    report = await run(store, admin, "customers", fixture(name))
    assert report.ok and report.created == report.rows > 0, report.rejected


async def test_swedish_file_sets_country_and_address(store: Store, admin: Actor) -> None:
    await run(store, admin, "customers", fixture("kunder_sv.tsv"))
    gbg = await customer_named(store, "Göteborgs Revision AB")
    assert (gbg.org_country, gbg.org_number) == ("SE", "5561234518")
    async with store.reading() as s:
        head = (await customers.customer_card(s, admin, gbg.id)).head_office
    assert head is not None and (head.line1, head.postcode, head.city, head.country) == (
        "Kungsgatan 12",
        "411 19",
        "Göteborg",
        "SE",
    )


async def test_bad_rows_are_reported_with_line_and_reason_and_nothing_is_written(
    store: Store, alice: Actor
) -> None:
    report = await run(store, alice, "customers", fixture("kunder_feil.csv"))
    reasons = rejected(report)
    assert sorted(reasons) == [3, 4, 5, 7, 8]
    assert "invalid organisation number '923 609 017'" in reasons[3]
    assert reasons[4] == "organisation number 923 609 016 is also on line 2"
    assert reasons[5].startswith("missing name")
    assert reasons[7].startswith("no customer #10999")
    assert "invalid organisation number 'abc'" in reasons[8]
    assert {p.line: p.label for p in report.rejected}[3] == "Nordlys Rådgivning AS"
    assert report.unknown_columns == ["E-post"]
    assert (report.created, report.written) == (2, False)
    assert await count(store, Customer) == 0
    assert "would create 2" in report.summary()


async def test_a_row_with_more_values_than_columns_is_not_read_shifted(store: Store, alice: Actor) -> None:
    data = csv("Name,Org number,City", "Acme AS,923609016,Oslo", "Nordic Advisory, Ltd,,Bergen", "Beta AS,,,")
    report = await run(store, alice, "customers", data, dry_run=True)
    assert rejected(report) == {
        3: "1 more value than the header has columns: is the delimiter (comma) inside a value without quotes?"
    }
    assert report.created == 2


async def test_partial_writes_the_good_rows(store: Store, alice: Actor) -> None:
    report = await run(store, alice, "customers", fixture("kunder_feil.csv"), partial=True)
    assert report.written and report.created == 2 and len(report.rejected) == 5
    assert await count(store, Customer) == 2
    assert "created 2" in report.summary()


async def test_dry_run_writes_nothing(store: Store, alice: Actor) -> None:
    report = await run(store, alice, "customers", fixture("kunder_excel_nb.csv"), dry_run=True)
    assert (report.created, report.written, report.ok) == (4, False, True)
    assert await count(store, Customer) == 0
    assert await count(store, Address) == 0
    async with store.transaction() as s:  # no customer numbers were taken
        assert (await customers.create_customer(s, alice, "Første Kunde AS")).customer_number == 10001


async def test_update_by_customer_number_and_by_org_number(
    store: Store, alice: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "ANALYZE_AFTER", 1)  # PostgreSQL's statistics refreshed, as for big files
    async with store.transaction() as s:
        acme = await customers.create_customer(s, alice, "Acme AS", org_number=AEROY_ORG)
        beta = await customers.create_customer(s, alice, "Beta Bygg AS", website="beta.no")
        acme_version = acme.version
    report = await run(
        store,
        alice,
        "customers",
        csv(
            "Kundenummer;Navn;Org.nr;Nettside;Kundetype",
            f"{beta.customer_number};Beta Bygg og Anlegg AS;{FJELLHEIM_ORG};;Partner",
            f";;{AEROY_ORG};acme.no;",
            f"#{acme.customer_number};;;;",
            f"#{beta.customer_number};;;;",
        ),
    )
    assert rejected(report) == {
        4: f"updates Acme AS (#{acme.customer_number}), as line 3 does",
        5: f"customer number #{beta.customer_number} is also on line 2",
    }
    report = await run(
        store,
        alice,
        "customers",
        csv(
            "Kundenummer;Navn;Org.nr;Nettside;Kundetype",
            f"{beta.customer_number};Beta Bygg og Anlegg AS;{FJELLHEIM_ORG};;Partner",
            f";;{AEROY_ORG};acme.no;",
        ),
    )
    assert (report.created, report.updated, report.ok) == (0, 2, True)
    beta_now = await customer_named(store, "Beta Bygg og Anlegg AS")
    assert (beta_now.id, beta_now.org_number, beta_now.kind, beta_now.website) == (
        beta.id,
        FJELLHEIM_ORG,
        "partner",
        "beta.no",  # an empty cell changes nothing
    )
    assert beta_now.name_key == name_key("Beta Bygg og Anlegg AS")
    acme_now = await customer_named(store, "Acme AS")
    assert (acme_now.website, acme_now.web_domain) == ("acme.no", "acme.no")
    assert acme_now.version == acme_version + 1
    async with store.transaction() as s:  # someone who opened Acme before the import is told
        with pytest.raises(ChangedMeanwhile):
            await customers.update_customer(
                s, alice, acme.id, {"website": "x.no"}, expected_version=acme_version
            )
    again = await run(store, alice, "customers", csv("Org.nr;Nettside", f"{AEROY_ORG};acme.no"))
    assert (again.updated, again.unchanged) == (0, 1)


async def test_an_org_number_on_another_customer_is_not_moved(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Acme AS", org_number=AEROY_ORG)
        beta = await customers.create_customer(s, alice, "Beta AS")
    report = await run(
        store, alice, "customers", csv("Kundenr;Org.nr", f"{beta.customer_number};{AEROY_ORG}")
    )
    assert rejected(report) == {2: "organisation number 923 609 016 already belongs to Acme AS (#10001)"}


async def test_similar_names_are_rejected_unless_allowed(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Acme Konsult AS")
        await customers.create_customer(s, alice, "Fjordlys AS", org_number=AEROY_ORG)
    data = csv(
        "Navn;Org.nr",
        "ACME Konsult;",  # like an existing customer: rejected
        f"Acme Konsult Holding;{FJELLHEIM_ORG}",  # has an org number, and so does... no: Acme has none
        "Fjordlys;912345610",  # both have org numbers, different ones: different companies
        "Nytt Firma AS;",
        "Nytt Firma;",  # like line 5
    )
    report = await run(store, alice, "customers", data)
    reasons = rejected(report)
    assert sorted(reasons) == [2, 6]
    assert reasons[2].startswith("similar to an existing customer, Acme Konsult AS (#10001)")
    assert reasons[6].startswith("similar to a new customer, Nytt Firma AS on line 5")
    allowed = await run(store, alice, "customers", data, allow_similar=True)
    assert allowed.ok and allowed.created == 5


@pytest.mark.parametrize("lookups", [0, 1000], ids=["in-memory index", "store index"])
async def test_both_ways_of_finding_similar_names_agree(
    store: Store, alice: Actor, monkeypatch: pytest.MonkeyPatch, lookups: int
) -> None:
    monkeypatch.setattr(importing, "INDEX_LOOKUPS", lookups)
    async with store.transaction() as s:
        for name in ("Fjordlys Rådgivning AS", "Equinor ASA", "Nordic Consulting Group AS"):
            await customers.create_customer(s, alice, name, allow_similar=True)
    rng = random.Random(7)
    made_up = [
        "".join(rng.choice("bdfgklmnprstv") + rng.choice("aeiouy") for _ in range(4)) for _ in range(40)
    ]
    rows = [f"{word.title()} AS" for word in made_up] + [
        "Fjordlys Rådgiving",
        "EQUNOR",
        "Consulting Group Nordic",
        "Bergen Bygg",
        "Bergen Byg AS",
    ]
    report = await run(store, alice, "customers", csv("Navn", *rows))
    reasons = rejected(report)
    assert sorted(reasons) == [42, 43, 44, 46], reasons
    assert "Equinor ASA (#10002)" in reasons[43]
    assert "Bergen Bygg on line 45" in reasons[46]


async def test_visibility_hidden_customers_cannot_be_updated(store: Store, alice: Actor, bob: Actor) -> None:
    async with store.transaction() as s:
        secret = await customers.create_customer(
            s, bob, "Bobs Hemmelige AS", org_number=AEROY_ORG, visibility=Visibility.OWNER
        )
    report = await run(
        store,
        alice,
        "customers",
        csv("Kundenummer;Navn;Org.nr", f"{secret.customer_number};Endret AS;", f";Kopi AS;{AEROY_ORG}"),
        partial=True,
    )
    reasons = rejected(report)
    assert reasons[2].startswith(f"no customer #{secret.customer_number}")
    assert reasons[3] == "organisation number 923 609 016 is already registered on a customer you cannot see"
    assert (await customer_named(store, "Bobs Hemmelige AS")).id == secret.id
    admin = await make_actor(store, "Ada Admin", Role.ADMIN)
    by_admin = await run(
        store, admin, "customers", csv("Kundenummer;Nettside", f"{secret.customer_number};x.no")
    )
    assert by_admin.updated == 1


async def test_read_only_users_cannot_import(store: Store) -> None:
    reader = await make_actor(store, "Rita Reader", Role.READ_ONLY)
    for dry_run in (True, False):
        with pytest.raises(PermissionDenied):
            await run(store, reader, "customers", fixture("kunder_excel_nb.csv"), dry_run=dry_run)


async def test_deleted_customers_keep_their_org_number(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        old = await customers.create_customer(s, alice, "Gammel AS", org_number=AEROY_ORG)
        await customers.delete_customer(s, alice, old.id)
    report = await run(store, alice, "customers", csv("Navn;Org.nr", f"Ny AS;{AEROY_ORG}"))
    assert rejected(report) == {
        2: f"organisation number 923 609 016 belongs to the deleted customer Gammel AS (#{old.customer_number}); "
        "restore it first"
    }


async def test_customer_values_are_validated(store: Store, alice: Actor, bob: Actor) -> None:
    report = await run(
        store,
        alice,
        "customers",
        csv(
            "Navn;Kundetype;Ansatte;Relasjonsnivå;Kundeansvarlig;Land;Bransje",
            "Et AS;Kunde;1 200;a;bob.sales@firm.example;Norge;",
            "To AS;Venn;mange;D;nobody@firm.example;Narnia;Fiske",
        ),
        partial=True,
    )
    assert report.created == 1
    reason = rejected(report)[3]
    for part in (
        "unknown customer type 'Venn'",
        "employees 'mange'",
        "relation level 'D'",
        "unknown owner",
        "unknown country",
        "unknown industry",
    ):
        assert part in reason
    one = await customer_named(store, "Et AS")
    assert (one.employees, one.relation_level) == (1200, "A")


# --- contacts -------------------------------------------------------------------------------------------------


async def test_contacts_are_created_at_their_customer(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        aeroy = await customers.create_customer(s, alice, "Ærøy Bygg AS", org_number=AEROY_ORG)
        head = await addresses.add_address(s, alice, aeroy.id, lines=["Strandgata 4"], city="Byrknesøy")
    report = await run(store, alice, "contacts", fixture("kontakter.csv"), partial=True)
    reasons = rejected(report)
    assert sorted(reasons) == [4, 5, 6]
    assert reasons[4] == "unknown customer 'Ukjent Firma AS'"
    assert reasons[5] == "bad email 'lise@@aeroy-bygg.no'"
    assert reasons[6] == "email kari@aeroy-bygg.no is also on line 2"
    assert report.created == 2
    async with store.reading() as s:
        card = await customers.customer_card(s, alice, aeroy.id)
    by_name = {c.full_name: c for c in card.contacts}
    kari, ola = by_name["Kari Nordmann"], by_name["Ola Ås"]
    assert (
        kari.title,
        kari.primary_email,
        [p.number for p in kari.phones],
        [r.role for r in kari.roles],
    ) == (
        "Daglig leder",
        "kari@aeroy-bygg.no",
        ["+4791234567"],
        ["beslutningstaker"],
    )
    assert kari.address_id == head.id
    assert [p.number for p in ola.phones] == ["+4722000000"]


async def test_a_contact_with_the_same_email_is_updated(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        aeroy = await customers.create_customer(s, alice, "Ærøy Bygg AS", org_number=AEROY_ORG)
        other = await customers.create_customer(s, alice, "Annen Kunde AS")
        kari = await contacts.add_contact(
            s,
            alice,
            customer_id=other.id,
            first_name="Kari",
            last_name="Nordmann",
            emails=["kari@aeroy-bygg.no"],
        )
        version = kari.version
    data = csv(
        "Org.nr;Navn;E-post;Mobil;Tittel",
        f"{AEROY_ORG};Kari Nordmann;Kari@Aeroy-Bygg.no;+47 912 34 567;Styreleder",
    )
    report = await run(store, alice, "contacts", data)
    assert (report.created, report.updated) == (0, 1)
    async with store.reading() as s:
        now = await contacts.get_contact(s, alice, kari.id)
    assert (now.title, now.customer_id, [p.number for p in now.phones], now.version) == (
        "Styreleder",
        aeroy.id,  # she moved to Ærøy
        ["+4791234567"],
        version + 1,
    )
    again = await run(store, alice, "contacts", data)
    assert (again.updated, again.unchanged) == (0, 1)
    assert await count(store, Contact) == 1


async def test_contacts_without_email_match_by_name_at_the_customer(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        acme = await customers.create_customer(s, alice, "Acme AS")
        await customers.create_customer(s, alice, "ACME as.", allow_similar=True)
        await customers.create_customer(s, alice, "Acme Holding AS", allow_similar=True)
        await contacts.add_contact(s, alice, customer_id=acme.id, first_name="Per", last_name="Olsen")
    report = await run(
        store,
        alice,
        "contacts",
        csv(
            "Kunde;Fornavn;Etternavn;Tittel",
            "Acme AS;Per;Olsen;CFO",
            "Acme;Ola;Hansen;",
            "Acme Holding AS;Ola;Hansen;",
        ),
        partial=True,
    )
    assert (report.updated, report.created) == (1, 1)
    assert rejected(report)[3].startswith("several customers are called 'Acme'")
    assert await count(store, Contact) == 2


async def test_contacts_of_hidden_customers_are_unknown(store: Store, alice: Actor, bob: Actor) -> None:
    async with store.transaction() as s:
        secret = await customers.create_customer(s, bob, "Hemmelig AS", visibility=Visibility.OWNER)
    report = await run(
        store, alice, "contacts", csv("Kundenummer;Navn", f"{secret.customer_number};Kari Nordmann")
    )
    assert rejected(report) == {2: f"unknown customer: no customer #{secret.customer_number}"}


# --- addresses ------------------------------------------------------------------------------------------------


async def test_addresses_with_types_and_the_head_office(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        aeroy = await customers.create_customer(s, alice, "Ærøy Bygg AS", org_number=AEROY_ORG)
    report = await run(store, alice, "addresses", fixture("adresser.csv"), partial=True)
    reasons = rejected(report)
    assert reasons == {
        4: "the same address as line 2",
        5: "unknown address type 'ukjent-type' (use postal, visiting, billing, delivery, attestation)",
        6: "unknown customer: no customer with organisation number 912 345 645",
    }
    async with store.reading() as s:
        found = (await customers.get_customer(s, alice, aeroy.id)).addresses
    by_line = {a.line1: a for a in found}
    street, box = by_line["Strandgata 4"], by_line["Postboks 88"]
    assert (street.is_head_office, street.is_visiting, street.is_postal) == (True, True, False)
    assert (box.is_head_office, box.is_postal, box.is_billing, box.country) == (False, True, True, "NO")
    moved = await run(
        store,
        alice,
        "addresses",
        csv("Org.nr;Adresse;Postnr;Hovedkontor", f"{AEROY_ORG};Postboks 88;5971;ja"),
    )
    assert (moved.updated, moved.created) == (1, 0)
    async with store.reading() as s:
        heads = (
            await s.execute(
                select(Address.line1).where(Address.customer_id == aeroy.id, Address.is_head_office.is_(True))
            )
        ).scalars()
        assert list(heads) == ["Postboks 88"]


async def test_a_customer_file_updates_the_head_office(store: Store, alice: Actor) -> None:
    await run(store, alice, "customers", fixture("kunder_excel_nb.csv"))
    report = await run(
        store,
        alice,
        "customers",
        csv("Org.nr;Adresse;Postnummer;Poststed", f"{AEROY_ORG};Strandgata 6;5970;Byrknesøy"),
    )
    assert report.updated == 1
    async with store.reading() as s:
        aeroy = await customers.get_customer(s, alice, (await customer_named(store, "Ærøy Bygg AS")).id)
        assert [a.line1 for a in aeroy.addresses] == ["Strandgata 6"]
        assert aeroy.head_office is not None
