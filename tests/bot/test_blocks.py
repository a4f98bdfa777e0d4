"""Block Kit rendering: every reply type, the buttons the Slack app listens for, and Slack's limits.

Replies are built from the store's model objects in memory, without a database. Every rendered message goes
through `within_limits`, which walks the blocks and asserts each of Slack's limits, and through slack_sdk's
own block models as a second opinion.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from bot.render.blocks import Message, render, render_all
from bot.replies import (
    Choice,
    Confirm,
    CustomerCardReply,
    CustomerList,
    Help,
    KpiReply,
    PipelineReply,
    RegisterCard,
    Reply,
    Text,
    Tone,
)
from registry.model import RegisterAddress, RegisterUnit
from store.models import (
    Activity,
    ActivityKind,
    Address,
    CaseStatus,
    Contact,
    ContactEmail,
    ContactPhone,
    Country,
    Customer,
    CustomerKind,
    GroupingChoice,
    Industry,
    RelationLevel,
    SalesCase,
    SalesStage,
    User,
    Visibility,
)
from store.periods import Period
from store.services.customers import CustomerCard, CustomerHit
from store.services.dashboard import Dashboard, Pipeline, Sales, SellerTotal, StageTotal
from store.services.kpi import KpiSummary

# --- the limits checker ----------------------------------------------------------------------------------

OUR_LINK = re.compile(r"<(?:mailto:|https?://)[^<>|\s]+\|[^<>]+>")
BARE_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")


def slack_len(text: str) -> int:
    """UTF-16 code units: the stricter of the ways Slack may count characters."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def check_text(obj: dict[str, Any], limit: int, *, kinds: tuple[str, ...] = ("plain_text", "mrkdwn")) -> None:
    assert obj["type"] in kinds, obj
    assert 1 <= slack_len(obj["text"]) <= limit, (limit, obj)
    if obj["type"] == "mrkdwn":
        assert obj.get("verbatim") is True, obj  # no auto-linking of "@here", channel names or URLs
        rest = OUR_LINK.sub("", obj["text"])
        assert "<" not in rest and ">" not in rest, obj  # every < from user data is escaped
        assert not BARE_AMPERSAND.search(rest), obj


def check_element(element: dict[str, Any]) -> None:
    assert len(element["action_id"]) <= 255
    if element["type"] == "button":
        check_text(element["text"], 75, kinds=("plain_text",))
        assert len(element["value"]) <= 2000
    else:
        assert element["type"] == "static_select", element
        check_text(element["placeholder"], 150, kinds=("plain_text",))
        assert 1 <= len(element["options"]) <= 100
        for option in element["options"]:
            check_text(option["text"], 75, kinds=("plain_text",))
            assert len(option["value"]) <= 150


def check_block(block: dict[str, Any]) -> None:
    assert len(block.get("block_id", "")) <= 255
    kind = block["type"]
    if kind == "header":
        check_text(block["text"], 150, kinds=("plain_text",))
    elif kind == "section":
        assert "text" in block or "fields" in block
        if "text" in block:
            check_text(block["text"], 3000)
        assert len(block.get("fields", [])) <= 10
        for item in block.get("fields", []):
            check_text(item, 2000)
        if "accessory" in block:
            check_element(block["accessory"])
    elif kind == "actions":
        assert 1 <= len(block["elements"]) <= 25
        for element in block["elements"]:
            check_element(element)
        action_ids = [e["action_id"] for e in block["elements"]]
        assert len(set(action_ids)) == len(action_ids), action_ids
    elif kind == "context":
        assert 1 <= len(block["elements"]) <= 10
        for element in block["elements"]:
            check_text(element, 3000)
    else:
        assert kind == "divider", block


def within_limits(message: Message) -> Message:
    """Assert every limit of Slack's on one message (Block Kit reference; the 40,000 characters of `text`
    from Slack's changelog; the ~13,000 characters of all blocks together from slackapi/bolt-js#2509)."""
    assert isinstance(message, Message)
    assert 1 <= slack_len(message.text) <= 40_000 and slack_len(message.text) <= 1000  # short on purpose
    assert "<" not in message.text and ">" not in message.text
    json.dumps({"text": message.text, "blocks": message.blocks})  # JSON-serialisable
    assert 1 <= len(message.blocks) <= 50
    assert sum(slack_len(s) for s in strings(message.blocks)) <= 12_000
    for block in message.blocks:
        check_block(block)
        Block.parse(block).to_dict()  # type: ignore[union-attr]  # slack_sdk's own validators agree
    return message


