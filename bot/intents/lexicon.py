"""The words that signal what a message asks for, in English, Norwegian and Swedish, as readable phrase lists.

Each cue is a label and the phrases that raise it. Phrases are matched on the folded text (see `text.fold`),
so "møte", "mote" and "möte" are one phrase; write them as people spell them. People mix languages ("logg en
call med acme"), so every language's pipeline knows every cue.
"""

from __future__ import annotations

from bot.intents.text import fold

CUES: dict[str, tuple[str, ...]] = {
    "CREATE": (
        "add", "create", "new", "register", "make", "set up a", "put in", "enter",
        "ny", "nytt", "nye", "opprett", "opprette", "registrer", "registrere", "legg til", "legge til", "la til",
        "lag", "lage", "legg inn", "legge inn", "sett opp en",
        "skapa", "skapa en", "lägg till", "lägga till", "lägg upp", "lägga upp", "lägg in", "registrera",
        "lade till", "skapa ny", "nya", "lägga in",
    ),
    "CUSTOMER": (
        "customer", "customers", "client", "clients", "prospect", "account", "company", "companies",
        "kunde", "kunden", "kunder", "kundene", "klient", "prospekt", "firma", "selskap", "selskapet", "bedrift",
        "bedriften", "kund", "kunderna", "företag", "företaget", "bolag", "bolaget", "organisasjon",
    ),
    "CONTACT": (
        "contact", "contacts", "contact person", "kontakt", "kontakten", "kontaktperson", "kontaktpersonen",
        "kontaktpersoner", "kontakter", "ny person",
    ),
    "AS_CONTACT": ("som kontakt", "as contact", "as a contact", "som kontaktperson", "som ny kontakt"),
    "SHOW": (
        "show", "show me", "open", "display", "view", "pull up", "details", "details for", "details on", "info on",
        "info about", "what do we have on", "what do we know about", "tell me about", "card", "customer card",
        "vis", "vis meg", "åpne", "kundekort", "kundekortet", "hva har vi på", "hva vet vi om", "fortell om",
        "detaljer", "detaljer om", "info om", "informasjon om", "se på",
        "visa", "visa mig", "öppna", "kundkort", "kundkortet", "vad har vi på", "vad vet vi om", "berätta om",
        "detaljer för", "vad har vi om", "hva har vi om", "what have we got on", "what do we have about",
    ),
    "FIND": (
        "find", "search", "search for", "look for", "list", "which customers", "any customers", "customers named",
        "finn", "søk", "søk etter", "sok etter", "let etter", "lete etter", "leit etter", "finnes", "hvilke kunder",
        "liste", "list opp", "har vi noen kunder", "kunder som heter",
        "hitta", "sök", "sök efter", "leta efter", "lista", "vilka kunder", "finns", "har vi några kunder",
        "kunder som heter", "kunder med namn", "kunder med navn", "customers called", "clients called",
        "customers matching", "clients matching", "matching", "any clients", "named", "med namnet", "i namnet", "i navnet",
        "med navnet", "leta upp", "finns det någon kund", "någon kund som heter", "kund som heter", "heter",
        "kunde som heter", "starting with", "som begynner på", "som börjar på",
    ),
    "LOOKUP": (
        "what company is", "which company is", "hva slags firma", "hvilket selskap", "hvilket firma",
        "vilket företag", "vad är det för företag", "look up", "lookup", "who is", "who owns", "check", "register", "company register", "brreg", "org number",
        "slå opp", "sla opp", "sjekk", "sjekke", "hvem er", "hvem eier", "enhetsregisteret", "registeret", "orgnr",
        "org nr", "org.nr", "organisasjonsnummer", "organisasjonsnr",
        "kolla", "kolla upp", "slå upp", "vem är", "vem äger", "bolagsverket", "registret", "organisationsnummer",
        "ytj", "prh", "cvr", "y-tunnus", "allabolag", "proff",
    ),
    "LOG": (
        "log", "log a", "log an", "record", "note down", "write down", "add a note", "add note",
        "logg", "logge", "logg en", "logg et", "noter", "notér", "skriv ned", "registrer en",
        "logga", "logga ett", "logga en", "notera", "anteckna", "skriv ner",
    ),
    "CALL": (
        "call", "called", "phone call", "phoned", "spoke with", "spoke to", "talked to", "talked with", "rang",
        "samtale", "telefonsamtale", "ringte", "ringt", "snakket med", "snakka med", "pratet med", "prata med",
        "telefon med", "ringte til",
        "samtal", "telefonsamtal", "ringde", "pratade med", "pratat med", "talade med", "snackade med",
        "samtalet", "samtalen",
    ),
    "MEETING": (
        "meeting", "meet", "met", "met with", "demo", "lunch", "workshop", "visit", "visited", "coffee",
        "møte", "moete", "møtet", "møter", "traff", "besøk", "besøkte", "lunsj", "kaffe", "kickoff", "teams-møte",
        "teams møte", "kundemøte", "kundemøtet",
        "möte", "mötet", "möten", "träffade", "träff", "träffa", "besökte", "kundmöte", "fika", "teamsmöte",
    ),
    "EMAIL": (
        "email", "e-mail", "mail", "mailed", "emailed", "sent an email",
        "e-post", "epost", "mailet", "sendte mail", "sendte e-post", "sendte en mail",
        "mejl", "mejlade", "mailade", "skickade mejl", "skickade ett mejl", "skickade mail",
    ),
    "NOTE": ("note", "notat", "notatet", "anteckning", "notering", "memo", "notis"),
    "PAST": (
        "had", "had a", "was", "did", "yesterday", "earlier today", "just now", "just had", "just",
        "hadde", "hadde et", "var", "nettopp", "nå nettopp", "i går", "igår", "tidligere i dag", "akkurat",
        "hade", "hade ett", "nyss", "precis", "precis nu", "i förrgår",
    ),
    "DETAIL": (
        "tlf", "tfn", "tel", "numret", "nummeret", "phone", "mobile", "mob", "mobil", "mobilnr", "telefon",
        "telefonnummer", "phone number",
        "email address", "e-postadresse", "e-postadress", "mejladress", "title", "tittel", "titel",
        "rolle", "roll", "role", "nr",
    ),
    "SALES_FIELD": (
        "value", "worth", "valued at", "amount", "probability", "chance", "expected close", "expected", "close",
        "closing", "close date", "verdi", "verdien", "beløp", "beløpet", "sannsynlighet", "sannsynligheten",
        "forventet", "forventet signert", "lukkes", "avsluttes", "värde", "värdet", "belopp", "beloppet",
        "sannolikhet", "sannolikheten", "förväntat", "beräknat", "stängs", "avslut", "stage", "fase", "fasen",
        "fas", "fasen", "steg", "avslutning", "väntas", "stängas", "forventes", "lukket", "expected to close",
        "to close", "close date", "signert", "signering", "signed", "signering", "ordre", "order",
        "arr", "mrr", "tcv", "acv", "deal value",
    ),
    "HOWTO": (
        "how do i", "how can i", "how do you", "how does this work", "how does this bot work", "what is this",
        "hvordan kan jeg", "hvordan legger jeg", "hvordan gjør jeg", "hvordan lager jeg", "hvordan logger jeg",
        "hur gör jag", "hur lägger jag", "hur kan jag", "hur skapar jag", "hur loggar jag",
    ),
    "QUANT": (
        "how many", "how much", "hvor mange", "hvor mye", "hur många", "hur mycket", "omsatt", "fakturert",
        "solgt", "sålt", "fakturerat", "tjent", "tjänat", "earned", "sold",
    ),
    "WHICH": ("which", "what", "hvilke", "hvilken", "hva", "vilka", "vilken", "vad", "list", "liste", "lista"),
    "NEW_ROLE": (
        "is the new", "is our new", "is now", "has joined as", "started as", "er ny", "er nye", "er nå",
        "har begynt som", "begynte som", "är ny", "är nya", "är nu", "har börjat som", "började som",
    ),
    "SCHEDULE": (
        "book", "schedule", "set up", "arrange", "plan", "organise", "organize", "invite", "put a", "calendar",
        "book a", "book in", "book et", "booke", "book inn", "avtal", "avtale et", "planlegg", "sett opp",
        "kall inn", "inviter", "sette opp", "kalender", "kalenderen",
        "boka", "boka in", "boka ett", "planera", "sätt upp", "bjud in", "kalla till", "lägg in ett",
    ),
    "TASK": (
        "task", "todo", "to-do", "to do", "reminder", "remind me", "remind me to", "follow up", "follow-up",
        "followup", "don't forget", "dont forget",
        "oppgave", "oppgaven", "gjøremål", "huskelapp", "påminnelse", "minn meg på", "minn meg om", "minn meg",
        "husk å", "husk", "følg opp", "følge opp", "oppfølging",
        "uppgift", "uppgiften", "att göra", "påminn mig", "påminn mig om", "påminnelse om", "kom ihåg",
        "kom ihåg att", "följ upp", "följa upp", "uppföljning",
    ),
    "KPI": (
        "kpi", "kpis", "key figures", "key numbers", "numbers", "figures", "how are we doing", "how're we doing",
        "how is business", "hows business", "how's business", "how did we do", "margin", "invoicing", "invoiced",
        "revenue", "dashboard", "active customers", "stats", "statistics", "results", "overview",
        "nøkkeltall", "nokkeltal", "tall", "tallene", "hvordan går det", "hvordan ligger vi an", "hvordan gikk",
        "fakturering", "faktureringen", "fakturert", "omsetning", "omsetningen", "resultat", "resultatet",
        "aktive kunder", "oversikt", "statistikk",
        "nyckeltal", "nyckeltalen", "siffror", "siffrorna", "hur går det", "hur gick", "hur ligger vi till",
        "fakturerat", "omsättning", "omsättningen", "resultatet", "aktiva kunder", "översikt", "statistik", "kpi:er", "kpier", "kpi-er", "kpi-ene", "kpiene",
        "marginal", "marginalen", "marginen",
    ),
    "PIPELINE": (
        "pipeline", "pipe", "in the pipe", "i pipen", "pipen", "funnel", "sales funnel", "forecast", "open deals", "open opportunities",
        "deals in progress", "weighted", "my deals", "sales this month", "what's in the pipe",
        "pipelinen", "salgstrakt", "salgstrakten", "prognose", "prognosen", "åpne salg", "åpne muligheter",
        "åpne salgsmuligheter", "mine salg", "mine muligheter", "vektet", "salgsmulighetene",
        "säljtratt", "säljtratten", "prognos", "prognosen", "öppna affärer", "öppna möjligheter", "mina affärer",
        "viktad", "affärsmöjligheterna", "öppna affärsmöjligheter", "alla öppna", "all open",
        "alle åpne",
    ),
    "DEAL": (
        "deal", "the deal", "opportunity", "sales case", "sales opportunity", "opp", "tender", "contract",
        "salgsmulighet", "salgsmuligheten", "mulighet", "muligheten", "salgssak", "salgssaken", "anbud",
        "anbudet", "avtalen", "kontrakt", "kontrakten", "kontraktet", "salg", "prosjektmulighet",
        "affärsmöjlighet", "affärsmöjligheten", "möjlighet", "möjligheten", "affär", "affären", "avtalet",
        "säljcase", "upphandling", "upphandlingen", "dealen", "dealet", "saken", "saka", "avtale", "avtal",
        "affären", "affärer", "deals", "opportunities", "muligheter", "affärsmöjligheter", "tilbudet",
    ),
    "UPDATE": (
        "set", "update", "change", "move", "mark", "is now", "moved to", "to stage", "now in", "bump",
        "sett", "oppdater", "endre", "flytt", "flytte", "marker", "er nå", "er i", "satt til", "til fase",
        "uppdatera", "ändra", "flytta", "markera", "är nu", "sätt", "ligger i", "till fas", "har gått till",
        "gikk til", "gick till",
    ),
    "HELP": (
        "help", "what can you do", "what can i do", "what can i ask", "commands", "how does this work",
        "how do i use", "usage", "instructions", "what do you do", "how do you work",
        "hjelp", "hva kan du", "hva kan du gjøre", "kommandoer", "hvordan fungerer", "hvordan bruker",
        "hva gjør du", "hvordan virker",
        "hjälp", "vad kan du", "vad kan du göra", "kommandon", "hur funkar", "hur fungerar", "hur använder",
        "vad gör du", "hva kan jeg spørre", "vad kan jag fråga", "what can i ask you", "hvordan funker",
        "hur funkar", "what do you know", "hva kan jeg", "vad kan jag",
    ),
    "CANCEL": (
        "cancel", "never mind", "nevermind", "forget it", "forget that", "drop it", "abort", "stop", "scrap that",
        "skip it", "cancel that", "nvm", "no thanks", "not now",
        "avbryt", "glem det", "glem det der", "stopp", "drit i det", "la være", "dropp det", "nei glem",
        "avbryte", "ikke gjør det",
        "glöm det", "strunt i det", "skit i det", "låt bli", "avbryt det", "släpp det", "sluta", "skit samma",
        "glem det", "drit i det", "blås av",
    ),
    "OFFTOPIC": (
        "kampen", "matchen", "the game", "melodifestivalen", "weather", "været", "vädret", "flight", "fly til",
        "flyg till", "pizza", "beställ", "bestill", "order food", "restaurant", "restaurang", "kino", "bio",
        "lotto", "fotball", "football", "hockey", "eurovision",
    ),
    "SMALL_TALK": (
        "hi", "hello", "hey", "yo", "good morning", "good afternoon", "thanks", "thank you", "thx", "ty",
        "how are you", "how's it going", "whats up", "what's up", "who are you", "are you a bot", "you're great",
        "nice", "cool", "great job", "lol", "haha", "the best", "you rock", "awesome", "good bot", "good night", "have a nice day", "tell me a joke", "joke",
        "hei", "heisann", "hallo", "halla", "morn", "god morgen", "god dag", "takk", "tusen takk", "takk skal du ha",
        "hvordan har du det", "hvem er du", "er du en bot", "bra jobba", "fint", "kult", "vits", "god natt",
        "ha en fin dag", "fortell en vits",
        "hej", "hejsan", "tjena", "tja", "god morgon", "tack", "tack så mycket", "hur mår du", "hur är läget",
        "vem är du", "är du en bot", "bra jobbat", "kul", "skämt", "berätta ett skämt", "ha en bra dag",
        "du är bäst", "du er god", "du er best", "du er flink", "du är grym", "good job", "well done",
    ),
}  # fmt: skip

