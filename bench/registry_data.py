"""Synthetic Enhetsregisteret bulk files for the local-register benchmark and tests (SPEC §4).

A file is exactly what Brønnøysund serves at `/enhetsregisteret/api/enheter/lastned`: a gzip-compressed JSON
array of main units in the register's own schema (organisasjonsnummer, navn, organisasjonsform,
forretningsadresse, postadresse, naeringskode1, antallAnsatte, hjemmeside, konkurs, underAvvikling, ...).
Every organisation number has a valid MOD11 check digit and is unique within a file; names come from
Norwegian word lists with the register's legal forms (AS, ASA, ENK, DA, ANS, NUF, SA, STI, FLI, BRL, ...),
upper-case as the register writes them. Some units lack one or both addresses, most have an industry code,
some have employees or a website, a few are bankrupt or being wound up.

API (all deterministic; nothing depends on global random state):

    write_bulk_file(path, count, *, seed=7, changed=0, base_seed=None) -> list[str]
        Streams `count` units to `path` (element by element through a gzip writer, so 1.1M units need
        bounded memory; written to `<path>.partial` first and renamed, so a file with the final name is
        always complete). Returns the numbers of the *changed* units (empty when changed == 0): never the
        whole list of numbers, which would be large for a full-size file.

    BulkSpec(count, seed=7, changed=0, base_seed=None)
        The same file without writing it, for random access: `.number(i)`, `.unit(i)` (the JSON object of
        element i), `.changed_indices()`, `.changed_numbers()`, `.units()` (an iterator in file order).

    changed_numbers(count, *, seed=7, changed=0, base_seed=None) -> list[str]

How `seed`, `base_seed` and `changed` relate: the *base* seed (`base_seed`, or `seed` when it is None) fixes
the organisation numbers and every unit's original content. With `changed=k`, the seed picks k of the
`count` units and gives each a new name and a new business address (renamed and moved), plus a new
employee count, and flips its bankruptcy flag for about one in five. Everything else stays as in the base
file. So a re-import test writes

    write_bulk_file(first, 10_000, seed=7)
    changed = write_bulk_file(second, 10_000, seed=8, base_seed=7, changed=1_000)

and the second file has the same 10,000 numbers, with exactly the 1,000 numbers in `changed` carrying new
values (`BulkSpec(10_000, seed=8, base_seed=7, changed=1_000).unit(i)` says which).

Element i's content is a function of (base seed, i) alone (and, for a changed unit, of (seed, i)), so the
first n units of a larger file equal the units of an n-unit file with the same seed.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

API = "https://data.brreg.no/enhetsregisteret/api"
# Stems: the first seven digits (8000000-9999999) and, for each, the first nine eighth digits that admit a
# MOD11 check digit (at most one of the ten does not). An affine permutation of the 18M slots spreads a
# file's numbers over the whole range while keeping them unique.
_PREFIXES = 2_000_000
_SLOTS = _PREFIXES * 9
_STRIDE = 7_368_787  # coprime with 18,000,000 (not divisible by 2, 3 or 5)
_WEIGHTS = (3, 2, 7, 6, 5, 4, 3)
MAX_UNITS = _SLOTS
GENERATOR_VERSION = 3  # part of cached files' names: bump when the output for a seed changes
GZIP_LEVEL = 6
_FLUSH_EVERY = 500  # elements per write to the gzip stream

# --- vocabularies -----------------------------------------------------------------------------------------

FIRST_NAMES = (
    "OLA KARI PER ANNE JAN INGRID LARS NORA ERIK SOFIE ANDERS EMMA JONAS IDA MAGNUS SARA HENRIK MARIA KNUT "
    "LIV BJØRN ASTRID HÅKON MAJA ELIAS FRIDA OSKAR SILJE TOR HEIDI GEIR HILDE RUNE TONE ARNE RANDI TROND "
    "KRISTIN ØYVIND MARIT EIRIK GRO STIAN LINE SIGURD TURID ASLAK SOLVEIG AUDUN BERIT KJETIL HANNE TERJE "
    "GUNN VEGARD ÅSE SINDRE TORILL ESPEN VIGDIS TORE RAGNHILD JØRGEN INGER HALVARD ELIN MARTIN HEGE "
    "THOMAS MARTE KRISTIAN LENE SVEIN BENTE ROAR TRINE DAG ELISABETH FREDRIK CAMILLA PETTER TONJE "
    "MORTEN MARIANNE ØYSTEIN SIGRID SIMEN JULIE AKSEL EMILIE MATHIAS INGEBORG SEBASTIAN THEA ADRIAN "
    "VILDE TOBIAS ÅSHILD HÅVARD GUNHILD"
).split()
LAST_NAMES = (
    "HANSEN JOHANSEN OLSEN LARSEN ANDERSEN PEDERSEN NILSEN KRISTIANSEN JENSEN KARLSEN JOHNSEN PETTERSEN "
    "ERIKSEN BERG HAUGEN HAGEN JOHANNESSEN ANDREASSEN JACOBSEN DAHL JØRGENSEN HALVORSEN HENRIKSEN LUND "
    "SØRENSEN JAKOBSEN MOEN GUNDERSEN IVERSEN STRAND SOLBERG SVENDSEN EIDE KNUTSEN MARTINSEN PAULSEN "
    "BAKKEN KRISTOFFERSEN MATHISEN LIE AMUNDSEN NGUYEN RASMUSSEN SOLHEIM BERGE MOE NYGÅRD BAKKE "
    "KRISTENSEN FREDRIKSEN HOLM LIEN HAUGE CHRISTENSEN ANDRESEN NIELSEN KNUDSEN EVENSEN SÆTHER AAS "
    "MYHRE HANSSEN EKRA NORDMANN SANDVIK HOVLAND TVEIT VIK NÆSS BRATLIE FJELD HOLTE RØNNING ØDEGAARD "
    "SKOGEN ÅSEN BREKKE TANGEN STRØM RUUD GRØNLI LØKEN SANDBERG HOLMEN ENGEN MYKLEBUST ULVESETH "
    "TORGERSEN BØE FOSS VOLD RØD HELLAND NESS SKJELBRED FLATEN HAMRE SUNDE GJERDE LUNDE NYHUS"
).split()
# First and second halves of invented but Norwegian-looking place words: FJORD+LYS, KVIT+FJELL, SOL+VIK.
WORD_HEADS = (
    "FJORD KVIT SOL NORD SØR ØST VEST HAV STORM BLÅ GRØNN RØD SVART HVIT GULL SØLV STEIN BERG SKOG ELV "
    "SJØ BRE MYR LYNG FURU BJØRKE EIKE ASK LIND GRAN ROGN HEGG ØRNE ULVE REV BJØRNE HJORTE LAKSE SILDE "
    "TORSKE MÅKE TRANE SVANE ISBJØRN POLAR MIDNATT MORGEN KVELD VÅR SOMMER VINTER HØST TIND NES HOLM "
    "ØY VIK DAL ÅS LIA HEI VANG BØ RUD STRAND BRYGGE HAVNE KYST FJELL BREKKE VARDE VÅGE SUND"
).split()
WORD_MIDDLES = (
    "BU LI MO RA VE TO KA SE NI DA RE LO HA GA TI VI MA NE SKO LAND BY HOLM ÅS GARD STAD RØD LY BRE KLE "
    "STEN HAUG BERG DAL VANG SAND LUND MYR HEI FOSS NES TUN RUD SET STRAND EL ÅL IS RO SO FRO GRO HEL "
    "LAUV LIN MAR RIN TOR ULL VIN"
).split()
WORD_TAILS = (
    "LYS FJELL VIK HEIM DAL NES LIA ÅS BERG STRAND SUND HAVN TIND TOPP STIEN VEIEN GÅRD TUN LUND HOLMEN "
    "KOLLEN BAKKEN MOEN RUD SETER BU KILEN VÅGEN SKJÆR BRU FOSS ELVA LI HAUG ØY TANGEN BREKKA STØ "
    "VARDEN NESET"
).split()
TRADES = (
    "BYGG DATA KONSULT REGNSKAP TRANSPORT ENERGI MEDIA EIENDOM MARIN TEKNIKK LOGISTIKK DESIGN HELSE "
    "INVEST HANDEL ELEKTRO RØR MASKIN ANALYSE REVISJON ARKITEKTER SYSTEMER SOLUTIONS GRUPPEN PARTNER "
    "SERVICE UTVIKLING MONTASJE SHIPPING KRAFT SOFTWARE KOMPETANSE RÅDGIVNING ENTREPRENØR MALING "
    "SNEKKERI TAK FASADE BETONG GRAVING ANLEGG VVS VENTILASJON KJØLING TRE INTERIØR MØBLER FOTO FILM "
    "LYD EVENT REKLAME KOMMUNIKASJON TEKST OVERSETTELSE REGNSKAPSKONTOR ADVOKATFIRMA EIENDOMSMEGLING "
    "FORVALTNING FINANS FORSIKRING HELSEKOST FYSIOTERAPI TANNLEGE KLINIKK OPTIKK FRISØR HUDPLEIE "
    "TRENING YOGA BAKERI KAFÉ RESTAURANT CATERING MAT FISK SJØMAT OPPDRETT LANDBRUK GARTNERI "
    "SKOGBRUK VERKSTED BILSERVICE DEKK BÅT MARINA TAXI BUSS FRAKT SPEDISJON LAGER EMBALLASJE PLAST "
    "STÅL METALL SVEIS MEKANISKE AUTOMASJON ROBOTIKK SIKKERHET IT SKY NETTVERK SPILL APPER ANALYTICS "
    "BARNEHAGE OPPLÆRING KURS SKOLE MUSIKK KUNST GALLERI BOKHANDEL TRYKKERI HYTTEUTLEIE REISER "
    "OVERNATTING CAMPING GOLF ISHALL"
).split()
PLACES = (
    "OSLO BERGEN TRONDHEIM STAVANGER TROMSØ BODØ DRAMMEN ÅLESUND KRISTIANSAND HAUGESUND LILLEHAMMER "
    "FREDRIKSTAD SARPSBORG TØNSBERG SANDEFJORD LARVIK SKIEN PORSGRUNN ARENDAL MOLDE KRISTIANSUND HAMAR "
    "GJØVIK HARSTAD ALTA NARVIK STEINKJER LEVANGER VOSS FØRDE STORD SANDNES ASKER BÆRUM LILLESTRØM "
    "MOSS HALDEN KONGSBERG HØNEFOSS ELVERUM MO HAMMERFEST KIRKENES LOFOTEN VESTERÅLEN HARDANGER "
    "SUNNMØRE NORDMØRE JÆREN HALLINGDAL VALDRES GUDBRANDSDAL TELEMARK AGDER FINNMARK TRØNDELAG"
).split()
PERSON_TRADES = (
    "SNEKKER RØRLEGGER ELEKTRIKER MALER MURER FRISØR FOTOGRAF TANNLEGE FYSIOTERAPEUT REGNSKAPSFØRER "
    "ADVOKAT ARKITEKT KONSULENT LEGE PSYKOLOG GRAFISK DESIGNER TAKTEKKER FLISLEGGER GARTNER BONDE "
    "FISKER TAXI MUSIKER KUNSTNER OVERSETTER"
).split()
CLUBS = (
    "IDRETTSLAG|SPORTSKLUBB|SJAKKLUBB|SKILAG|FOTBALLKLUBB|HÅNDBALLKLUBB|VELFORENING|HISTORIELAG|"
    "KORFORENING|MUSIKKORPS|BÅTFORENING|JEGER- OG FISKEFORENING|UNGDOMSLAG|HUSFLIDSLAG|TURLAG|"
    "PENSJONISTFORENING|BYGDELAG|SANITETSFORENING"
).split("|")
FOREIGN_WORDS = (
    "NORDIC GLOBAL BALTIC EUROPEAN ATLANTIC ARCTIC SCANDINAVIAN NORTH SEA OFFSHORE WIND SUBSEA MARITIME "
    "DIGITAL CLOUD DATA ENERGY SOLAR POLAR BLUE GREEN STELLAR VERTEX NOVA"
).split()
FOREIGN_TRADES = "CONSULTING SERVICES ENGINEERING SOLUTIONS TECHNOLOGIES LOGISTICS TRADING SYSTEMS".split()
FOREIGN_FORMS = "LTD|LIMITED|AB|APS|GMBH|OY|BV|SP. Z O.O.|UAB|SIA".split("|")
STREETS = (
    "Storgata|Kongens gate|Dronningens gate|Strandgaten|Industriveien|Havnegata|Sjøgata|Kirkegata|"
    "Fjellveien|Parkveien|Skolegata|Torggata|Jernbanegata|Nedre Slottsgate|Kirkeveien|Hovedgata|"
    "Bryggen|Olav Tryggvasons gate|Karl Johans gate|Markveien|Grensen|Kanalveien|Sandviksveien|"
    "Nordre gate|Søndre gate|Prinsens gate|Munkegata|Elvegata|Fabrikkveien|Verkstedveien|Næringsveien|"
    "Sentrumsvegen|Fjordvegen|Strandvegen|Bakkevegen|Skogvegen|Bjørkevegen|Furuvegen|Lyngvegen|"
    "Åsvegen|Haugesvegen|Tangen|Stasjonsveien|Brugata|Løkkeveien|Vestre vei|Østre vei|Sagvegen|"
    "Møllevegen|Smedvegen|Kaiveien|Rådhusgata|Apotekergata|Tollbodgata|Øvre Vollgate|Langgata"
).split("|")
# (postcodes, poststed, kommune, kommunenummer), weighted roughly by population.
MUNICIPALITIES: list[tuple[tuple[str, ...], str, str, str, int]] = [
    (
        ("0150", "0151", "0160", "0250", "0252", "0484", "0566", "0661", "0950", "1151"),
        "OSLO",
        "OSLO",
        "0301",
        40,
    ),
    (("5003", "5006", "5014", "5089", "5145", "5221"), "BERGEN", "BERGEN", "4601", 16),
    (("7010", "7011", "7030", "7043", "7080"), "TRONDHEIM", "TRONDHEIM", "5001", 12),
    (("4006", "4009", "4014", "4020"), "STAVANGER", "STAVANGER", "1103", 8),
    (("4306", "4313", "4318"), "SANDNES", "SANDNES", "1108", 5),
    (("9008", "9010", "9019"), "TROMSØ", "TROMSØ", "5501", 5),
    (("8006", "8008", "8013"), "BODØ", "BODØ", "1804", 3),
    (("3015", "3019", "3044"), "DRAMMEN", "DRAMMEN", "3301", 6),
    (("6002", "6003", "6015"), "ÅLESUND", "ÅLESUND", "1508", 4),
    (("4610", "4612", "4630"), "KRISTIANSAND S", "KRISTIANSAND", "4204", 6),
    (("5527", "5528"), "HAUGESUND", "HAUGESUND", "1106", 2),
    (("2609", "2615"), "LILLEHAMMER", "LILLEHAMMER", "3405", 2),
    (("1606", "1607", "1614"), "FREDRIKSTAD", "FREDRIKSTAD", "3107", 4),
    (("1706", "1710"), "SARPSBORG", "SARPSBORG", "3105", 3),
    (("3111", "3117"), "TØNSBERG", "TØNSBERG", "3905", 3),
    (("3210", "3218"), "SANDEFJORD", "SANDEFJORD", "3907", 3),
    (("3256", "3260"), "LARVIK", "LARVIK", "3909", 2),
    (("3715", "3724"), "SKIEN", "SKIEN", "4003", 3),
    (("4836", "4838"), "ARENDAL", "ARENDAL", "4203", 2),
    (("6413", "6415"), "MOLDE", "MOLDE", "1506", 2),
    (("2317", "2319"), "HAMAR", "HAMAR", "3403", 2),
    (("1337", "1338", "1366"), "SANDVIKA", "BÆRUM", "3201", 6),
    (("1383", "1384"), "ASKER", "ASKER", "3203", 4),
    (("2000", "2004"), "LILLESTRØM", "LILLESTRØM", "3205", 4),
    (("1530", "1531"), "MOSS", "MOSS", "3103", 2),
    (("9405", "9406"), "HARSTAD", "HARSTAD", "5503", 1),
    (("9510", "9511"), "ALTA", "ALTA", "5601", 1),
    (("8514", "8515"), "NARVIK", "NARVIK", "1806", 1),
    (("7713", "7714"), "STEINKJER", "STEINKJER", "5006", 1),
    (("5700", "5701"), "VOSS", "VOSS", "4621", 1),
    (("5411", "5412"), "STORD", "STORD", "4614", 1),
    (("3611", "3612"), "KONGSBERG", "KONGSBERG", "3303", 1),
    (("2406", "2407"), "ELVERUM", "ELVERUM", "3420", 1),
    (("8622", "8624"), "MO I RANA", "RANA", "1833", 1),
]
MUNICIPALITY_WEIGHTS = [m[4] for m in MUNICIPALITIES]
# SN2007 codes (the register's naeringskode1), with the register's Norwegian descriptions.
INDUSTRIES = [
    ("62.010", "Programmeringstjenester"),
    ("62.020", "Konsulentvirksomhet tilknyttet informasjonsteknologi"),
    ("62.090", "Andre tjenester tilknyttet informasjonsteknologi"),
    ("70.220", "Bedriftsrådgivning og annen administrativ rådgivning"),
    ("69.201", "Regnskap og bokføring"),
    ("69.100", "Juridisk tjenesteyting"),
    ("71.121", "Byggteknisk konsulentvirksomhet"),
    ("71.111", "Arkitekttjenester vedrørende byggverk"),
    ("41.200", "Oppføring av bygninger"),
    ("43.210", "Elektrisk installasjonsarbeid"),
    ("43.220", "VVS-arbeid"),
    ("43.320", "Snekkerarbeid"),
    ("43.341", "Malerarbeid"),
    ("43.120", "Grunnarbeid"),
    ("49.410", "Godstransport på vei"),
    ("49.320", "Drosjebiltransport"),
    ("47.111", "Butikkhandel med bredt vareutvalg med hovedvekt på nærings- og nytelsesmidler"),
    ("46.900", "Uspesifisert engroshandel"),
    ("56.101", "Drift av restauranter og kafeer"),
    ("68.209", "Utleie av egen eller leid fast eiendom ellers"),
    ("68.100", "Kjøp og salg av egen fast eiendom"),
    ("68.320", "Eiendomsforvaltning"),
    ("64.200", "Holdingselskaper"),
    ("86.211", "Allmenn legetjeneste"),
    ("86.230", "Tannhelsetjenester"),
    ("86.902", "Fysioterapitjeneste"),
    ("96.021", "Frisering"),
    ("96.022", "Virksomhet innen skjønnhetspleie"),
    ("01.410", "Melkeproduksjon på storfe"),
    ("03.211", "Produksjon av matfisk og skalldyr i hav- og kystbasert akvakultur"),
    ("02.100", "Skogskjøtsel og andre skogbruksaktiviteter"),
    ("74.100", "Spesialisert designvirksomhet"),
    ("74.200", "Fotografvirksomhet"),
    ("73.110", "Reklamebyråer"),
    ("85.590", "Annen undervisning ikke nevnt annet sted"),
    ("88.911", "Barnehager"),
    ("90.011", "Utøvende kunstnere og underholdningsvirksomhet innen musikk"),
    ("93.120", "Idrettslag og -klubber"),
    ("94.991", "Aktiviteter i andre interesseorganisasjoner ikke nevnt annet sted"),
    ("45.200", "Vedlikehold og reparasjon av motorvogner, unntatt motorsykler"),
    ("55.101", "Drift av hoteller, pensjonater og moteller med restaurant"),
    ("52.291", "Spedisjon"),
    ("25.620", "Bearbeiding av metaller"),
    ("33.150", "Reparasjon og vedlikehold av skip og båter"),
    ("66.190", "Andre tjenester tilknyttet finansieringsvirksomhet"),
    ("58.210", "Utgivelse av programvare for dataspill"),
    ("59.110", "Produksjon av film, video og fjernsynsprogrammer"),
    ("81.210", "Rengjøring av bygninger"),
    ("98.000", "Lønnet arbeid i private husholdninger"),
]
# (kode, beskrivelse, weight, institutional sector (kode, beskrivelse) or None)
_PRIVATE = ("2100", "Private aksjeselskaper mv.")
_PERSONAL = ("8200", "Personlig næringsdrivende")
_NONPROFIT = ("7000", "Ideelle organisasjoner")
_HOUSING = ("2500", "Private produsentorienterte foretak uten profittformål")
ORG_FORMS: list[tuple[str, str, int, tuple[str, str] | None]] = [
    ("AS", "Aksjeselskap", 380, _PRIVATE),
    ("ENK", "Enkeltpersonforetak", 330, _PERSONAL),
    ("FLI", "Forening/lag/innretning", 90, _NONPROFIT),
    ("ESEK", "Eierseksjonssameie", 30, _HOUSING),
    ("NUF", "Norskregistrert utenlandsk foretak", 25, None),
    ("ANS", "Ansvarlig selskap med solidarisk ansvar", 15, _PRIVATE),
    ("DA", "Selskap med delt ansvar", 15, _PRIVATE),
    ("BRL", "Borettslag", 12, _HOUSING),
    ("STI", "Stiftelse", 7, _NONPROFIT),
    ("SA", "Samvirkeforetak", 4, _PRIVATE),
    ("KS", "Kommandittselskap", 3, _PRIVATE),
    ("ASA", "Allmennaksjeselskap", 1, _PRIVATE),
]
ORG_FORM_WEIGHTS = [f[2] for f in ORG_FORMS]
_FORMS_BY_CODE = {f[0]: f for f in ORG_FORMS}
ACTIVITIES = [
    "Konsulentvirksomhet innen informasjonsteknologi og dermed forbundet virksomhet.",
    "Utleie og forvaltning av fast eiendom, samt investering i andre selskaper.",
    "Oppføring og rehabilitering av bygninger, og det som naturlig hører sammen med dette.",
    "Regnskapsføring, rådgivning og tilknyttede tjenester.",
    "Drift av restaurant og kafé med servering av mat og alkoholholdig drikk.",
    "Transport av gods på vei, lagring og distribusjon.",
    "Salg av varer og tjenester innen handel, import og eksport.",
    "Idrett og fysisk aktivitet for medlemmene.",
]


# --- numbers ----------------------------------------------------------------------------------------------


def _offset(base_seed: int) -> int:
    return random.Random(f"brreg-bulk-numbers:{base_seed}").randrange(_SLOTS)


def number_at(index: int, base_seed: int) -> str:
    """The organisation number of element `index` of every file with this base seed (valid MOD11)."""
    if not 0 <= index < _SLOTS:
        raise ValueError(f"index {index} outside 0..{_SLOTS - 1}")
    slot = (_STRIDE * index + _offset(base_seed)) % _SLOTS
    prefix, nth = divmod(slot, 9)
    digits = [int(c) for c in str(8_000_000 + prefix)]
    partial = sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True))
    seen = 0
    for eighth in range(10):
        remainder = (partial + 2 * eighth) % 11
        if remainder == 1:
            continue  # the check digit would be 10: no number with this stem
        if seen == nth:
            check = (11 - remainder) % 11
            return "".join(map(str, digits)) + f"{eighth}{check}"
        seen += 1
    raise AssertionError("every stem prefix has at least nine usable eighth digits")


# --- units ------------------------------------------------------------------------------------------------


def _rng(kind: int, seed: int, index: int) -> random.Random:
    """An independent stream per (purpose, seed, element), so elements can be generated in any order."""
    return random.Random((kind << 100) | ((seed & (2**64 - 1)) << 32) | index)


def _word(rng: random.Random) -> str:
    """An invented place-like word: two parts (FJORDLYS, KVITFJELL, a few thousand of them, so they recur)
    or three (SOLRAVIK, NORDLANDVIK: some 200,000, about as distinctive as real firm names)."""
    head, tail = rng.choice(WORD_HEADS), rng.choice(WORD_TAILS)
    if rng.random() < 0.5:
        head += rng.choice(WORD_MIDDLES)
    if tail.startswith(head) or head.endswith(tail):
        return head + "HEIM"
    return head + tail if not head.endswith(tail[:1]) else head + tail[1:]


def _person(rng: random.Random) -> str:
    first = rng.choice(FIRST_NAMES)
    roll = rng.random()
    if roll < 0.35:
        first = f"{first} {rng.choice(FIRST_NAMES)}"
    last = rng.choice(LAST_NAMES)
    if rng.random() < 0.25:
        last = f"{rng.choice(LAST_NAMES)} {last}"
    return f"{first} {last}"


def _business_name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.38:
        return f"{_word(rng)} {rng.choice(TRADES)}"
    if roll < 0.52:
        return f"{_word(rng)} {rng.choice(TRADES)} {rng.choice(PLACES)}"
    if roll < 0.62:
        return f"{rng.choice(LAST_NAMES)} {rng.choice(TRADES)}"
    if roll < 0.72:
        return f"{rng.choice(PLACES)} {rng.choice(TRADES)} OG {rng.choice(TRADES)}"
    if roll < 0.82:
        owner = _word(rng) if rng.random() < 0.5 else rng.choice(LAST_NAMES)
        return f"{owner} {rng.choice(('HOLDING', 'INVEST', 'CAPITAL', 'EIENDOM'))}"
    if roll < 0.92:
        return _word(rng) + rng.choice(("", "EN", " GRUPPEN", " PARTNERS"))
    return f"{_word(rng)} {rng.choice(TRADES)} {rng.randint(1, 30)}"


def _name(rng: random.Random, form: str) -> str:
    if form == "ENK":
        roll = rng.random()
        if roll < 0.45:
            return _person(rng)
        if roll < 0.65:
            return f"{rng.choice(PERSON_TRADES)} {_person(rng)}"
        if roll < 0.8:
            return f"{_person(rng)} {rng.choice(TRADES)}"
        return f"{_word(rng)} {rng.choice(TRADES)}"
    if form == "FLI":
        club = rng.choice(CLUBS)
        return f"{rng.choice((_word(rng), rng.choice(PLACES)))} {club}"
    if form in ("BRL", "ESEK"):
        kind = "BORETTSLAG" if form == "BRL" else "SAMEIE"
        place = f"{rng.choice(STREETS).upper()} {rng.randint(1, 120)}" if rng.random() < 0.5 else _word(rng)
        definite = "BORETTSLAGET" if form == "BRL" else "SAMEIET"
        return f"{definite} {place}" if rng.random() < 0.4 else f"{place} {kind}"
    if form == "STI":
        return f"STIFTELSEN {_word(rng)}" if rng.random() < 0.6 else f"{_word(rng)} STIFTELSE"
    if form == "NUF":
        core = f"{rng.choice(FOREIGN_WORDS)} {rng.choice(FOREIGN_WORDS)} {rng.choice(FOREIGN_TRADES)}"
        suffix = rng.choice(FOREIGN_FORMS)
        return f"{core} {suffix}" + (" NORSK AVDELING AV UTENLANDSK FORETAK" if rng.random() < 0.15 else "")
    if form == "SA":
        return f"{rng.choice(PLACES)} {rng.choice(('SAMVIRKELAG', 'FISKARLAG', 'BONDELAG', _word(rng)))} SA"
    return f"{_business_name(rng)} {form}"


def _municipality(rng: random.Random) -> tuple[tuple[str, ...], str, str, str, int]:
    return rng.choices(MUNICIPALITIES, weights=MUNICIPALITY_WEIGHTS)[0]


def _street(rng: random.Random) -> str:
    letter = rng.choice("ABC") if rng.random() < 0.1 else ""
    return f"{rng.choice(STREETS)} {rng.randint(1, 150)}{letter}"


def _address(
    rng: random.Random, place: tuple[tuple[str, ...], str, str, str, int], lines: list[str]
) -> dict[str, Any]:
    postcodes, city, kommune, kommunenummer, _ = place
    return {
        "land": "Norge",
        "landkode": "NO",
        "postnummer": rng.choice(postcodes),
        "poststed": city,
        "adresse": lines,
        "kommune": kommune,
        "kommunenummer": kommunenummer,
    }


def _business_address(rng: random.Random) -> dict[str, Any]:
    lines = [_street(rng)]
    if rng.random() < 0.08:
        lines.append(rng.choice(("2. etasje", "3. etasje", "Bygg B", "Inngang vest", "c/o Regnskapshuset")))
    return _address(rng, _municipality(rng), lines)


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _slug(name: str) -> str:
    table = str.maketrans({"Æ": "AE", "Ø": "O", "Å": "A", " ": "-"})
    return "".join(c for c in name.translate(table).lower() if c.isalnum() or c == "-")


def _unit(number: str, rng: random.Random) -> dict[str, Any]:
    """One element in the register's own field order (as the API and the bulk file write it)."""
    code, description, _, sector = rng.choices(ORG_FORMS, weights=ORG_FORM_WEIGHTS)[0]
    name = _name(rng, code)
    founded = _day(rng, date(1950, 1, 1), date(2025, 12, 31))
    if rng.random() < 0.6:  # most units are young
        founded = _day(rng, date(2010, 1, 1), date(2025, 12, 31))
    registered = max(founded, date(1995, 2, 1)) + timedelta(days=rng.randrange(0, 40))
    unit: dict[str, Any] = {
        "organisasjonsnummer": number,
        "navn": name,
        "organisasjonsform": {
            "kode": code,
            "beskrivelse": description,
            "_links": {"self": {"href": f"{API}/organisasjonsformer/{code}"}},
        },
    }
    if code not in ("ENK", "ESEK", "BRL") and rng.random() < 0.18:
        unit["hjemmeside"] = f"www.{_slug(name.rsplit(' ', 1)[0] if code != 'FLI' else name)}.no"
    business = _business_address(rng) if rng.random() < 0.93 else None
    postal: dict[str, Any] | None = None
    roll = rng.random()
    if roll < 0.22:
        postal = _address(rng, _municipality(rng), [f"Postboks {rng.randint(1, 9999)}"])
    elif roll < 0.30 and business is not None:
        postal = dict(business)
    elif roll < 0.33:
        postal = _business_address(rng)
    if postal is not None:
        unit["postadresse"] = postal
    unit["registreringsdatoEnhetsregisteret"] = registered.isoformat()
    unit["registrertIMvaregisteret"] = code not in ("ESEK", "FLI", "STI") and rng.random() < 0.55
    if rng.random() < 0.88:
        if code == "FLI":
            industry = ("94.991", "Aktiviteter i andre interesseorganisasjoner ikke nevnt annet sted")
            if "LAG" in name or "KLUBB" in name:
                industry = ("93.120", "Idrettslag og -klubber")
        elif code in ("BRL", "ESEK"):
            industry = ("68.209", "Utleie av egen eller leid fast eiendom ellers")
        else:
            industry = rng.choice(INDUSTRIES)
        unit["naeringskode1"] = {"kode": industry[0], "beskrivelse": industry[1]}
    employees = 0
    if code in ("AS", "ASA", "NUF", "SA", "DA", "ANS") and rng.random() < 0.45:
        employees = min(25_000, int(rng.paretovariate(1.2) * 4))
    unit["harRegistrertAntallAnsatte"] = employees > 0
    if employees > 0:
        unit["antallAnsatte"] = employees
        unit["registreringsdatoAntallAnsatteEnhetsregisteret"] = _day(
            rng, max(registered, date(2015, 1, 1)), date(2026, 3, 31)
        ).isoformat()
    if business is not None:
        unit["forretningsadresse"] = business
    unit["stiftelsesdato"] = founded.isoformat()
    if sector is not None and rng.random() < 0.97:
        unit["institusjonellSektorkode"] = {"kode": sector[0], "beskrivelse": sector[1]}
    unit["registrertIForetaksregisteret"] = code in ("AS", "ASA", "NUF", "DA", "ANS", "SA", "KS") or (
        code == "ENK" and rng.random() < 0.2
    )
    unit["registrertIStiftelsesregisteret"] = code == "STI"
    unit["registrertIFrivillighetsregisteret"] = code == "FLI" and rng.random() < 0.4
    if code in ("AS", "ASA") and rng.random() < 0.7:
        unit["sisteInnsendteAarsregnskap"] = str(rng.choice((2022, 2023, 2024, 2024, 2024)))
    distress = rng.random()
    unit["konkurs"] = distress < 0.012
    if unit["konkurs"]:
        unit["konkursdato"] = _day(rng, registered, date(2026, 3, 31)).isoformat()
    unit["underAvvikling"] = 0.012 <= distress < 0.02
    unit["underTvangsavviklingEllerTvangsopplosning"] = 0.02 <= distress < 0.026
    unit["maalform"] = "Nynorsk" if rng.random() < 0.08 else "Bokmål"
    if code in ("AS", "ASA", "SA", "STI") and rng.random() < 0.3:
        unit["vedtektsdato"] = founded.isoformat()
        unit["vedtektsfestetFormaal"] = [rng.choice(ACTIVITIES)]
    if rng.random() < 0.25:
        unit["aktivitet"] = [rng.choice(ACTIVITIES)]
    unit["registrertIPartiregisteret"] = False
    unit["_links"] = {"self": {"href": f"{API}/enheter/{number}"}}
    return unit