def rendered(reply: Reply) -> Message:
    return within_limits(render(reply))


def texts(value: Any) -> list[str]:
    """The text of every text object, in order."""
    if isinstance(value, dict):
        if value.get("type") in ("plain_text", "mrkdwn"):
            return [value["text"]]
        return [t for v in value.values() for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return []


def all_text(message: Message) -> str:
    return "\n".join(texts(message.blocks))


def buttons(message: Message) -> list[dict[str, Any]]:
    found = []
    for block in message.blocks:
        found += [e for e in block.get("elements", []) if e.get("type") == "button"]
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def button(message: Message, action_id: str) -> dict[str, Any]:
    (found,) = [b for b in buttons(message) if b["action_id"] == action_id]
    return found


# --- model objects in memory -----------------------------------------------------------------------------

PROPOSAL = SalesStage(name="Proposal", position=2, probability=40, outcome=CaseStatus.OPEN)


def a_customer(name: str = "Acme AS", **overrides: Any) -> Customer:
    fields: dict[str, Any] = {
        "id": 7,
        "customer_number": 10001,
        "name": name,
        "name_key": "acme",
        "org_number": "923609016",
        "org_country": Country.NO,
        "kind": CustomerKind.PROSPECT,
        "visibility": Visibility.EVERYONE,
        "website": "acme.no",
        "relation_level": RelationLevel.A,
    }
    customer = Customer(**(fields | overrides))
    customer.owner = User(id=1, name="Kari Selger", email="kari@firm.no")
    customer.industry = Industry(name="Management consulting")
    return customer


def a_contact(first: str = "Kari", last: str = "Nordmann", email: str | None = "kari@acme.no") -> Contact:
    return Contact(
        first_name=first,
        last_name=last,
        title="CTO",
        emails=[ContactEmail(email=email, is_primary=True)] if email else [],
        phones=[ContactPhone(number="+4791234567")],
    )


def an_activity(subject: str = "Talked about the renewal", day: int = 2) -> Activity:
    return Activity(
        kind=ActivityKind.CALL, subject=subject, start_at=datetime(2025, 1, day, 9, 0, tzinfo=UTC)
    )


def a_case(name: str = "Framework 2025", value: str = "1234567") -> SalesCase:
    return SalesCase(
        name=name, value=Decimal(value), probability=40, expected_order_date=date(2025, 3, 1), stage=PROPOSAL
    )


def a_card(
    customer: Customer | None = None, *, contacts: int = 1, activities: int = 1, cases: int = 1
) -> CustomerCardReply:
    customer = customer or a_customer()
    card = CustomerCard(
        customer=customer,
        head_office=Address(line1="Storgata 1", postcode="0155", city="Oslo"),
        contacts=[a_contact(f"Person{i}", "Nordmann", f"p{i}@acme.no") for i in range(contacts)],
        latest_activities=[an_activity(f"Call number {i}", 1 + i % 28) for i in range(activities)],
        open_sales_cases=[a_case(f"Case {i}") for i in range(cases)],
        groupings=[GroupingChoice(name="Framework agreement")],
    )
    return CustomerCardReply(card, "923 609 016" if customer.org_number else None)


def a_unit(**overrides: Any) -> RegisterUnit:
    fields: dict[str, Any] = {
        "country": "NO",
        "number": "923609016",
        "name": "Acme Consulting AS",
        "org_form": "AS",
        "org_form_name": "Aksjeselskap",
        "business_address": RegisterAddress(("Storgata 1",), "0155", "Oslo"),
        "postal_address": RegisterAddress(("Postboks 12",), "0101", "Oslo"),
        "industry_code": "70.220",
        "industry_name": "Bedriftsrådgivning",
        "employees": 12,
        "website": "www.acme.no",
        "source": "brreg",
    }
    return RegisterUnit(**(fields | overrides))


MONTH = Period(date(2025, 1, 1), date(2025, 2, 1))
QUARTER = Period(date(2025, 1, 1), date(2025, 4, 1))


def a_kpi(meetings: list[Activity] | None = None, time_zone: str = "Europe/Oslo") -> KpiReply:
    summary = KpiSummary(
        today=date(2025, 1, 15),
        invoicing_this_year=Decimal("2234567.00"),
        costs_this_year=Decimal("1000000.00"),
        invoicing_this_month=Decimal("112000.00"),
        invoicing_last_month=Decimal("100000.00"),
        active_customers=12,
        prospects_in_progress=3,
    )
    dashboard = Dashboard(
        todays_meetings=meetings or [],
        latest_customers=[a_customer("Fjordlys AS", customer_number=10002)],
        top_sellers=[SellerTotal(1, "Kari Selger", Decimal("500000.00"), 2)],
        pipeline_month=Pipeline(MONTH, Decimal("300000.00"), Decimal("120000.00"), 2),
        pipeline_quarter=Pipeline(QUARTER, Decimal("900000.00"), Decimal("360000.00"), 5),
        sales_this_month=Sales(MONTH, Decimal("250000.00"), 1),
    )
    return KpiReply(summary, dashboard, time_zone)


def a_pipeline() -> PipelineReply:
    stages = [
        StageTotal("Lead", 1, 4, Decimal("400000.00"), Decimal("40000.00")),
        StageTotal("Proposal", 2, 2, Decimal("1234567.00"), Decimal("493826.80")),
    ]
    return PipelineReply(
        stages,
        Pipeline(MONTH, Decimal("300000.00"), Decimal("120000.00"), 2),
        Pipeline(QUARTER, Decimal("900000.00"), Decimal("360000.00"), 5),
    )


def a_list(hits: int = 2, register_hits: int = 1, *, more: bool = False, query: str = "acme") -> CustomerList:
    return CustomerList(
        query,
        [
            CustomerHit(a_customer(f"Acme {i} AS", id=100 + i, customer_number=10001 + i), 90.0)
            for i in range(hits)
        ],
        offset=0,
        more=more,
        register_hits=[
            a_unit(number=f"9{i:08d}", name=f"Acme Register {i} AS") for i in range(register_hits)
        ],
    )


EVERY_REPLY: list[Reply] = [
    Text("Plain information."),
    Text("Created Acme AS (#10001).", Tone.SUCCESS),
    Text("Something went wrong.", Tone.ERROR),
    Confirm("Create 'Acme AS' anyway?"),
    Choice("Which one?", ["Acme AS (#10001)", "Acme Consulting AB (#10002)"]),
    Choice("Which one?", [f"Option {i}" for i in range(12)]),
    a_card(),
    a_list(),
    a_kpi(),
    a_pipeline(),
    RegisterCard(a_unit(), "923 609 016", "local"),
    Help(None, [("customer find TEXT", "Search customers."), ("kpi", "Key figures.")]),
]


# --- every reply type ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reply", EVERY_REPLY, ids=lambda r: type(r).__name__)
def test_every_reply_type_renders_to_a_message_within_slacks_limits(reply: Reply) -> None:
    message = rendered(reply)
    assert message.text and message.blocks


def test_render_all_gives_one_message_per_reply_in_order() -> None:
    messages = [within_limits(m) for m in render_all([Text("First."), Confirm("Second?")])]
    assert [m.text for m in messages] == ["First.", "Second? (yes/no)"]


def test_the_checker_refuses_what_slack_would_refuse() -> None:
    too_many = Message("x", [{"type": "divider"}] * 51)
    long_button = Message(
        "x",
        [
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "b" * 76},
                        "action_id": "a",
                        "value": "v",
                    }
                ],
            }
        ],
    )
    unescaped = Message(
        "x", [{"type": "section", "text": {"type": "mrkdwn", "text": "<!channel>", "verbatim": True}}]
    )
    for bad in (too_many, long_button, unescaped):
        with pytest.raises(AssertionError):
            within_limits(bad)