# Words that introduce the customer: "hos Acme", "with Volvo", "for Equinor".
CUSTOMER_PREPOSITIONS = frozenset(
    fold(w)
    for w in {
        "hos",
        "at",
        "with",
        "med",
        "for",
        "för",
        "til",
        "till",
        "to",
        "on",
        "på",
        "from",
        "fra",
        "från",
        "i",
        "in",
        "ved",
        "vid",
        "about",
        "om",
        "mot",
        "against",
        "w",
        "w/",
        "m",
    }  # fmt: skip
)
# Preferred over the others when a contact comes first: "med Kari hos Acme", "with Kari at Acme".
WORKPLACE_PREPOSITIONS = frozenset(
    fold(w) for w in {"hos", "at", "på", "from", "fra", "från", "i", "in", "@", "ved", "vid"}
)
# Words that introduce the subject: "om fornyelse", "about the renewal", "angående avtalet".
SUBJECT_MARKERS = frozenset(
    fold(w)
    for w in {
        "om",
        "about",
        "re",
        "re:",
        "regarding",
        "angående",
        "ang",
        "ang.",
        "vedrørende",
        "vedr",
        "vedr.",
        "gällande",
        "kring",
        "ifm",
        "concerning",
        "topic",
        "emne",
        "ämne",
        "subject",
        "tema",
        ":",
        "-",
        "–",
        "rundt",
        "around",
        "wrt",
        "betreffend",
    }  # fmt: skip
)
# Small words that are never a name by themselves.
FILLERS = frozenset(
    fold(w)
    for w in {
        "a",
        "an",
        "the",
        "en",
        "et",
        "ei",
        "ett",
        "please",
        "pls",
        "plz",
        "kan",
        "du",
        "can",
        "you",
        "could",
        "would",
        "jeg",
        "jag",
        "i",
        "we",
        "vi",
        "me",
        "meg",
        "mig",
        "my",
        "min",
        "mitt",
        "mine",
        "mina",
        "our",
        "vår",
        "vårt",
        "har",
        "have",
        "has",
        "just",
        "bare",
        "bara",
        "takk",
        "tack",
        "thanks",
        "og",
        "och",
        "and",
        "also",
        "også",
        "också",
        "så",
        "so",
        "som",
        "new",
        "kunne",
        "kunna",
        "vil",
        "vill",
        "want",
        "ønsker",
        "önskar",
        "skal",
        "ska",
        "shall",
        "will",
        "let's",
        "lets",
        "la",
        "oss",
        "us",
        "do",
        "did",
        "is",
        "er",
        "är",
        "det",
        "den",
        "denne",
        "this",
        "that",
        "to",
        "navn",
        "namn",
        "name",
        "named",
        "called",
        "heter",
        "kalt",
        "kallad",
        "hei",
        "hej",
        "hi",
        "hey",
        "yo",
        "ok",
        "okay",
        "okei",
        "dere",
        "ni",
        "noe",
        "något",
        "something",
        "some",
        "noen",
        "några",
        "any",
        "all",
        "alle",
        "alla",
        "info",
        "opp",
        "upp",
        "up",
        "ned",
        "ner",
        "down",
        "kjapt",
        "snabbt",
        "quickly",
        "quick",
        "asap",
        "fort",
        "gjerne",
        "gärna",
        "btw",
        "forresten",
        "förresten",
        "hva",
        "vad",
        "what",
        "hvem",
        "vem",
        "who",
        "dette",
        "detta",
        "dem",
        "them",
        "their",
        "deres",
        "deras",
    }  # fmt: skip
)
TITLE_WORDS = (
    "ceo", "cto", "cfo", "coo", "cio", "cmo", "cso", "ciso", "vd", "vp", "svp", "evp", "daglig leder", "adm dir",
    "adm. dir.", "administrerende direktør", "styreleder", "styrets leder", "ordförande", "chair", "chairman",
    "founder", "gründer", "grunnlegger", "grundare", "partner", "owner", "eier", "ägare", "controller",
    "head of it", "head of sales", "head of procurement", "head of finance", "it manager", "sales manager",
    "purchasing manager", "procurement manager", "office manager", "account manager", "project manager",
    "product manager", "hr manager", "finance manager", "operations manager", "marketing manager",
    "managing director", "director", "manager", "consultant", "developer", "engineer", "architect", "buyer",
    "konsulent", "konsult", "utvikler", "utvecklare", "arkitekt", "innkjøper", "inköpare", "selger", "säljare",
    "prosjektleder", "projektledare", "regnskapsfører", "revisor", "rådgiver", "rådgivare", "assistent",
    "sekretær", "sekreterare", "koordinator", "teamleder", "teamledare", "avdelingsleder", "avdelningschef",
    "rektor", "principal",
)  # fmt: skip
TITLE_SUFFIXES: tuple[str, ...] = ("sjef", "chef", "leder", "ledare", "ansvarlig", "ansvarig", "direktør", "direktor", "manager",
                  "officer", "ansvarleg", " lead")  # fmt: skip