def _change(unit: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The unit renamed (same legal form) and moved, with a new head count; one in five flips bankruptcy."""
    changed = dict(unit)
    code = unit["organisasjonsform"]["kode"]
    while (name := _name(rng, code)) == unit["navn"]:
        pass
    changed["navn"] = name
    while (moved := _business_address(rng)) == unit.get("forretningsadresse"):
        pass
    changed["forretningsadresse"] = moved
    employees = unit.get("antallAnsatte", 0) + rng.randint(1, 40)
    changed["harRegistrertAntallAnsatte"] = True
    changed["antallAnsatte"] = employees
    if rng.random() < 0.2:
        changed["konkurs"] = not unit["konkurs"]
        changed.pop("konkursdato", None)
        if changed["konkurs"]:
            changed["konkursdato"] = "2026-02-02"
    # The register's field order: forretningsadresse after antallAnsatte, _links last.
    links = changed.pop("_links")
    changed["_links"] = links
    return changed


class BulkSpec:
    """A synthetic bulk file described without writing it: numbers and units by position (module docstring)."""

    def __init__(self, count: int, seed: int = 7, changed: int = 0, base_seed: int | None = None) -> None:
        if not 0 <= count <= MAX_UNITS:
            raise ValueError(f"count must be between 0 and {MAX_UNITS:,}")
        if not 0 <= changed <= count:
            raise ValueError("changed must be between 0 and count")
        self.count, self.seed, self.changed = count, seed, changed
        self.base_seed = seed if base_seed is None else base_seed
        self._changed: frozenset[int] | None = None

    def number(self, index: int) -> str:
        return number_at(index, self.base_seed)

    def changed_indices(self) -> list[int]:
        """Positions of the changed units, ascending."""
        if self._changed is None:
            chosen = random.Random(f"brreg-bulk-changes:{self.seed}:{self.count}").sample(
                range(self.count), self.changed
            )
            self._changed = frozenset(chosen)
        return sorted(self._changed)

    def changed_numbers(self) -> list[str]:
        return [self.number(i) for i in self.changed_indices()]

    def is_changed(self, index: int) -> bool:
        if self._changed is None:
            self.changed_indices()
        assert self._changed is not None
        return index in self._changed

    def unit(self, index: int) -> dict[str, Any]:
        """Element `index` of the file, as the JSON object it is written as."""
        if not 0 <= index < self.count:
            raise IndexError(index)
        unit = _unit(self.number(index), _rng(1, self.base_seed, index))
        if self.changed and self.is_changed(index):
            unit = _change(unit, _rng(2, self.seed, index))
        return unit

    def units(self) -> Iterator[dict[str, Any]]:
        for index in range(self.count):
            yield self.unit(index)

    def write(self, path: Path) -> list[str]:
        """Stream the file to `path` (via `<path>.partial`); returns the changed numbers."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        with gzip.open(partial, "wb", compresslevel=GZIP_LEVEL) as out:
            out.write(b"[")
            chunk: list[str] = []
            for index, unit in enumerate(self.units()):
                chunk.append(("," if index else "") + encode(unit))
                if len(chunk) == _FLUSH_EVERY:
                    out.write("\n".join(chunk).encode())
                    out.write(b"\n")
                    chunk = []
            if chunk:
                out.write("\n".join(chunk).encode())
            out.write(b"]\n")
        partial.replace(path)
        return self.changed_numbers()


def write_bulk_file(
    path: Path, count: int, *, seed: int = 7, changed: int = 0, base_seed: int | None = None
) -> list[str]:
    """Write a gzip JSON bulk file of `count` units; returns the numbers of the changed units (see above)."""
    return BulkSpec(count, seed, changed, base_seed).write(path)


def changed_numbers(
    count: int, *, seed: int = 7, changed: int = 0, base_seed: int | None = None
) -> list[str]:
    """The numbers `write_bulk_file` with the same arguments changes, without writing anything."""
    return BulkSpec(count, seed, changed, base_seed).changed_numbers()