# --- text, confirmations and choices ---------------------------------------------------------------------


def test_an_error_is_marked_and_shown_only_to_the_asker() -> None:
    message = rendered(Text("That did not work.", Tone.ERROR))
    assert message.ephemeral
    assert all_text(message).startswith(":warning: That did not work.")


def test_information_and_success_are_not_ephemeral_and_success_is_ticked() -> None:
    info, done = rendered(Text("FYI.")), rendered(Text("Done.", Tone.SUCCESS))
    assert not info.ephemeral and not done.ephemeral
    assert ":white_check_mark: Done." in all_text(done)


def test_a_text_reply_escapes_user_data_but_keeps_code_formatting() -> None:
    message = rendered(Text("I don't know 'custmer <x>'. Did you mean `customer find`?", Tone.ERROR))
    assert "'custmer &lt;x&gt;'. Did you mean `customer find`?" in all_text(message)


def test_a_confirmation_has_yes_and_no_buttons_that_answer_like_typed_text() -> None:
    message = rendered(Confirm("Create 'Acme AS' anyway?"))
    assert message.ephemeral
    assert (button(message, "kundebot_yes")["value"], button(message, "kundebot_no")["value"]) == (
        "yes",
        "no",
    )
    assert "Create 'Acme AS' anyway?" in all_text(message)