# Company legal forms, Nordic and foreign, as they end a company's name ("Acme AS", "Volvo AB", "Nokia Oyj").
LEGAL_FORMS = frozenset({"as", "asa", "ab", "oy", "oyj", "aps", "a/s", "ans", "da", "sa", "ks", "ba", "sf", "ehf",
                         "hb", "kb", "ky", "ltd", "llc", "inc", "plc", "llp", "lp", "co", "gmbh", "ag", "bv", "nv"})  # fmt: skip

# Common first names: a name that starts with one is a person (contact), not a company.
FIRST_NAMES = frozenset(
    fold(n)
    for n in """
hannah grace oliver liam noah lucas ethan mason logan harry jack charlie oscar leo alfie archie freddie
sophie sophia chloe isabella ava mia charlotte amelia lily ella zoe ruby poppy isla evie marcus daniel
torstein sindre jonas silje henrik ebba mattias johanna sara sanna tove hedda ingvild vegard eivind
håkon haakon sigurd audun kjell leif gunnar rolf odd halvard tormod aslak bjarne ivar einar magne
kari ola per lars nils erik jan jon knut hans arne bjørn svein odd geir tor terje rune trond morten espen
anders andreas martin thomas kristian henrik magnus jonas fredrik eirik stian marius kjetil øyvind petter
ingrid anne marit liv hilde silje ida nora emma sara hanna maria ingeborg kristin camilla tone randi
mette heidi linn line marte sofie astrid sigrid gunn berit elin tuva frida kaja vilde maja thea
johan karl gustav olof sven nils mats björn stefan peter mikael patrik daniel oskar axel viktor
anna eva karin lena kerstin sofia elin malin linnea ebba wilma agnes elsa klara julia
john james robert michael william david richard joseph charles christopher daniel matthew mark paul
steven andrew josh kevin brian george edward jason ryan jacob gary nicholas eric jonathan
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen emily lisa nancy betty
sandra ashley kimberly donna michelle amanda melissa laura rebecca sharon helen amy anna emma olivia
priya raj ali omar fatima mohammed ahmed yusuf chen wei li mika jukka matti pekka timo antti juha
sanna laura aino heikki mikko tuomas lauri søren mads rasmus mette lone jens niels henrik pia
""".split()
)

# Added as the labelled data showed them (kept apart so each list above stays readable).
FILLERS = FILLERS | frozenset(
    fold(w)
    for w in (
        "of",
        "if",
        "om",
        "back",
        "tilbake",
        "tillbaka",
        "please",
        "nå",
        "nu",
        "now",
        "any",
        "some",
        "alla",
    )
)
CUSTOMER_PREPOSITIONS = CUSTOMER_PREPOSITIONS | {"av"}
SUBJECT_MARKERS = SUBJECT_MARKERS | {","}

# More phrasings, from the second development set (tests/data/nlu/dev2.jsonl).
_MORE_CUES: dict[str, tuple[str, ...]] = {
    "CREATE": (
        "onboard", "save", "spara", "lagre", "adda", "legg henne til", "legg ham til", "legg han til",
        "legg dem til", "add them", "add her", "add him", "skal inn", "inn som", "go in",
        "in as a customer", "opening", "open a", "open an", "start a", "lägg", "lägg ett", "legg", "få inn",
        "put in", "set up", "make a new", "lag en", "lägga upp",
    ),
    "CUSTOMER": ("kude", "kunde:", "crm-et", "klienten", "kundene", "kunderne"),
    "SHOW": (
        "shwo", "shw", "sho me", "vsi", "hent opp", "hent frem", "ta fram", "ta frem", "gimme", "give me", "gimme the details on",
        "tell me everything", "everything we know about", "vise", "vise den", "vise meg", "kan du vise",
        "pull up", "bring up",
    ),
    "FIND": (
        "search the crm for", "in their name", "in the name", "in its name", "i navnet", "i namnet",
        "som inneholder", "som innehåller", "containing", "contains", "is there a customer", "is there a client",
        "finnes det", "finns det", "nån kund", "nån kund som heter", "noen kunde som heter", "typ",
        "or something like that", "eller noe sånt", "eller nåt sånt", "eller något sådant",
    ),
    "LOOKUP": (
        "register lookup", "registry lookup", "orgnummer", "org.nr.", "organisation number", "organization number", "vilket bolag", "hvilket selskap",
        "which company", "momsnr", "vat number", "mva-nummer", "hvem eier", "vem äger",
    ),
    "DETAIL": ("mva", "moms", "vat", "business id", "org"),
    "MEETING": (
        "lunchmöte", "lunsjmøte", "frokostmøte", "middag", "dinner", "mtg", "teams-møte", "teamsmöte",
        "videomøte", "videomöte", "workshop", "befaring", "visning",
    ),
    "CALL": ("on the phone", "i telefonen", "i telefon", "got off the phone", "ringt", "phoned",
             "ring", "ringe", "ringa"),  # ("ring Acme tirsdag": a call to make)
    "TASK": (
        "husk at jeg må", "husk at", "need to", "set a reminder", "remind", "to-do:", "todo:", "task:",
        "lag en task", "oppgave:", "uppgift:", "att göra:",
    ),
    "KPI": ("invoice", "what did we invoice", "fakturerte", "fakturerade", "on track", "vs budget", "budget", "budsjett", "budsjettet", "kpi:erna", "kpi-erna", "kpierna",
            "salget i år", "sales this year", "revenue this year", "årets salg", "årets försäljning"),
    "PIPELINE": (
        "åpne deals", "öppna deals", "deals", "opps", "offerter ligger ute", "ligger ute", "tilbud ute",
        "säljpipen", "salgspipen", "lukkes denne måneden", "stängs den här månaden", "closing this month",
        "what deals", "which deals", "hvilke salgsmuligheter", "vilka affärer", "working on",
    ),
    "UPDATE": ("push", "postpone", "utsett", "skjut upp", "skyv", "flytt", "bump", "change the value"),
    "SALES_FIELD": ("prob", "sjanse", "beløpet", "beloppet", "verdien", "close date", "the value"),
    "HOWTO": (
        "hvordan registrerer jeg", "hur registrerar jag", "hvordan funker", "hur funkar", "skjønner ikke",
        "fattar inte", "forstår ikke", "how to", "examples", "eksempel", "eksempler", "exempel", "what to type",
        "kommandoene", "kommandona", "hur man", "hvordan man", "hvordan jeg",
    ),
    "CANCEL": (
        "scratch that", "actually don't", "don't", "forget about it", "ikke gjør det", "gjør det ikke",
        "nei vent", "nej vänta", "avslutt", "avsluta", "glem hele greia", "glöm hela grejen", "angre",
        "stoppa", "det ble feil", "det blev fel", "forget the whole thing",
    ),
    "SMALL_TALK": (
        "cheers", "helpful", "that was helpful", "how's your day", "hows your day", "have a great weekend",
        "great weekend", "god helg", "trevlig helg", "ha en fin helg", "takk for hjelpen", "tack för hjälpen",
        "står det bra til", "läget", "morning", "good evening", "god kveld", "god kväll",
    ),
    "OFFTOPIC": (
        "vacation", "vacation days", "feriedager", "semesterdagar", "ferie", "semester", "hotel", "hotell",
        "skirennet", "derbyt", "premier league", "league", "game", "recipe", "oppskrift", "recept",
        "password", "passord", "lösenord", "printer", "skriver", "skrivare", "wifi", "laptop", "salary",
        "lønn", "lön", "sykemelding", "sjukanmälan", "regn ut", "räkna ut", "calculate", "% of", "prosent av",
        "procent av", "moms på", "mva av", "what's", "whats", "vad är", "taxi", "train", "tog", "tåg", "flybillett", "flygbiljett",
    ),
    "NEW_ROLE": ("took over as", "tok over som", "tog över som", "has started as", "is now our"),
    "VAGUE": ("or something like that", "eller noe sånt", "eller nåt sånt", "something like", "typ", "ca", "circa",
              "cirka", "omtrent", "ungefär"),
}  # fmt: skip
for _label, _phrases in _MORE_CUES.items():
    CUES[_label] = CUES.get(_label, ()) + _phrases

FILLERS = FILLERS | frozenset(
    fold(w)
    for w in (
        "thx",
        "ty",
        "tnx",
        "every",
        "everything",
        "crm",
        "crm-et",
        "systemet",
        "let",
        "lets",
        "'s",
        "get",
        "gimme",
        "etter",
        "efter",
        "nån",
        "noe",
        "nåt",
        "ca",
        "henne",
        "ham",
        "dem",
        "them",
        "her",
        "him",
        "jeg",
        "må",
        "att",
        "we've",
        "got",
        "we",
        "have",
        "'ve",
        "'re",
        "'ll",
        "'m",
        "'d",
        "out",
        "of",
        "pls",
        "plz",
    )  # fmt: skip
)
CUSTOMER_PREPOSITIONS = CUSTOMER_PREPOSITIONS | {
    "w",
    "m",
    "w/",
    "m/",
    "m.",
}  # "w/ Kari", "m/ Kari", "m. Kari"

# From the third development set (tests/data/nlu/dev3.jsonl): polite and verbose writers, forms in one line.
_DEV3_CUES: dict[str, tuple[str, ...]] = {
    "POLITE": (
        "could you", "would you mind", "can you", "sorry to bother you", "just wanted to let you know", "let you know",
        "wanted to", "for me", "please", "kunne du", "kunne du vært så snill å", "vært så snill å", "så snill å",
        "være så snill å", "kan du være så snill å", "tusen takk på forhånd", "takk på forhånd", "på forhånd",
        "skulle du kunna", "skulle du kunna vara snäll och", "vara snäll och", "åt mig", "tack så jättemycket",
        "jag ville bara säga att", "ville bara si at", "hei igjen", "hello again", "whether", "everything",
        "alt", "allt", "thank you", "hi", "hei", "hej",
    ),
    "CREATE": ("registrer ny", "lag ny", "sett inn", "legge inn", "lägga in", "adde", "new cust", "ny kude"),
    "SHOW": (
        "what've we got on", "what have we got on", "everything we have on", "alt vi har på", "alt vi har om",
        "allt vi har på", "allt vi har om", "bring up", "ta fram", "vise meg", "kan du vise",
    ),
    "FIND": (
        "beginning with", "begins with", "starting with", "som begynner på", "som börjar på", "söka fram",
        "søk opp", "serch", "seach", "which clients have", "noe sånt som", "nåt i stil med", "i stil med",
        "or something like that", "som innehåller", "som inneholder",
    ),
    "VAGUE": ("noe sånt som", "nåt i stil med", "något sånt som", "i stil med", "typ", "ca."),
    "LOOKUP": ("look it up", "look them up", "slå det opp", "slå dem opp", "kolla upp det", "fo-nummer",
               "business id", "momsnr", "vilket bolag är"),
    "TASK": ("minne meg på", "minne meg om", "minne meg", "påminne", "set a reminder for me", "setting a reminder",
             "new task", "ny oppgave", "ny uppgift", "nytt gjøremål"),
    "NEW_ROLE": ("har tatt over som", "tatt over som", "har tagit över som", "tog över som", "is the new",
                 "er ny", "blir ny"),
    "KPI": ("average deal size", "deal size", "snitt", "gjennomsnitt", "genomsnitt", "oppsummering av nøkkeltallene",
            "nøkkeltallene", "nyckeltalen", "key figures", "deals did we close", "closed this month",
            "har vi stängt", "har vi lukket", "stängt denna månad", "vunnet i år", "won this year"),
    "PIPELINE": ("expected to close", "forventes lukket", "väntas stängas", "säljpipe", "salgspipe"),
    "HOWTO": (
        "what's the syntax", "syntax", "syntaks", "what kinds of things", "what i can ask", "hva kan jeg be deg om",
        "vad kan jag be dig om", "hva du kan hjelpe meg med", "vad du kan hjälpa mig med", "what you can help",
        "hvordan søker jeg", "hur söker jag", "förklara hur", "forklare hvordan", "explain how", "hur man",
    ),
    "CANCEL": (
        "ignore my last message", "ignore that", "se bort fra", "strunta i", "ikke lagre det", "spara inte det",
        "don't save", "vent", "vänta", "forrige melding", "förra meddelande", "never mind that",
    ),
    "SMALL_TALK": (
        "happy friday", "god fredag", "trevlig fredag", "what's your name", "whats your name", "hva heter du",
        "vad heter du", "helt rå", "du er rå", "du är grym", "tjenare", "tjena", "morsan", "how's it going",
    ),
    "OFFTOPIC": ("table for", "book a table", "boka bord", "bestille bord", "bord for", "bord för", "kantina",
                 "kantinen", "lunsj i kantina", "matsal", "menu", "meny"),
}  # fmt: skip
for _label, _phrases in _DEV3_CUES.items():
    CUES[_label] = CUES.get(_label, ()) + _phrases

FIRST_NAMES = FIRST_NAMES | frozenset(
    fold(n)
    for n in """jake ben rachel kjersti marit eirin mikaela ulrika jonas anders hakon håkon sindre torstein
    mattias ebba elin ingvild eirik vegard tiril synne solveig ragnhild gro bente hege kristine lene nina tonje
    oliver harry george jack noah leo arthur muhammad freya isla olivia amelia ava emily grace chloe
    linnea saga alva maja alice astrid wilma ella stina tuva ebbe lasse pelle olle kalle nisse
    mikko jukka teemu ville juho aleksi sami petri riikka katja tiina päivi minna""".split()
)
SUBJECT_WORD_MARKERS = frozenset(
    fold(w) for w in ("om", "about", "re", "re:", "regarding", "angående", "ang", "ang.", "vedrørende", "vedr",
                      "vedr.", "gällande", "kring", "concerning", "ifm", "gjelder", "discussing", "diskutere",
                      "prata om", "snakke om", "wrt", "rundt", "around", "topic", "emne", "ämne", "subject", "tema")
)  # fmt: skip
SUBJECT_MARKERS = SUBJECT_MARKERS | {
    "gjelder",
    "discussing",
    "diskutere",
    "named",
    "called",
    "kalt",
    "kallad",
    "heter",
}
FILLERS = FILLERS | frozenset({"whose", "hvis", "vars", "them", "dem", "henne"})
# "… er tapt dessverre", "… är förlorad tyvärr": a sigh, not a name.
FILLERS = FILLERS | frozenset(fold(w) for w in ("dessverre", "dessvärre", "tyvärr", "unfortunately", "sadly"))
# "try again tomorrow", "prøv igjen": never a name.
FILLERS = FILLERS | frozenset(fold(w) for w in ("again", "igjen", "igen"))
# "heter typ Vasa nånting": the vague "something" after a searched name.
FILLERS = FILLERS | frozenset(fold(w) for w in ("nånting", "någonting"))
# "roughly 900k", "cirka 2 mill", "ungefär 300 tkr": how sure a sum is, not a name.
FILLERS = FILLERS | frozenset(
    fold(w) for w in ("roughly", "approximately", "approx", "circa", "cirka", "omtrent", "ungefär")
)
# "sok etter solberg blant kundene": "among" ends the searched name.
CUSTOMER_PREPOSITIONS = CUSTOMER_PREPOSITIONS | frozenset(fold(w) for w in ("blant", "bland", "among"))
# "Mette spør etter Hallingdal Tre", "frågade efter Nordkust": what is asked for.
CUSTOMER_PREPOSITIONS = CUSTOMER_PREPOSITIONS | frozenset(fold(w) for w in ("etter", "efter"))
CUES["UPDATE"] = CUES["UPDATE"] + (
    "ny verdi",
    "new value",
    "nytt värde",
    "ny sannsynlighet",
    "ny sannolikhet",
)
CUES["SMALL_TALK"] = CUES["SMALL_TALK"] + ("happy", "god helg", "trevlig helg")