def test_a_choice_of_up_to_five_offers_one_numbered_button_each_and_a_cancel() -> None:
    message = rendered(Choice("Which Acme?", ["Acme AS (#10001)", "Acme AB (#10002)", "Acme Oy (#10003)"]))
    assert message.ephemeral
    for n in (1, 2, 3):
        assert button(message, f"kundebot_choice_{n}")["value"] == str(n)
    assert button(message, "kundebot_choice_2")["text"]["text"] == "2. Acme AB (#10002)"
    assert button(message, "kundebot_no")["value"] == "no"
    assert "1. Acme AS (#10001)" in all_text(message)


def test_a_choice_of_more_than_five_is_a_select_menu_numbered_from_one() -> None:
    message = rendered(Choice("Which one?", [f"Customer {i}" for i in range(1, 8)]))
    (menu,) = [e for b in message.blocks for e in b.get("elements", []) if e["type"] == "static_select"]
    assert menu["action_id"] == "kundebot_choice"
    assert [o["value"] for o in menu["options"]] == [str(n) for n in range(1, 8)]
    assert menu["options"][6]["text"]["text"] == "7. Customer 7"
    assert not [b for b in buttons(message) if b["action_id"].startswith("kundebot_choice")]


def test_a_choice_of_hundreds_keeps_the_menu_at_a_hundred_and_says_so() -> None:
    message = rendered(Choice("Which one?", [f"Customer {i} " + "x" * 200 for i in range(1, 301)]))
    (menu,) = [e for b in message.blocks for e in b.get("elements", []) if e["type"] == "static_select"]
    assert len(menu["options"]) == 100
    assert "answer with a number for the rest" in all_text(message)
    assert "more options" in all_text(message)


# --- the customer card -----------------------------------------------------------------------------------


def test_the_card_shows_the_facts_contacts_sales_cases_and_activities() -> None:
    message = rendered(a_card())
    assert message.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Acme AS", "emoji": True},
    }
    text = all_text(message)
    for expected in (
        "*Customer no.*\n#10001",
        "*Org. no.*\n923 609 016 (NO)",
        "*Kind*\nprospect",
        "*Owner*\nKari Selger",
        "*Industry*\nManagement consulting",
        "*Relation level*\nA",
        "*Head office*\nStorgata 1, 0155 Oslo",
        "*Website*\n<https://acme.no|acme.no>",
        "*Groupings*\nFramework agreement",
        "*Person0 Nordmann* · CTO · <mailto:p0@acme.no|p0@acme.no> · +4791234567",
        "*Case 0* · Proposal · 1 234 567 kr · 40 % · expected 2025-03-01",
        "2025-01-01 · call · Call number 0",
    ):
        assert expected in text
    assert "owner only" not in text and "more" not in text


def test_the_card_buttons_add_a_contact_log_an_activity_and_open_the_register() -> None:
    message = rendered(a_card())
    assert button(message, "customer_add_contact") == {
        "type": "button",
        "text": {"type": "plain_text", "text": "Add contact", "emoji": True},
        "action_id": "customer_add_contact",
        "value": "7",
    }
    assert button(message, "customer_log_activity")["value"] == "7"
    assert button(message, "customer_edit")["value"] == "7"
    assert button(message, "customer_open_register")["value"] == "923609016"
    assert message.blocks[-1]["type"] == "actions"