# From the fourth development set (tests/data/nlu/dev4.jsonl): phone typing (words run together, "u" for
# "you"), rambling requests, questions about what the bot can do, off-topic errands.
_DEV4_CUES: dict[str, tuple[str, ...]] = {
    "POLITE": ("can u", "could u", "would u", "hey", "yo", "fyi", "mvh", "hilsen"),
    "CREATE": ("nykunde", "nykund", "nyaffär", "nyaffar", "nysak", "set them up", "set up as", "sett dem opp",
               "få dem inn", "get them into", "put them in", "opprett dem", "lägg upp dem", "lägg in dem"),
    "CUSTOMER": ("nykunde", "nykund", "visakund", "viskunde", "kundekortet", "kundkortet", "kundekort",
                 "kundkort"),
    "DEAL": ("nyaffär", "nyaffar", "nysak", "sak"),
    "UPDATE": ("ny sum", "ny summa", "nytt beløp", "nytt belopp", "new amount", "updated amount"),
    "SHOW": ("visakund", "viskunde", "få opp", "dra upp", "dra opp", "oversikt over", "översikt över",
             "open the", "bring up everything", "pull up", "everything we have on", "allt vi har om"),
    "MEETING": ("bokamöte", "bokamote", "bookmøte", "bookmote", "bokemøte", "bokemote"),
    "SCHEDULE": ("bokamöte", "bokamote", "bookmøte", "bookmote", "bokemøte", "bokemote"),
    "TASK": ("påminnmig", "paminnmig", "minnmeg", "remindme"),
    "KPI": ("new customers", "nye kunder", "nya kunder", "antall nye kunder", "antal nya kunder", "nøkkeltall",
            "nyckeltal", "key numbers", "the numbers", "tallene", "siffrorna", "lägesbild",
            "kpis", "kpi-ene", "kpi:erna", "how the quarter", "hvordan kvartalet", "hur kvartalet"),
    "HOWTO": ("is there a way to", "finnes det en måte", "finns det ett sätt", "hur gör man", "hvordan gjør man",
              "hvordan setter jeg", "hvordan legger jeg", "hur lägger jag", "how do i", "hw do i", "how can i",
              "kan man", "kanman", "går det an å", "går det att", "hva kan du gjøre", "vad kan du göra",
              "what can you do", "hvor skal jeg begynne", "var ska jag börja", "where do i start",
              "hva du kan gjøre", "vad du kan göra", "what you can do", "forklare kort", "förklara kort"),
    "CANCEL": ("kanseller", "kansellere", "skippa", "skippa det", "skip that", "scratch that", "glöm det",
               "forget it", "ångra", "angre", "drop it", "nevermind"),
    "SMALL_TALK": ("robot", "who made you", "who built you", "you awake", "are you there", "er du der",
                   "är du där", "menneske", "människa", "er du våken", "är du vaken"),
    "OFFTOPIC": ("fly til", "flyg till", "fly fra", "flyg från", "flight", "flights", "flybillett", "flygbiljett",
                 "været", "vädret", "weather"),
}  # fmt: skip
for _label, _phrases in _DEV4_CUES.items():
    CUES[_label] = CUES.get(_label, ()) + _phrases
FILLERS = FILLERS | frozenset({"u", "ur"})

# More of the first names people in the Nordics and the UK are called, so a contact is told from a company
# ("møte med Marta Lindqvist"). Names that are also everyday words ("dag", "liv", "hans", "mark", "will", "bo")
# are left out on purpose.
FIRST_NAMES = FIRST_NAMES | frozenset(
    fold(n)
    for n in """
    therese aase agnes agnete alexander alf alfred amalie amanda andrea andreas anette anita ann anne annette arild arne
    arnt asbjorn aslak asle atle audun aud aurora beate benedicte bengt benjamin bernt birgit birgitta bjarne
    bjorg bodil borghild bror brit britt brynjar camilla carina carl caroline cathrine cecilie charlotte christer
    christian christina christoffer claes dagny daniel david didrik dorthe edvard egil einar eivind elias elisabeth
    ellen elsa else emil emilie emma erik erika erling esben espen eva fanny filip frans fredrik frida frode
    gaute geir georg gerd gisle gjermund goran gudrun gunilla gunn gunnar gunnhild gustav guttorm hallvard halvard
    halvor hanna hanne harald hedda heidi helen helene helge helle henning henrik henriette herman hilde hjalmar
    hugo ida ine inga inge ingeborg inger ingrid ingunn iris isak ivar jakob jan jarle jenny jens jesper joakim
    johan johanne johannes john jon jonas jorgen jorunn josefin julie karen kari karin karl karoline kasper
    katarina kathrine kenneth kim kjell kjersti klara knut kristin kristina kristoffer lars laila leif lena lennart
    linda line lisa lise liss lotte louise lovise ludvig lukas magne magnus maja malin margit margrethe mari maria
    marianne marie marit marius marta martin marte martine mathias mats mette mia mikael mikkel mona morten nanna
    nils nina nora odd oda oddbjorn oddvar ola ole olav olga oskar ottar pal patrik paula peder pernille petra
    petter preben ragnar ragnhild randi rasmus reidar rikke rita robert roger rolf rune sander sanna sara sebastian
    selma sigrid sigurd silje simen simon siri sissel siv sjur snorre sofia sofie solveig stein steinar stian stig
    stina sture susanne svein sverre synnove terje thea theo thomas tina tobias tom tomas tone tor tora tore torbjorn
    torill trine trond trude turid ulla ulrik unni vebjorn vegard vera vetle vibeke victor vidar viktor vilde
    william wenche yngve yvonne oystein asa ase oyvind orjan
    aino eero eija elina hannu heikki helena ilkka jaana jani jari jarmo juha jussi kaisa kari kimmo lauri leena
    markku matti merja mika mirja niina oskari outi pekka pirjo raimo sanna satu seppo sirpa timo tuomas tuula
    ulla veera ville
    adam aidan alan alastair alice alison amy andrew angela anthony arthur ashley barbara beth brian callum carol
    catherine charles charlie chris christopher claire craig daniel darren debbie dominic donna edward eleanor emily
    fiona gareth gemma george graham hannah harriet heather helen ian isabel jack jacob james jane jason jennifer
    jessica joanna joe johnny jonathan joseph josh julia karen kate katherine kathryn keith kevin laura lauren lee
    linda lisa louise lucy luke margaret mary matthew megan michael michelle mike natalie neil nicholas nicola
    oliver patrick paul peter philip rachel rebecca richard robert ryan samantha samuel sarah scott sean simon
    sophie stephen steven stuart susan thomas timothy tom tony victoria
    """.split()
)
CUES["POLITE"] = CUES["POLITE"] + (
    "best regards", "kind regards", "regards", "med vennlig hilsen", "vennlig hilsen", "mvh", "med vänliga hälsningar",
    "vänliga hälsningar", "hälsningar", "bästa hälsningar", "cheers",
)  # fmt: skip