def test_a_card_without_an_org_number_has_no_register_button() -> None:
    message = rendered(a_card(a_customer(org_number=None, org_country=None)))
    assert [b["action_id"] for b in buttons(message)] == [
        "customer_add_contact",
        "customer_log_activity",
        "customer_edit",
    ]
    assert "Org. no." not in all_text(message)


def test_an_owner_only_customer_is_marked_on_the_card() -> None:
    message = rendered(a_card(a_customer(visibility=Visibility.OWNER)))
    assert "*Kind*\nprospect · :lock: owner only" in all_text(message)
    assert "owner only" in message.text


def test_a_card_with_200_contacts_and_100_activities_stays_within_every_limit_and_says_how_many_more() -> (
    None
):
    message = rendered(a_card(contacts=200, activities=100, cases=60))
    text = all_text(message)
    assert "*Contacts* (200)" in text and "_and 190 more contacts_" in text
    assert "*Latest activities* (100)" in text and "_and 90 more activities_" in text
    assert "_and 50 more sales cases_" in text
    assert {b["action_id"] for b in buttons(message)} == {
        "customer_add_contact",
        "customer_log_activity",
        "customer_edit",
        "customer_open_register",
    }


def test_huge_values_on_the_card_are_cut_with_an_ellipsis() -> None:
    customer = a_customer("N" * 500, website="w" * 5000)
    reply = a_card(customer)
    reply.card.contacts = [a_contact("K" * 3000, "L" * 3000, "x" * 3000 + "@acme.no")]
    reply.card.latest_activities = [an_activity("S" * 10_000)]
    message = rendered(reply)
    assert message.blocks[0]["text"]["text"] == "N" * 149 + "…"
    assert "S" * 100 in all_text(message) and "S…" in all_text(message)


def test_a_customer_called_channel_cannot_ping_anyone() -> None:
    name = "<!channel> & Co"
    card = rendered(a_card(a_customer(name)))
    found = rendered(CustomerList(name, [CustomerHit(a_customer(name), 99.0)]))
    assert "*#10001 &lt;!channel&gt; &amp; Co*" in all_text(found)
    assert "Customers matching *&lt;!channel&gt; &amp; Co*" in all_text(found)
    assert card.blocks[0]["text"] == {
        "type": "plain_text",
        "text": name,
        "emoji": True,
    }  # plain text: no pings
    for message in (card, found):
        assert "<!channel>" not in message.text and "&lt;!channel&gt; &amp; Co" in message.text


def test_an_email_that_is_not_a_plain_address_is_shown_as_text_not_as_a_link() -> None:
    reply = a_card()
    reply.card.contacts = [a_contact(email="a|b<c>@acme.no")]
    assert "a|b&lt;c&gt;@acme.no" in all_text(rendered(reply))


# --- lists -----------------------------------------------------------------------------------------------


def test_each_hit_has_an_open_button_and_each_register_hit_an_add_button() -> None:
    message = rendered(a_list(hits=2, register_hits=1))
    opens = [b for b in buttons(message) if b["action_id"] == "customer_open"]
    assert [b["value"] for b in opens] == ["100", "101"]
    assert button(message, "register_add")["value"] == "900000000"
    assert "*#10001 Acme 0 AS* · org 923609016 · prospect" in all_text(message)
    assert "*Acme Register 0 AS* · org 900000000 · in the register, not a customer yet" in all_text(message)
    assert not [b for b in buttons(message) if b["action_id"] == "customer_find_more"]


def test_a_list_with_more_matches_has_a_more_button_with_the_query_and_the_next_offset() -> None:
    reply = a_list(hits=10, register_hits=0, more=True)
    reply.offset = 20
    message = rendered(reply)
    assert json.loads(button(message, "customer_find_more")["value"]) == {"query": "acme", "offset": 30}


def test_a_very_long_query_still_fits_in_the_more_buttons_value() -> None:
    message = rendered(a_list(hits=1, more=True, query="å" * 5000))
    more = json.loads(button(message, "customer_find_more")["value"])
    assert more["offset"] == 1 and set(more["query"]) == {"å"}


def test_a_list_longer_than_the_block_limit_is_cut_and_summarised_but_keeps_the_more_button() -> None:
    message = rendered(a_list(hits=60, register_hits=10, more=True))
    assert "more matches: refine the search" in all_text(message)
    assert button(message, "customer_find_more")


def test_no_hits_says_so() -> None:
    assert "No customers match *nada*" in all_text(rendered(CustomerList("nada", [])))


# --- key figures and pipeline ----------------------------------------------------------------------------


def test_key_figures_format_money_and_the_change_since_last_month() -> None:
    message = rendered(a_kpi())
    text = all_text(message)
    assert message.blocks[0]["text"]["text"] == "Nøkkeltall (15.01.2025)"  # a Norwegian user's reply
    for expected in (
        "*Margin i år*\n1 234 567 kr",
        "*Fakturert denne måneden*\n112 000 kr (+12 % mot forrige måned)",
        "*Aktive kunder*\n12",
        "*Salg denne måneden*\n250 000 kr (1 vunnet)",
        "*Min pipeline dette kvartalet*\n900 000 kr (vektet 360 000 kr)",
        "• Kari Selger · 500 000 kr · 2 vunnet",
        "• #10002 Fjordlys AS",
    ):
        assert expected in text


def test_key_figures_for_an_english_user_are_in_english_with_english_numbers() -> None:
    reply = a_kpi()
    reply.lang = "en"
    text = all_text(rendered(reply))
    assert "*Margin this year*\nNOK 1,234,567" in text
    assert "*Invoicing this month*\nNOK 112,000 (+12% vs last month)" in text


def test_a_month_with_nothing_last_month_shows_no_change() -> None:
    reply = a_kpi()
    reply.summary = KpiSummary(date(2025, 1, 15), Decimal(0), Decimal(0), Decimal(5), Decimal(0), 0, 0)
    assert "*Fakturert denne måneden*\n5 kr\n" in all_text(rendered(reply)) + "\n"


@pytest.mark.parametrize(
    ("time_zone", "shown"),
    [("Europe/Oslo", "09:30"), ("America/New_York", "03:30"), ("Nowhere/Atlantis", "08:30")],
)
def test_todays_meetings_are_shown_in_the_users_time_zone(time_zone: str, shown: str) -> None:
    meeting = Activity(
        kind=ActivityKind.MEETING, subject="Kickoff <Acme>", start_at=datetime(2025, 1, 15, 8, 30, tzinfo=UTC)
    )
    assert f"• {shown} Kickoff &lt;Acme&gt;" in all_text(rendered(a_kpi([meeting], time_zone)))


def test_a_day_without_meetings_says_so() -> None:
    assert "*Dagens møter*\nIngen møter i dag." in all_text(rendered(a_kpi()))


def test_the_pipeline_shows_every_stage_and_my_month_and_quarter() -> None:
    text = all_text(rendered(a_pipeline()))
    assert "• *Proposal* · 2 cases · 1 234 567 kr · weighted 493 827 kr" in text
    assert "*My pipeline this month*\n2 cases · 300 000 kr (weighted 120 000 kr)" in text
    assert "*My pipeline this quarter*\n5 cases · 900 000 kr (weighted 360 000 kr)" in text


# --- register card and help ------------------------------------------------------------------------------


def test_the_register_card_shows_what_the_register_says() -> None:
    message = rendered(RegisterCard(a_unit(), "923 609 016", "the Norwegian register (Brønnøysund)"))
    text = all_text(message)
    assert message.blocks[0]["text"]["text"] == "Acme Consulting AS"
    for expected in (
        "*Org. no.*\n923 609 016 (NO)",
        "*Status*\nactive",
        "*Form*\nAS Aksjeselskap",
        "*Industry*\n70.220 Bedriftsrådgivning",
        "*Employees*\n12",
        "*Business address*\nStorgata 1, 0155 Oslo",
        "*Postal address*\nPostboks 12, 0101 Oslo",
        "*Website*\n<https://www.acme.no|www.acme.no>",
        "from the Norwegian register (Brønnøysund)",
    ):
        assert expected in text


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"deleted_on": date(2024, 2, 1)}, ":warning: *deleted (01.02.2024)*"),
        ({"bankrupt": True}, ":warning: *bankrupt*"),
        ({"under_liquidation": True}, ":warning: *under liquidation*"),
    ],
)
def test_a_unit_that_is_not_active_is_highlighted(overrides: dict[str, Any], status: str) -> None:
    message = rendered(RegisterCard(a_unit(**overrides), "923 609 016", "cache"))
    assert f"*Status*\n{status}" in all_text(message)
    assert "from the local copy of the register" in all_text(message)