# From the fifth development set (tests/data/nlu/dev5.jsonl): keyword style, non-native writers, two companies.
_DEV5_CUES: dict[str, tuple[str, ...]] = {
    "CREATE": ("inn i crm", "inn i crm-en", "inn i crmen", "inn i systemet", "in i crm", "in i crm:et",
               "in i systemet", "into the crm", "go in the crm", "get them in the crm", "put them in the crm", "into the system",
               "customer record", "kunderecord"),
    "CUSTOMER": ("inn i crm", "inn i crm-en", "inn i crmen", "in i crm", "in i crm:et", "into the crm",
                 "go in the crm", "get them in the crm", "put them in the crm", "customer record"),
    "DEAL": ("case", "salgscase", "säljcase", "sales opp", "ny case", "nytt case"),
    "TASK": ("don't let me forget", "dont let me forget", "do not let me forget", "i must remember to",
             "must remember to", "glem ikke å", "ikke glem å", "ikke la meg glemme", "glöm inte att", "glöm inte",
             "låt mig inte glömma", "påminn mig", "påminn meg", "remember to", "huske å", "huske på å",
             "komma ihåg att"),
    "FIND": ("kundesøk", "kundesok", "kundsök", "kundsok", "sökning efter", "søk etter kunde", "jag söker en kund",
             "jeg leter etter en kunde", "namnet är något som", "navnet er noe med", "name is something like"),
    "QUANT": ("antal", "antall", "number of", "no. of"),
    "KPI": ("snabbrapport", "rapport", "report", "quick report", "kort rapport"),
    "HOWTO": ("how i", "hvordan var det man", "hur var det man", "how was it", "is it possible to",
              "is it possible", "er det mulig å", "er det mulig", "är det möjligt att", "går det att", "can one",
              "how does one"),
    "LOOKUP": ("in the register", "i registeret", "i registret", "i brreg", "i enhetsregisteret", "för firma",
               "for et firma", "for firma", "för ett företag", "hvilket firma er", "vilket företag är"),
    "SALES_FIELD": ("stängningsdatum", "closing date", "close date", "lukkedato", "sluttdato", "avslutsdatum"),
    "OFFTOPIC": ("translate", "oversett", "översätt", "translation"),
}  # fmt: skip
for _label, _phrases in _DEV5_CUES.items():
    CUES[_label] = CUES.get(_label, ()) + _phrases

# From the sixth development set (tests/data/nlu/dev6.jsonl): passive voice, typos, word order.
_DEV6_CUES: dict[str, tuple[str, ...]] = {
    "CREATE": ("should be added", "should be created", "should be opened", "skal legges til", "skal legges inn",
               "legges til", "legges inn", "må opprettes", "bør opprettes", "skal opprettes", "ska läggas till",
               "ska läggas in", "läggas till", "måste skapas", "ska skapas", "få in", "få inn", "inn som kunde",
               "in som kund", "ska in som kund", "må inn som kunde"),
    "CUSTOMER": ("inn som kunde", "in som kund", "ska in som kund", "må inn som kunde"),
    "SCHEDULE": ("should be booked", "should be scheduled", "bør bookes", "skal bookes", "må bookes", "ska bokas",
                 "bør booke", "måste bokas"),
    "SHOW": ("should be brought up", "brought up", "account overview", "kundeoversikt", "kundöversikt",
             "everything we've got on", "everything weve got on", "what we've got on", "what we have on",
             "hva vi har på", "vad vi har på"),
    "FIND": ("srch", "serach", "seach for", "sok kund", "leta fram", "lete fram", "som matchar", "som matcher"),
    "HELP": ("kommandoer", "komandoer", "kommandon", "commands", "what commands"),
    "PIPELINE": ("försäljningstratten", "forsaljningstratten", "salgstrakten", "sales funnel", "funnel", "tratten"),
    "CANCEL": ("don't book it", "dont book it", "don't book", "ikke book det", "ikke book", "boka inte",
               "forget the meeting", "glem møtet", "glöm mötet"),
    "UPDATE": ("endret til", "endret", "endra til", "ändrat till", "ändrat", "changed to", "change to"),
    "KPI": ("kpi report", "kpi-rapport", "kpi rapport", "should be pulled"),
}  # fmt: skip
for _label, _phrases in _DEV6_CUES.items():
    CUES[_label] = CUES.get(_label, ()) + _phrases

# From the seventh development set (tests/data/nlu/dev7.jsonl): pipeline jargon, formal and indirect questions.
_DEV7_CUES: dict[str, tuple[str, ...]] = {
    "LOOKUP": ("hva slags selskap", "hva slags bedrift", "hva for et selskap", "hva for et firma",
               "vad är det här för företag", "vad är det för bolag", "vad är det här för bolag", "what company"),
    "KPI": ("win rate", "hit rate", "salgstall", "salgstallene", "försäljningssiffror", "försäljningssiffrorna"),
    "FIND": ("søke i", "søke etter", "söka i", "söka efter", "sökning i", "søk i", "sök i", "etter navnet",
             "efter namnet", "med benämningen", "med betegnelsen", "med beteckningen", "starts with", "start with",
             "begynner med", "börjar med"),
    "UPDATE": ("sänk", "senk", "sänka", "senke", "höj", "höja", "hev", "heve", "øke", "lower", "raise", "revised",
               "revidert", "reviderad", "justert", "justerad", "adjusted"),
    "VAGUE": ("eller liknande", "eller lignende", "or similar", "eller noe lignende", "eller något liknande"),
    "HOWTO": ("what do i type", "what do i write", "what should i type", "hva skriver jeg", "hva må jeg skrive",
              "hva skal jeg skrive", "vad skriver jag", "vad ska jag skriva", "vad måste jag skriva"),
    "POLITE": ("gode nyheter", "goda nyheter", "dårlige nyheter", "dåliga nyheter", "good news", "bad news",
               "great news", "kjipe nyheter", "tråkiga nyheter"),  # (a spoken opening, no name)
    "LOG": ("register that", "registrere at", "registrera att"),
    "CALL": ("telephone conversation", "phone conversation", "telephone call"),
    "PIPELINE": ("upside", "pågående affärsmöjligheter", "pågående affärer", "pågående salgsmuligheter",
                 "åpne salgsmuligheter", "öppna affärsmöjligheter", "öppna affärer"),
}  # fmt: skip
for _label, _phrases in _DEV7_CUES.items():
    CUES[_label] = CUES.get(_label, ()) + _phrases

# Spoken filler of dictated messages (dev7): "so yeah", "så ja", "liksom", "sometime". Never a name by itself.
FILLERS = FILLERS | frozenset(
    fold(w) for w in ("yeah", "ja", "liksom", "sometime", "alltså", "altså", "basically")
)
# A thread reply that points back ("same for Nordvik", "samma sak för X", "gör en likadan"): no slot of its own.
FILLERS = FILLERS | frozenset(
    fold(w) for w in ("same", "samme", "samma", "likadan", "likadant", "tilsvarende")
)
# "closed won on Lysaker Legesenter", "any news on Acme": the customer a remark is on.
CUSTOMER_PREPOSITIONS = CUSTOMER_PREPOSITIONS | {"on"}
# Hedged requests ("maybe we should log …", "kanskje vi burde …", "kanske visa …"): the hedge is no name.
FILLERS = FILLERS | frozenset(
    fold(w)
    for w in ("maybe", "perhaps", "kanskje", "kanske", "kanhende", "möjligen", "burde", "borde", "should")
)
# Pipeline jargon (dev7): a deal "in legal", "ligger hos juridisk" is with a department, not a customer.
# A generic "SOW"/"SOW:en" is no deal name either ("closed won på SOW:en för Hallands Vatten").
NEVER_NAMES = frozenset(
    fold(w)
    for w in (
        "legal",
        "juridisk",
        "juridiska",
        "juridiske",
        "juristene",
        "juristerna",
        "sow",
        "sow:en",
        "sow-en",
        "sowen",
        "sow:n",
    )
)
# "han er driftssjef der", "hon är ny vd där": the place word closing a remark is no part of a name or title.
FILLERS = FILLERS | frozenset(fold(w) for w in ("der", "där", "there"))
# "a meeting with Pekka Virtanen of Turun Ohjelmistotalo Oy": where the person works (only after a person's name).
WORKPLACE_PREPOSITIONS = WORKPLACE_PREPOSITIONS | {"of"}
# Formal politeness ("Vennligst registrer …", "Vänligen lägg till …", "Kindly verify …"): never a name.
FILLERS = FILLERS | frozenset(fold(w) for w in ("vennligst", "vänligen", "kindly"))
# "ballpark 90k", "rundt 1,2 mill", "omkring 300 000": an estimate's word, never a deal's name.
FILLERS = FILLERS | frozenset(fold(w) for w in ("ballpark", "rundt", "omkring", "ungefær"))
# "I met this guy at …", "fyren fra …", "en kille på …": someone not yet named.
FILLERS = FILLERS | frozenset(fold(w) for w in ("guy", "fyren", "kille", "killen"))