def test_help_shows_usage_lines_in_code_format() -> None:
    message = rendered(
        Help(
            "customer",
            [("customer add NAME[, ORG NUMBER]", "Create a customer."), ("customer find TEXT", "Search.")],
        )
    )
    text = all_text(message)
    assert "*Help: customer*" in text
    assert "`customer add NAME[, ORG NUMBER]` Create a customer.\n`customer find TEXT` Search." in text


# --- any data at all -------------------------------------------------------------------------------------

any_text = st.text(min_size=1, max_size=4000)
short_text = st.text(max_size=300)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=any_text,
    contact_names=st.lists(st.tuples(short_text, short_text, short_text), max_size=40),
    subjects=st.lists(any_text, max_size=30),
    case_names=st.lists(any_text, max_size=15),
    value=st.decimals(min_value=0, max_value=10**13, places=2, allow_nan=False),
)
def test_random_names_and_subjects_never_break_the_limits(
    name: str,
    contact_names: list[tuple[str, str, str]],
    subjects: list[str],
    case_names: list[str],
    value: Decimal,
) -> None:
    reply = a_card(
        a_customer(name, website=name, visibility=Visibility.OWNER), contacts=0, activities=0, cases=0
    )
    reply.card.contacts = [
        Contact(first_name=first, last_name=last, title=title, emails=[], phones=[])
        for first, last, title in contact_names
    ]
    reply.card.latest_activities = [an_activity(subject) for subject in subjects]
    reply.card.open_sales_cases = [a_case(case_name, str(value)) for case_name in case_names]
    rendered(reply)
    hits = [
        CustomerHit(a_customer(n or "x", id=i, customer_number=i), 50.0)
        for i, n in enumerate([name, *subjects])
    ]
    rendered(CustomerList(name, hits, more=True, register_hits=[a_unit(name=name)]))
    rendered(Choice(name, [name, *subjects]))
    rendered(Text(name, Tone.ERROR))
    rendered(Confirm(name))
    rendered(RegisterCard(a_unit(name=name, website=name, industry_name=name), name, name))
    rendered(Help(name, [(s, s) for s in subjects]))


@pytest.mark.parametrize(
    "name", ["&" * 4000, "<" * 4000, "😀" * 4000, "a\u0301" * 3000, "\n\t\x00" * 500 + "x"]
)
def test_worst_case_strings_are_cut_without_breaking_an_escape_or_a_limit(name: str) -> None:
    reply = a_card(
        a_customer(name, website=name, visibility=Visibility.OWNER), contacts=0, activities=0, cases=0
    )
    reply.card.contacts = [a_contact(name, name, name) for _ in range(30)]
    reply.card.latest_activities = [an_activity(name) for _ in range(30)]
    reply.card.open_sales_cases = [a_case(name) for _ in range(30)]
    rendered(reply)
    hits = [CustomerHit(a_customer(name, id=i, customer_number=i), 50.0) for i in range(60)]
    rendered(CustomerList(name, hits, more=True, register_hits=[a_unit(name=name)] * 10))
    rendered(Choice(name, [name] * 150))
    rendered(Choice(name, [name] * 3))
    rendered(Text(name, Tone.SUCCESS))
    rendered(RegisterCard(a_unit(name=name, website=name, industry_name=name), name, name))
    rendered(Help(name, [(name, name)] * 40))
    rendered(
        a_kpi(
            [Activity(kind=ActivityKind.MEETING, subject=name, start_at=datetime(2025, 1, 15, tzinfo=UTC))]
            * 40
        )
    )
    rendered(
        PipelineReply(
            [StageTotal(name, i, 1, Decimal(1), Decimal(1)) for i in range(40)],
            a_pipeline().month,
            a_pipeline().quarter,
        )
    )


def test_escaped_text_is_cut_after_escaping_so_as_much_as_fits_is_kept() -> None:
    reply = a_card(contacts=0, activities=0, cases=0)
    reply.card.head_office = Address(line1="&" * 1000)
    (office,) = [
        f["text"] for b in rendered(reply).blocks for f in b.get("fields", []) if "Head office" in f["text"]
    ]
    assert office == "*Head office*\n" + "&amp;" * 59 + "…"  # 300 characters at most for a fact