# dev8: booking phrases ("put it in the calendar", "kan vi ta et møte", "sit down with X"), meeting words
# ("teamsmøte", "workshop"), and negative reminders ("ikke glem å", "låt mig inte glömma att").
_DEV8_CUES: dict[str, tuple[str, ...]] = {
    "SCHEDULE": ("put it in", "put it in the calendar", "put it in my calendar", "ta et møte", "ta ett möte",
                 "ta ett møte", "tar et møte", "sit down with", "get some time with"),
    "MEETING": ("teamsmøte", "teams-möte", "sit down", "catch-up", "catch up", "min with", "mins with",
                "minutes with", "min med", "minutter med", "minuter med"),  # ("can we get 30 min with X")
    "PIPELINE": ("our commit", "the commit", "vår commit", "commit-tallet", "commiten"),
    "CREATE": ("addera",),
    "SHOW": ("har vi noen hos", "har vi noen på", "har vi någon på", "har vi någon hos", "har vi nån på"),
    "HOWTO": ("hvordan sletter jeg", "hvordan fjerner jeg", "hur tar jag bort", "hur raderar jag", "how do i delete",
              "how do i remove"),
    "CANCEL": ("skip det", "skipp det"),
    "LOOKUP": ("vad är detta för bolag", "vad är detta för företag", "hva er dette for et selskap",
               "hva er dette for et firma"),
    "KPI": ("selling anything", "sold anything", "solgt noe", "selger vi noe", "sålt något", "säljer vi något",
            "did we bring in", "have we brought in", "brought in", "tjent inn", "dratt inn", "dragit in"),
    "TASK": ("minnmeg på", "minnmeg på å", "minnmeg om", "påminnmig att", "påminnmig om", "påminmig", "påminmig att",
             "remindme to", "don't let me forget", "dont let me forget", "ikke glem å", "ikke la meg glemme", "ikke la meg glemme å",
             "låt mig inte glömma", "låt mig inte glömma att", "glöm inte att"),
}  # fmt: skip
for _label, _phrases in _DEV8_CUES.items():
    CUES[_label] = CUES.get(_label, ()) + _phrases
# "… eod", "… cob": a deadline word that gives no date (like "asap"); never part of a to-do or a name.
FILLERS = FILLERS | frozenset({"eod", "cob", "eow"})
# "sit down with X to talk renewal", "to discuss the Q1 plan": what the meeting is for.
SUBJECT_MARKERS = SUBJECT_MARKERS | {"talk", "discuss"}
SUBJECT_WORD_MARKERS = SUBJECT_WORD_MARKERS | {"talk", "discuss"}
# Spoken "typ" ("… fler licenser typ"): filler at either end of a comment, like "liksom".
FILLERS = FILLERS | {"typ"}

# dev9: phone typing run together ("huskå", "läggtill", "addcustomer"), abbreviations ("upd", "srch", "cust"),
# "put a meeting in the diary", and a rambler's aside ("long story", "lang historie") that is no topic.
_DEV9_CUES: dict[str, tuple[str, ...]] = {
    "FIND": ("finne", "srch", "som matcher", "som matchar"),
    "CUSTOMER": ("cust", "addcustomer"),
    "CREATE": ("addcustomer", "läggtill", "leggtil", "nysalgsmulighet"),
    "DEAL": ("nysalgsmulighet",),
    "UPDATE": ("upd",),
    "TASK": ("huskå",),
    "SCHEDULE": ("diary", "in the diary"),
    "POLITE": ("long story", "lang historie", "lång historia"),
}  # fmt: skip
for _label, _phrases in _DEV9_CUES.items():
    CUES[_label] = CUES.get(_label, ()) + _phrases
# "est 250k", "estimated 1.2m": how sure a sum is, like "ca", never a deal's name.
FILLERS = FILLERS | frozenset({"est", "estimated", "estimert", "estimerat"})
# "We have new possibility with X": the non-native word for an opportunity (nb "mulighet", sv "möjlighet").
CUES["DEAL"] = CUES["DEAL"] + ("possibility", "new possibility", "sales possibility")
# "Right, so after the workshop …", "alright, …": a spoken opener, like "ok", never a name.
FILLERS = FILLERS | frozenset({"right", "alright"})
# "de vil ha møte om rammeavtalen 9/12 kl. 14.00. sett det opp": the booking asked for, pointing back.
CUES["SCHEDULE"] = CUES["SCHEDULE"] + ("sett det opp", "sette det opp", "sätt upp det", "boka in det")
# "Account Director", "Sales Director", "Technical Director": a director of some area is a title.
TITLE_SUFFIXES = TITLE_SUFFIXES + (" director",)
# "drop it to 30%", "sänk sannolikheten", "øk beløpet": a value changed up or down (not "drop it": cancel).
CUES["UPDATE"] = CUES["UPDATE"] + (
    "drop it to", "drop to", "lower it to", "reduce it to", "raise it to", "increase it to", "lower", "raise",
    "reduce", "increase", "sänk", "sänka", "senk", "senke", "höj", "höja", "øke",
)  # fmt: skip
# "tråkigt men sätt den som förlorad", "kjipt, men …", "shame, mark it lost": a sigh, like "dessverre".
FILLERS = FILLERS | frozenset(fold(w) for w in ("tråkigt", "trist", "kjipt", "synd", "leit", "shame", "pity"))
# "boka samma sak med X, fast på fredag", "… ventilation istället": "but"/"instead", never a name or a topic.
FILLERS = FILLERS | frozenset(fold(w) for w in ("fast", "istället", "istedet", "istedenfor", "instead"))
# "pencil in a call with X for monday": to book, tentatively.
CUES["SCHEDULE"] = CUES["SCHEDULE"] + ("pencil in", "pencil")
CUES["POLITE"] = CUES["POLITE"] + ("long story short", "kort fortalt", "kort sagt")
# "logg denne mailen fra …", "logga mejlet från …": the email in its definite form.
CUES["EMAIL"] = CUES["EMAIL"] + ("mailen", "e-posten", "eposten", "mejlet", "mejlen", "mailet", "the email")
# "spoke w Jane at X", "talked w/ Tom": "with" shortened, as in "mtg w/ …".
CUES["CALL"] = CUES["CALL"] + ("spoke w", "spoke w/", "talked w", "talked w/")
# dev10: a rambler's opener ("hey, quick one - can u …", "quick question:"): no name, no topic.
CUES["POLITE"] = CUES["POLITE"] + ("quick one", "quick question", "quick q", "one more thing")
# "call w/ Jonas today abt pricing": "about" shortened on a phone.
SUBJECT_MARKERS = SUBJECT_MARKERS | {"abt"}
SUBJECT_WORD_MARKERS = SUBJECT_WORD_MARKERS | {"abt"}
# "new lead: Brattli Energi, smart metering, ~500k": a new deal at the lead stage.
CUES["DEAL"] = CUES["DEAL"] + ("new lead", "ny lead", "nytt lead", "nytt lead")
# "call Lisa @ Vest Data", "Kjell Aune @ Aune Elektro": "@" spaced before a company, like "at".
CUSTOMER_PREPOSITIONS = CUSTOMER_PREPOSITIONS | {"@"}
# dev11: "we"/"let's" and "before I forget" framings of a request ("før jeg glemmer det: ring …", "finn en tid med
# X", "vi tar ett möte med dem"); "vel"/"nog" soften a hedge ("vi burde vel sende …", "vi borde nog kolla …").
CUES["TASK"] = CUES["TASK"] + (
    "før jeg glemmer det", "før jeg glemmer",
    "innan jag glömmer det", "innan jag glömmer", "before i forget",
)  # fmt: skip
CUES["SCHEDULE"] = CUES["SCHEDULE"] + (
    "finn en tid", "finne en tid", "hitta en tid", "find a time", "vi tar et", "vi tar ett", "la oss ta et",
    "lat oss ta ett", "låt oss ta ett",
)  # fmt: skip
FILLERS = FILLERS | frozenset(fold(w) for w in ("vel", "nog"))
CUES["VAGUE"] = CUES["VAGUE"] + (
    "or something", "or smth", "or sth", "eller noe", "eller nåt", "eller något", "eller noget",
)  # fmt: skip
# "1,2 mill, lead foreløpig": for now, no part of a deal's name.
FILLERS = FILLERS | frozenset(
    fold(w) for w in ("foreløpig", "förelöpig", "preliminært", "preliminärt", "somewhere")
)
# "what's our total ARR closed won so far this year": figures to date are key figures.
CUES["KPI"] = CUES["KPI"] + (
    "so far this year",
    "year to date",
    "ytd",
    "hittil i år",
    "så langt i år",
    "hittills i år",
)
# "…, call it Open Banking API", "kalla den Drönarinventering": naming a deal, not a phone call.
CUES["NAMING"] = ("call it", "name it", "kall den", "kalle den", "kalla den", "döp den", "døp den")
# dev12: "hva er samlet TCV på åpne saker", "hvilke saker regner vi med å lukke": open cases are the pipeline.
CUES["PIPELINE"] = CUES["PIPELINE"] + ("åpne saker", "öppna saker", "hvilke saker", "vilka saker")
# "Hva er kommandoen for å flytte en sak …": asking for the command that does something.
CUES["HOWTO"] = CUES["HOWTO"] + ("hvilken kommando", "kommandoen for", "vilket kommando", "kommandot för")
# "skjuta fram avslutet", "avslutningen": the deal's close, not "avslutt" (cancel) one letter away.
CUES["SALES_FIELD"] = CUES["SALES_FIELD"] + ("avslutet", "avslutningen", "avslutningsdatumet")
# Season's greetings ("Gott nytt år på er!", "godt nyttår"): no new thing asked for.
CUES["POLITE"] = CUES["POLITE"] + (
    "gott nytt år", "godt nytt år", "godt nyttår", "happy new year", "god jul", "merry christmas", "god helg",
)  # fmt: skip
# "skjuta fram avslutet till …", "skyve fram": moving a date later, like "skjut upp".
CUES["UPDATE"] = CUES["UPDATE"] + (
    "skjuta fram",
    "skjut fram",
    "skyve fram",
    "skyv fram",
    "skjuta upp",
    "push back",
)
# "long but worth it!": an opinion, not a deal's value.
CUES["POLITE"] = CUES["POLITE"] + ("worth it", "verdt det", "värt det")
# "find customer sth like fjordvik": "something like" shortened.
CUES["VAGUE"] = CUES["VAGUE"] + ("sth like", "smth like")
# More common first names, Nordic and of other origins ("send Lina the revised SOW", "Aoife Byrne", "Rahul
# Menon"); and the commonest Vietnamese family names, which open a person's name ("Nguyen Van Duc", "Tran Thi Mai").
FIRST_NAMES = FIRST_NAMES | frozenset(
    fold(n)
    for n in """
alma maren lina guro lea emelie matilda anton arvid sondre aksel iver jostein paal
aisha rahul anil sanjay yuki kenji hiroshi irina natalia sergei dmitri pieter joost siobhan aoife niamh ciara
conor declan joshua sam dave nicole carlos jose juan luis miguel lucia marco luca giulia francesca ahmad hassan
zainab leila amir reza
nguyen tran pham hoang huynh phan bui duong
""".split()
)
# "vi tar et møte med X …", "vi tar ett möte med X": the booking and the meeting in one phrase.
CUES["MEETING"] = CUES["MEETING"] + ("tar et møte", "tar ett möte", "ta et møte", "ta ett möte")
# "Närpes Grönsaksodlare Ab FO-nr 2847193-9": the Finnish business ID's label, never part of the name.
CUES["DETAIL"] = CUES["DETAIL"] + ("fo-nr", "fo-nr.", "fo nr")
# Infinitives of the update verbs after a modal ("går det an å sette avtalen … til 90 prosent?", "kan du sätta …").
CUES["UPDATE"] = CUES["UPDATE"] + ("sette", "sätta", "oppdatere", "markere")
# "sen i somras", "i fjor", "i höstas": a season or a year gone by, after "i"; never a name (and no date).
FILLERS = FILLERS | frozenset(fold(w) for w in ("somras", "våras", "höstas", "vintras", "fjol", "fjor"))
CUES["HOWTO"] = CUES["HOWTO"] + ("the command to", "the command for", "which command", "what command")
# "we should probably call X", "vi bør antakelig …": a hedge, like "maybe"; no part of a to-do or a name.
FILLERS = FILLERS | frozenset(
    fold(w) for w in ("probably", "antakelig", "antageligvis", "antagligen", "troligen")
)
# dev15: the common English words a deal's or a meeting's topic is made of ("Patient Portal", "HR System
# Migration", "Winter Storage Pricing Follow Up", "Feed Barge Sensors"): in a Title Case or ALL CAPS line, where
# a company name straight before them ends. TOPIC_HEADS are the nouns such a name ends in; TOPIC_WORDS the words
# that go before them. A company's own words ("Energy", "Data", "Shipping") never open such a name (parser).
TOPIC_HEADS = frozenset(
    """
app apps portal portals platform system systems dashboard dashboards pilot rollout roll-out migration upgrade
upgrades integration integrations renewal renewals engine module modules tool tools tooling sensor sensors kiosk
kiosks roadmap planning plan plans pricing budget review reviews inspection inspections storage booking bookings
report reports reporting contract contracts licence licences license licenses support maintenance analytics
tracking monitoring automation website webshop chatbot bot crm erp lighting samples sample list lists project
projects program programme implementation deployment replacement refresh relaunch redesign rebuild overhaul
expansion extension audit assessment workshop training onboarding offboarding scope proposal quote tender bid
agreement order orders invoice invoices payment payments pipeline strategy campaign launch demo
kickoff follow-up followup update updates setup install installation service services network networks server
servers cloud hosting backup security access portal solution solutions
""".split()
)
TOPIC_WORDS = TOPIC_HEADS | frozenset(
    """
new next annual yearly monthly quarterly winter summer spring autumn fall season seasonal q1 q2 q3 q4 phase
patient customer client member membership staff employee employees guest guests visitor visitors fleet vehicle
vehicles truck trucks car parking ticket ticketing booking expedition cruise hotel room rooms menu kitchen
retail store stores shop warehouse inventory stock supply chain logistics delivery deliveries shipping freight
cargo port harbour harbor berth dock feed barge fish salmon farm farming boat vessel hull propeller shaft engine
elevator lift escalator facade panel panels roof window windows door doors heating cooling ventilation energy
power grid meter meters smart solar wind battery batteries charging smelter mining drilling plant factory
production quality safety compliance risk fraud claims claim insurance policy pension payroll hr finance
accounting billing pricing price prices sales marketing brand content social media email mobile web digital
online self-service self check-in check-in checkout access identity sso login password iot ai ml data
analytics reporting document documents archive records case handling workflow approval signing e-signing
dispatch route routing scheduling planning forecast forecasting budget cost costs procurement sourcing tender
vendor supplier partner partners reseller training learning course courses exam recruitment hiring talent
office desk desks meeting meetings conference event events venue catering lunch coffee water waste recycling
cleaning security camera cameras alarm alarms lock locks parking lot fuel card cards payment loyalty gift
voucher subscription subscriptions machine machines equipment hardware software licence licences cloud
storage backup server servers network wifi telephony phone phones call centre center helpdesk service desk
support ticket migration test testing rig lab research development engineering design architecture
upgrade rollout relaunch revised signed draft final send update review prepare call email book order chase
follow up sensors kiosks inspection tooling roadmap lighting samples list onboarding portal app dashboard
crane cranes pump pumps conveyor forklift forklifts robot robots drone drones scanner scanners printer printers
tablet tablets laptop laptops screen screens signage
""".split()
)
# dev15: "# of mtgs logged lst wk?" (a count written with the number sign), "where are we vs the 12 MNOK target for
# 2026?" (a target is measured, not sold).
CUES["QUANT"] = CUES["QUANT"] + ("# of",)
CUES["KPI"] = CUES["KPI"] + ("target", "the target", "målet", "mål")
# dev17: "undo, I fat-fingered the amount", "ignore my previous message. I'll redo it tomorrow …": taken back.
CUES["CANCEL"] = CUES["CANCEL"] + (
    "undo", "ignore my previous message", "ignore my last message", "ignore the previous message",
    "ignore the last message", "ignorer forrige melding", "se bort fra forrige melding", "ignorera förra meddelandet",
    "ignorera mitt förra meddelande",
)  # fmt: skip
# dev17: "will it snow in Trysil this weekend?", "is it going to snow in Lillehammer tomorrow?": the weather.
CUES["OFFTOPIC"] = CUES["OFFTOPIC"] + (
    "will it snow", "will it rain", "going to snow", "going to rain", "blir det snø", "kommer det snø",
    "blir det regn", "kommer det att snöa", "kommer det snöa",
)  # fmt: skip
# dev17: "hey kundebot hows your monday going": asking after the bot's day.
CUES["SMALL_TALK"] = CUES["SMALL_TALK"] + ("how's your", "hows your", "how is your")
# dev17: "can we get Vestfold Rørleggerservice in for a walkthrough of … by the end of next week?": a meeting kind.
CUES["MEETING"] = CUES["MEETING"] + ("walkthrough", "walk-through")
