"""Rules of the parser that find names and subjects, each on a message of its own (SPEC §5.2)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.intents import parse
from bot.intents.parser import _legal_names, _message_words, read

NOW = datetime.fromisoformat("2026-11-23T10:00:00+01:00")  # a Monday


def slots(text: str, lang: str) -> dict[str, object]:
    return parse(text, lang=lang, now=NOW).slots


def test_one_walk_from_the_legal_form_gives_the_name_and_frees_its_cue_words() -> None:
    text = "Hei. Vis Task Force Consulting AS"
    words = _message_words(text.lower(), text, "nb")
    assert _legal_names(words, "nb") == ["Task Force Consulting AS"]
    assert not any(w.labels for w in words if w.text in {"Task", "Force"})
    assert parse(text, lang="nb", now=NOW).slots == {"customer": "Task Force Consulting AS"}


def test_a_legal_name_is_written_in_one_case_and_ends_at_its_form() -> None:
    assert slots("add fjord fisk ApS as a new customer (they came via Nordlys AS)", "en") == {
        "customer": "fjord fisk ApS"
    }
    assert slots("legg til Bygg-service Nord AS som ny kunde", "nb") == {"customer": "Bygg-service Nord AS"}


@pytest.mark.parametrize(
    ("text", "lang", "customer", "subject"),
    [
        ("by thursday: send the signed contract to Harbour Foods", "en", "Harbour Foods",
         "send the signed contract to Harbour Foods"),
        ("innen fredag: sende kontrakten til Vik Elektro", "nb", "Vik Elektro", "sende kontrakten til Vik Elektro"),
    ],
)  # fmt: skip
def test_a_date_heading_the_message_is_not_its_customer(
    text: str, lang: str, customer: str, subject: str
) -> None:
    found = slots(text, lang)
    assert (found["customer"], found["subject"]) == (customer, subject)


def test_a_trigger_after_the_to_do_leaves_the_to_do_as_subject() -> None:
    found = slots("confirm the venue with Nordic Wood AS — make that a to-do", "en")
    assert found["subject"] == "confirm the venue with Nordic Wood AS"
    assert found["customer"] == "Nordic Wood AS"


def test_a_compound_ending_and_an_object_pronoun_stay_in_a_subject() -> None:
    assert slots("ringte Fjord Bygg i går, de vil bytte lønns-systemet", "nb")["subject"] == (
        "de vil bytte lønns-systemet"
    )
    assert (
        slots("logga samtal med Berg Trä igår: de vill träffa oss", "sv")["subject"] == "de vill träffa oss"
    )


def test_a_log_comment_after_a_colon_runs_past_its_commas() -> None:
    found = slots("note for Harbour Foods: budget is frozen, check again in spring", "en")
    assert found == {
        "customer": "Harbour Foods",
        "subject": "budget is frozen, check again in spring",
        "activity_kind": "note",
    }


def test_a_comment_naming_the_customer_first_also_gives_the_customer() -> None:
    assert slots("notat: Fjord Bygg venter på styremøtet", "nb")["customer"] == "Fjord Bygg"


def test_a_title_is_read_after_a_pronoun_and_a_copula_or_in_a_slashed_signature() -> None:
    assert (
        slots("legg til Kari Hansen som kontakt hos Acme, hun er økonomisjef", "nb")["title"] == "økonomisjef"
    )
    assert slots("kontakt till Berg Bygg: Sven Ek / rektor / 070-123 45 67", "sv")["title"] == "rektor"
    assert slots("new contact at Acme Ltd: Tom Smith, head of data", "en")["title"] == "head of data"


def test_a_company_whose_name_ends_in_a_trade_is_not_a_title() -> None:
    assert slots("lägg till en kontaktperson på berg konsult", "sv") == {"customer": "berg konsult"}


@pytest.mark.parametrize(
    ("text", "lang", "subject"),
    [
        ("meeting with Acme tomorrow at 10 for the quarterly review", "en", "the quarterly review"),
        ("boka möte med Volvo på fredag om avtalet", "sv", "avtalet"),
        ("workshop planning with Nordic Wood AS next tuesday", "en", "workshop planning"),
        ("mtg acme thu 10:00 roadmap", "en", "roadmap"),
    ],
)
def test_a_meetings_topic_is_found_around_the_one_met(text: str, lang: str, subject: str) -> None:
    assert slots(text, lang)["subject"] == subject


def test_how_a_meeting_is_held_is_not_its_topic() -> None:
    assert "subject" not in slots("mtg w acme tue 2pm teams", "en")


def test_a_capitalised_name_before_the_workplace_is_the_contact() -> None:
    found = slots("ringde Bosse på Sandvik igår, de vill ha offert", "sv")
    assert (found["contact_name"], found["customer"]) == ("Bosse", "Sandvik")


def test_a_clause_after_before_does_not_decide_the_request() -> None:
    assert parse("look up 923609016 before I create them", lang="en", now=NOW).intent == "lookup_org"
    assert parse("før samtalen: vis meg Fjord Bygg AS", lang="nb", now=NOW).intent == "show_customer"


def test_the_definite_deal_noun_names_the_deal() -> None:
    assert slots("affären Molnflytt är vunnen", "sv") == {"subject": "Molnflytt", "stage": "won"}


def test_the_words_between_customer_and_deal_noun_are_the_deal() -> None:
    assert slots("the Acme cloud migration deal is won", "en") == {
        "customer": "Acme",
        "subject": "cloud migration",
        "stage": "won",
    }
    assert slots("Acme's renewal is lost", "en") == {
        "customer": "Acme",
        "subject": "renewal",
        "stage": "lost",
    }


def test_a_new_deal_written_as_a_list_is_created_with_its_stage() -> None:
    result = parse("opportunity: Fjord Bygg, Kaianlegg 2027, 500 000 kr, forhandling", lang="nb", now=NOW)
    assert result.intent == "create_sales_case"
    assert result.slots["subject"] == "Kaianlegg 2027"


def test_the_activity_is_the_head_of_a_compound_not_its_first_half() -> None:
    assert slots("emailed Acme about the call-off order", "en")["activity_kind"] == "email"


def test_a_weekday_and_a_date_together_use_the_date() -> None:
    assert slots("logg møte med Acme fre 13/11", "nb")["when"] == "2026-11-13T09:00:00+01:00"


def test_a_call_to_make_is_a_task() -> None:
    result = parse("ring Acme AS før fredag", lang="nb", now=NOW)
    assert result.intent == "create_task"
    assert result.slots["customer"] == "Acme AS"


def test_a_customer_called_something_is_a_search_not_a_phone_call() -> None:
    result = parse("is there a client called Nordlys or something like that?", lang="en", now=NOW)
    assert (result.intent, result.slots) == ("find_customer", {"customer": "Nordlys"})


def test_what_someone_else_needs_to_do_is_not_a_reminder() -> None:
    result = parse("we signed fjord fisk as a new client, they need to go in the crm", lang="en", now=NOW)
    assert result.intent == "create_customer"


def test_the_request_after_a_story_names_the_one_met() -> None:
    text = (
        "Vi pratade med Berg Bygg i somras, så kan du boka ett möte med Eva på Sundsvall Energi om budgeten"
    )
    assert slots(text, "sv") == {
        "contact_name": "Eva",
        "customer": "Sundsvall Energi",
        "subject": "budgeten",
        "activity_kind": "meeting",
    }


def test_a_later_date_given_to_the_close_is_the_expected_close() -> None:
    text = "hadde et møte med dem i dag, så kan du flytte forventet signering på Acme-saken til 20.01.2027"
    assert slots(text, "nb")["when"] == "2027-01-20T09:00:00+01:00"


def test_asking_what_is_at_a_stage_is_the_pipeline() -> None:
    assert parse("what do we have in negotiation?", lang="en", now=NOW).intent == "pipeline_summary"


def test_a_note_heading_makes_the_rest_its_text() -> None:
    result = parse("anteckning Berg Bygg: nya kontakter efter nyår, ring dem då", lang="sv", now=NOW)
    assert result.intent == "log_activity"
    assert result.slots["activity_kind"] == "note"


def test_what_was_emailed_after_the_one_it_went_to_is_the_subject() -> None:
    assert slots("emailed Kari at Acme AS the revised agenda", "en")["subject"] == "the revised agenda"


def test_the_deal_moved_to_a_stage_is_named_between_change_word_and_to() -> None:
    assert slots("that's from Vestbris, set Cloud Upgrade phase 2 to closed won", "en") == {
        "customer": "Vestbris",
        "subject": "Cloud Upgrade phase 2",
        "stage": "won",
    }


def test_someone_who_moved_from_one_company_to_another_is_added_at_the_new_one() -> None:
    assert (
        slots("Tom Berg moved from Acme AS to Nordlys AS as CFO, add him as a contact", "en")["customer"]
        == "Nordlys AS"
    )


def test_a_competitor_the_deal_went_to_is_not_the_customer() -> None:
    assert slots("harbour foods went with a competitor, mark it as lost", "en") == {
        "customer": "harbour foods",
        "stage": "lost",
    }


def test_a_report_heading_asks_for_the_key_figures() -> None:
    assert parse("rapport: antall nye kunder og bookede møter i oktober", lang="nb", now=NOW).intent == (
        "kpi_summary"
    )


def test_thousands_of_kronor_are_swedish_in_any_language() -> None:
    found = slots("new deal for Berg Bygg AB, around 400 tkr", "en")
    assert (found["amount"], found["currency"]) == (400_000, "SEK")


def test_a_call_to_make_later_keeps_its_object_in_the_to_do() -> None:
    assert slots("ringte Fjord Bygg, ring dem tilbake i morgen", "nb") == {
        "customer": "Fjord Bygg",
        "subject": "ring dem tilbake",
        "when": "2026-11-24T09:00:00+01:00",
        "activity_kind": "task",
    }


def test_the_offer_names_the_deal_and_the_stage_comes_after_it() -> None:
    assert slots("Norsk Gjenvinnings tilbud er tapt", "nb") == {
        "customer": "Norsk Gjenvinning",
        "stage": "lost",
    }
    assert slots("Berg Byggs offert är förlorad", "sv") == {"customer": "Berg Bygg", "stage": "lost"}


def test_a_title_after_he_is_makes_a_contact() -> None:
    result = parse("add Tom to Acme, he's the head of sales", lang="en", now=NOW)
    assert (result.intent, result.slots.get("title")) == ("add_contact", "head of sales")


def test_a_follow_up_cue_is_the_verb_of_the_to_do() -> None:
    assert slots("følg opp Fjord Bygg om kontrakten neste uke", "nb") == {
        "customer": "Fjord Bygg",
        "subject": "følg opp Fjord Bygg om kontrakten",
        "when": "2026-11-30T09:00:00+01:00",
        "activity_kind": "task",
    }


def test_a_second_trigger_ends_the_to_do_and_a_thing_after_the_is_no_customer() -> None:
    found = slots("need to chase Acme for the unpaid invoice, set a reminder for friday", "en")
    assert (found["subject"], found["customer"]) == ("chase Acme for the unpaid invoice", "Acme")


def test_the_capitalised_name_beats_a_lower_case_place() -> None:
    assert slots("ringte Fjord Bygg på mobilen i går", "nb")["customer"] == "Fjord Bygg"
    assert slots("må purre Fjord Bygg på fakturaen i morgen", "nb")["customer"] == "Fjord Bygg"


def test_a_call_reported_with_what_they_said_is_logged_not_a_task() -> None:
    result = parse("spoke with Tom at Acme, he'll call back on friday", lang="en", now=NOW)
    assert result.intent == "log_activity"
    assert (result.slots["contact_name"], result.slots["customer"]) == ("Tom", "Acme")


def test_a_note_about_a_customer_before_a_colon_names_the_customer() -> None:
    assert slots("anteckning om Berg Bygg: ny vd från januari", "sv") == {
        "customer": "Berg Bygg",
        "subject": "ny vd från januari",
        "activity_kind": "note",
    }


def test_a_passive_booking_before_with_is_no_topic() -> None:
    assert "subject" not in slots("ett möte behöver bokas med Berg Bygg nästa vecka", "sv")


def test_a_pronoun_in_the_request_points_back_at_the_customer() -> None:
    assert slots("Kari asked about Acme, can you show it?", "en") == {"customer": "Acme"}


def test_the_customer_with_an_org_number_is_shown_not_looked_up() -> None:
    assert parse("kunden med orgnr 923609016", lang="nb", now=NOW).intent == "show_customer"
    assert parse("fins det et firma med orgnummer 923609016?", lang="nb", now=NOW).intent == "lookup_org"


def test_kind_words_in_a_logged_comment_leave_it_a_note() -> None:
    assert slots("logg pa lofoten reiseliv: vil ha demo", "nb") == {
        "customer": "lofoten reiseliv",
        "subject": "vil ha demo",
        "activity_kind": "note",
    }


def test_a_later_date_in_what_they_said_stays_in_the_logged_comment() -> None:
    assert slots("ringte Acme i går, de vil ha møte neste uke", "nb") == {
        "customer": "Acme",
        "subject": "de vil ha møte neste uke",
        "when": "2026-11-22T09:00:00+01:00",
        "activity_kind": "call",
    }
    assert "when" not in slots("spoke with Tom at Acme, he'll call back on friday", "en")


def test_an_imperative_call_is_a_call_to_make() -> None:
    assert slots("ring Acme om fornyelsen", "nb") == {
        "customer": "Acme",
        "subject": "ring Acme om fornyelsen",
        "activity_kind": "task",
    }


def test_a_capitalised_name_with_cue_words_before_a_request_is_the_customer() -> None:
    assert parse("Task Force Consulting – visa allt vi har", lang="sv", now=NOW).slots == {
        "customer": "Task Force Consulting"
    }
    assert slots("Pipeline Partners: book a meeting next week", "en")["customer"] == "Pipeline Partners"
    assert slots("Logg Møte Acme – de vil ha demo", "nb")["activity_kind"] == "meeting"


def test_hesitation_sounds_of_a_dictated_message_are_no_words_of_it() -> None:
    assert parse("um, book a meeting with Vestby Bakeri uh tomorrow at 10", lang="en", now=NOW).slots == {
        "customer": "Vestby Bakeri",
        "when": "2026-11-24T10:00:00+01:00",
        "activity_kind": "meeting",
    }


def test_a_pasted_link_fills_no_slot_but_a_card_number_at_its_end_is_the_customer() -> None:
    assert slots(
        "book et møte med Hamar Glass fredag kl 13, lenke: https://meet.example.com/abc-def", "nb"
    ) == {
        "customer": "Hamar Glass",
        "when": "2026-11-27T13:00:00+01:00",
        "activity_kind": "meeting",
    }
    assert slots("https://crm.example.no/kunde/20455 vis denne kunden", "nb") == {"customer": "20455"}


def test_a_ticket_id_stays_in_the_to_do_but_is_no_customer() -> None:
    assert slots("todo: close OPS-3310 for Lunde Rør by friday", "en") == {
        "subject": "close OPS-3310 for Lunde Rør",
        "customer": "Lunde Rør",
        "when": "2026-11-27T09:00:00+01:00",
        "activity_kind": "task",
    }


def test_a_slack_timestamp_is_not_a_time() -> None:
    assert "when" not in slots("[14:02] notat for Skien Maskin: de vurderer å bytte leverandør", "nb")


def test_a_deal_named_after_a_spaced_dash_or_before_for_the_customer() -> None:
    assert slots("Ringsaker Sag - Sawmill scanner: probability now 40%", "en") == {
        "customer": "Ringsaker Sag",
        "subject": "Sawmill scanner",
        "probability": 40,
    }
    assert slots("move Fleet tracking for Lillehammer Regnskap to negotiation", "en") == {
        "customer": "Lillehammer Regnskap",
        "subject": "Fleet tracking",
        "stage": "negotiation",
    }


def test_a_spelled_out_ordinal_and_a_day_alone_are_dates() -> None:
    assert (
        slots("boka möte med Kiruna Bygg den femte december kl 9", "sv")["when"]
        == "2026-12-05T09:00:00+01:00"
    )
    assert slots("möte med Kiruna Bygg den 20:e, de vill ha offert – logga det", "sv")["when"] == (
        "2026-11-20T09:00:00+01:00"
    )


def test_a_noun_after_its_article_is_not_the_cue_verb() -> None:
    assert parse("who is 923609016 according to the register?", lang="en", now=NOW).intent == "lookup_org"


def test_times_of_day_in_words_are_clock_times() -> None:
    assert slots("remind me this afternoon to send the offer to Brekke Bygg", "en")["when"] == (
        "2026-11-23T13:00:00+01:00"
    )
    assert (
        slots("minn meg på å ringe Lia Regnskap i morgen tidlig", "nb")["when"] == "2026-11-24T08:00:00+01:00"
    )
    assert slots("påminn mig att ringa Ekdal Bygg igår kväll", "sv")["when"] == "2026-11-22T18:00:00+01:00"
    assert slots("book a meeting with Acme AS tomorrow at lunch", "en")["when"] == "2026-11-24T12:00:00+01:00"
    assert slots("book et møte med Acme AS i morgen til lunsj", "nb")["when"] == "2026-11-24T11:30:00+01:00"


def test_a_time_from_now_counts_in_hours_and_minutes() -> None:
    assert (
        slots("remind me in an hour to call Kari at Fjord Data", "en")["when"] == "2026-11-23T11:00:00+01:00"
    )
    assert slots("minn meg på å sende tilbudet om en halvtime", "nb")["when"] == "2026-11-23T10:30:00+01:00"


def test_arrows_and_spaced_slashes_separate_items_like_commas() -> None:
    assert slots("oppgave -> Lia Regnskap -> sende kontrakten -> fredag", "nb") == {
        "activity_kind": "task",
        "customer": "Lia Regnskap",
        "subject": "sende kontrakten",
        "when": "2026-11-27T09:00:00+01:00",
    }


def test_an_emoji_used_as_a_word_is_read_as_that_word() -> None:
    got = parse("📞 Lia Regnskap i dag – vil ha nytt tilbud", lang="nb", now=NOW)
    assert got.intent == "log_activity"
    assert got.slots["activity_kind"] == "call"


def test_a_hashtag_names_the_customer() -> None:
    assert slots("#brekkebygg book kickoff fri 10am", "en")["customer"] == "brekkebygg"


def test_a_colleague_who_did_or_asks_for_something_is_no_contact() -> None:
    got = slots("Marte met Nordfjord Data last friday, can you log it?", "en")
    assert "contact_name" not in got and got["customer"] == "Nordfjord Data"
    assert slots("Jonas sier at Lia Regnskap takket nei, marker som tapt", "nb") == {
        "customer": "Lia Regnskap",
        "stage": "lost",
    }


def test_a_lower_case_deal_after_the_customer_in_a_noun_phrase_is_the_deal() -> None:
    assert slots("bump the fjellnett ab crm rollout to 70%", "en") == {
        "customer": "fjellnett ab",
        "subject": "crm rollout",
        "probability": 70,
    }
    got = slots("Bergen Bygg signed today, mark the intranet deal as won", "en")
    assert got == {"customer": "Bergen Bygg", "subject": "intranet", "stage": "won"}


def test_hour_and_minutes_written_together_after_kl_are_a_time() -> None:
    assert slots("møte m/ Lysaker Rådgivning imorgen kl1430", "nb")["when"] == "2026-11-24T14:30:00+01:00"


def test_a_stage_word_with_one_slip_is_still_the_stage() -> None:
    assert slots("flytt Skymigrering for Ringsaker Bilsenter til forhandlnig", "nb")["stage"] == "negotiation"


def test_a_quoted_sentence_is_no_deal_name() -> None:
    got = slots('"Thanks, but we went with another vendor." Ørnes Havn AS – set that one to lost', "en")
    assert "subject" not in got and got["stage"] == "lost"


def test_a_pipe_separates_items_like_commas() -> None:
    got = slots("möte | Österlen Cider | fre 15:00 | prisdiskussion", "sv")
    assert got["customer"] == "Österlen Cider" and got["subject"] == "prisdiskussion"


def test_someone_who_took_part_is_the_contact_not_the_topic() -> None:
    got = slots("i fredags hade vi möte med Hallonbergen Bygg, Petra Ek var med. Logga det", "sv")
    assert got["contact_name"] == "Petra Ek" and "subject" not in got


def test_a_passive_trigger_is_no_part_of_the_to_do() -> None:
    got = slots(
        "a reminder should be set to renew the SSL certificates for Pinewood Systems Ltd, end of the month",
        "en",
    )
    assert got["subject"] == "renew the SSL certificates for Pinewood Systems Ltd"


def test_a_company_item_after_the_person_is_their_workplace_not_the_comment() -> None:
    got = slots("log call with Per Holm, Trondheim Betong AS, 19/11, he wants a site visit", "en")
    assert got["customer"] == "Trondheim Betong AS" and got["subject"] == "he wants a site visit"


def test_a_deal_named_before_its_noun_and_the_customer_after_for() -> None:
    got = slots("beløpet på Nettverksløft-saken for Sørli IKT er nå 640 000 kr", "nb")
    assert got["subject"] == "Nettverksløft" and got["customer"] == "Sørli IKT"


def test_a_request_by_someone_after_a_full_stop_decides_the_intent() -> None:
    got = parse(
        "after the workshop with Dovre Analyse I think there's something there, maybe 1.5m NOK, I'd say 50%. "
        "Can somebody open a sales case for them?",
        lang="en",
        now=NOW,
    )
    assert got.intent == "create_sales_case" and got.slots["customer"] == "Dovre Analyse"


def test_a_kind_word_inside_a_customer_first_note_does_not_make_it_that_kind() -> None:
    got = slots("Lofoten Reiseliv: vil ha demo i januar, logg det", "nb")
    assert got["activity_kind"] == "note" and got["subject"] == "vil ha demo i januar"


def test_a_log_with_a_bare_weekday_is_about_the_last_such_day() -> None:
    got = parse("met with the team at Orchard Labs on thursday, they'll decide by xmas", lang="en", now=NOW)
    assert got.intent == "log_activity" and got.slots["when"] == "2026-11-19T09:00:00+01:00"


def test_booking_a_call_is_a_meeting_not_a_call_to_make() -> None:
    assert parse("book a call with Drake & Co monday 3pm", lang="en", now=NOW).intent == "schedule_meeting"


def test_an_acronym_before_the_deal_noun_is_the_deal() -> None:
    got = slots("move the Atlas Foods ERP deal to negotiation", "en")
    assert got["customer"] == "Atlas Foods" and got["subject"] == "ERP"


def test_a_new_value_is_an_update_not_a_new_deal() -> None:
    got = parse("the Brookfield deal slipped, new close date 31/1", lang="en", now=NOW)
    assert got.intent == "update_sales_case" and got.slots["when"] == "2027-01-31T09:00:00+01:00"


def test_a_key_held_too_long_or_two_letters_swapped_still_name_the_kind_and_the_change() -> None:
    assert (
        parse("had a calll w/ Tove at Skarvik Marine AS", lang="en", now=NOW).slots["activity_kind"] == "call"
    )
    assert slots("moev halden hydro deal to negotiaton", "en") == {
        "customer": "halden hydro",
        "stage": "negotiation",
    }


def test_small_words_glued_to_a_key_word_are_read_apart() -> None:
    got = parse("hadameeting w/ Sandvik Bygg AS yesterday", lang="en", now=NOW)
    assert got.intent == "log_activity" and got.slots["activity_kind"] == "meeting"
    assert slots("addcontact Per Olsen at Acme AS", "en") == {
        "contact_name": "Per Olsen",
        "customer": "Acme AS",
    }
    assert slots("kan du finne kundene som matcher bygg og anlegg", "nb") == {"customer": "bygg og anlegg"}


def test_an_english_word_like_weekday_before_a_clock_time_is_that_day() -> None:
    assert slots("book a meeting with acme wed 9:30", "en")["when"] == "2026-11-25T09:30:00+01:00"


def test_an_acronym_between_a_customer_and_a_lower_case_deal_starts_the_deal() -> None:
    got = slots("pls bump the Lysaker Gruppen ERP rollout to 70%", "en")
    assert got["customer"] == "Lysaker Gruppen" and got["subject"] == "ERP rollout"


def test_a_vague_noun_after_a_customer_is_no_deal_name() -> None:
    assert slots("the Kvitfjell Resorts thing is dead, mark it as lost", "en") == {
        "customer": "Kvitfjell Resorts",
        "stage": "lost",
    }


def test_the_writers_name_after_a_closing_thanks_fills_no_slot() -> None:
    got = slots("emailed Polaris Byrå today re the onboarding checklist, can u log it? thx, Marte", "en")
    assert got["subject"] == "the onboarding checklist" and "contact_name" not in got


def test_an_offer_the_activity_was_about_is_no_stage() -> None:
    got = parse("sent an email to Trond at Mørk & Sønn AS re the revised offer", lang="en", now=NOW)
    assert got.intent == "log_activity" and got.slots["subject"] == "the revised offer"


def test_a_past_activity_verb_decides_the_kind_over_a_kind_word_in_the_comment() -> None:
    got = slots(
        "maybe we should log that Elin from Kragerø Kystmuseum emailed back? she said yes to the workshop",
        "en",
    )
    assert got["activity_kind"] == "email"


def test_a_future_date_beside_a_past_one_in_a_log_is_part_of_the_comment() -> None:
    got = slots("pls log mtg w/ Brekke AS ystd - went well, want proposal by eom", "en")
    assert got["when"] == "2026-11-22T09:00:00+01:00"


def test_a_request_where_a_topic_would_be_is_no_subject() -> None:
    assert "subject" not in slots("met Acme today - pls log it", "en")


def test_a_pipe_list_item_keeps_its_commas() -> None:
    got = slots("note | Vargfjell Bygg AS | price list too high, will revert", "en")
    assert got["subject"] == "price list too high, will revert"


def test_setting_up_a_call_with_someone_by_their_title_is_a_booking() -> None:
    got = parse("could u set up a call with the CFO at Aker Bio next week", lang="en", now=NOW)
    assert got.intent == "schedule_meeting" and got.slots["customer"] == "Aker Bio"
    assert "contact_name" not in got.slots


def test_a_to_do_takes_the_date_ahead_over_one_in_a_thanks() -> None:
    got = slots("thx for yesterday!! btw can u remind me to follow up w/ Lisa @ Vest Data on fri", "en")
    assert got["when"] == "2026-11-27T09:00:00+01:00" and got["customer"] == "Vest Data"


def test_a_log_comment_ends_where_the_request_after_it_starts() -> None:
    got = slots(
        "i just had coffee w/ Ole from Fjord AS, he wants a demo of the app, pls log as meeting", "en"
    )
    assert got["subject"] == "he wants a demo of the app"


@pytest.mark.parametrize(
    ("text", "lang", "when"),
    [
        ("book a meeting with Nordlys Data the 4th at 10", "en", "2026-12-04T10:00:00+01:00"),
        ("book a meeting with Nordlys Data on the 25th", "en", "2026-11-25T09:00:00+01:00"),
        ("book et møte med Nordlys Data den 2de", "nb", "2026-12-02T09:00:00+01:00"),
        ("boka möte med Nordlys Data fredag den 4:e kl 9", "sv", "2026-12-04T09:00:00+01:00"),
        ("book a meeting with Nordlys Data tuesday after next", "en", "2026-12-01T09:00:00+01:00"),
        ("book et møte med Nordlys Data fredag over neste", "nb", "2026-12-04T09:00:00+01:00"),
        ("boka möte med Nordlys Data tisdag efter nästa", "sv", "2026-12-01T09:00:00+01:00"),
        ("book a meeting with Nordlys Data thursday in two weeks", "en", "2026-12-10T09:00:00+01:00"),
        ("book et møte med Nordlys Data torsdag om to uker", "nb", "2026-12-10T09:00:00+01:00"),
        ("boka möte med Nordlys Data torsdag om två veckor", "sv", "2026-12-10T09:00:00+01:00"),
        ("book a meeting with Nordlys Data early next week", "en", "2026-11-30T09:00:00+01:00"),
        ("book et møte med Nordlys Data tidlig neste uke", "nb", "2026-11-30T09:00:00+01:00"),
        ("boka möte med Nordlys Data i början av nästa vecka", "sv", "2026-11-30T09:00:00+01:00"),
        ("remind me to call Nordlys Data by the end of february", "en", "2027-02-28T09:00:00+01:00"),
        ("boka möte med Nordlys Data den 7:e december", "sv", "2026-12-07T09:00:00+01:00"),
    ],
)
def test_a_day_alone_and_weeks_ahead_are_read_in_every_language(text: str, lang: str, when: str) -> None:
    assert slots(text, lang)["when"] == when


def test_a_day_alone_in_a_log_is_the_latest_such_day() -> None:
    assert slots("logged a call with Nordlys Data on the 20th", "en")["when"] == "2026-11-20T09:00:00+01:00"
    assert slots("notat Nordlys Data den 24.: de vil vente", "nb")["when"] == "2026-10-24T09:00:00+02:00"


@pytest.mark.parametrize(
    ("text", "lang", "slot", "value"),
    [
        (
            "book a meeting with Elvebakk Sag tuesday, no wait, wednesday",
            "en",
            "when",
            "2026-11-25T09:00:00+01:00",
        ),
        ("ny salgsmulighet hos Elvebakk Sag, 200k, nei 250k mener jeg", "nb", "amount", 250000),
        ("sätt Elvebakk Sag till 40 %, nej förlåt, 45 %", "sv", "probability", 45),
        (
            "boka möte med elvebakk, nej sorry, Elvebakk Sågverk AB, på fredag",
            "sv",
            "customer",
            "Elvebakk Sågverk AB",
        ),
        ("flytt Elvebakk Sag til kvalifisert, nei vent, forhandling", "nb", "stage", "negotiation"),
    ],
)
def test_a_self_correction_keeps_only_the_corrected_value(
    text: str, lang: str, slot: str, value: object
) -> None:
    assert slots(text, lang)[slot] == value


def test_a_corrected_time_keeps_the_day_said_before_it() -> None:
    got = slots("book møte med Elvebakk Sag mandag over neste kl 10, nei sorry, kl 11", "nb")
    assert got["when"] == "2026-12-07T11:00:00+01:00"
    assert slots("book a meeting with Elvebakk Sag on friday at 10, no sorry, at 11", "en")["when"] == (
        "2026-11-27T11:00:00+01:00"
    )


def test_slack_artefacts_and_an_aside_before_the_request_fill_no_slot() -> None:
    got = parse("/crm logg notat Elvebakk Sag - vil ha ny pris (edited)", lang="nb", now=NOW)
    assert got.intent == "log_activity" and got.slots["subject"] == "vil ha ny pris"
    got = parse("printer is broken again. anyway, log a call with Elvebakk Sag", lang="en", now=NOW)
    assert got.slots["customer"] == "Elvebakk Sag" and "when" not in got.slots


def test_capitalised_small_words_in_title_case_are_no_names() -> None:
    assert slots("Search For Customers Named Lindholm", "en") == {"customer": "Lindholm"}
    assert slots("Opprett Ny Kunde Lindholm Bygg AS", "nb") == {"customer": "Lindholm Bygg AS"}


def test_a_trunk_zero_is_dropped_and_a_switchboard_is_not_the_contacts_phone() -> None:
    got = slots("add Mia Holt at Elvebakk Sag, switchboard 22 11 22 11, mobile +47 (0) 912 34 567", "en")
    assert got["phone"] == "+4791234567"


def test_a_name_particle_belongs_to_the_person() -> None:
    got = slots("add Maria van den Broek at Elvebakk Sag as CFO", "en")
    assert got["contact_name"] == "Maria van den Broek"


def test_a_range_gives_no_amount_and_a_total_beats_a_monthly_figure() -> None:
    assert "amount" not in slots("new deal with Elvebakk Sag, 200-300k", "en")
    assert slots("new deal with Elvebakk Sag, 10k/mnd, TCV 360k", "en")["amount"] == 360000


def test_a_double_first_name_and_a_double_surname_are_one_person() -> None:
    got = slots("emailed Ana-Maria López-Fernández at Iberia Foods re the contract", "en")
    assert got["contact_name"] == "Ana-Maria López-Fernández"


def test_a_deal_named_with_call_it_is_its_subject_not_a_phone_call() -> None:
    got = parse("new deal for Elvebakk Sag, 2 MNOK, call it Open Data Platform", lang="en", now=NOW)
    assert got.intent == "create_sales_case" and got.slots["subject"] == "Open Data Platform"


def test_digits_with_a_capital_m_before_a_name_are_a_company_not_millions() -> None:
    assert slots("show me 3M Norge", "en") == {"customer": "3M Norge"}


def test_a_date_taken_back_later_in_the_message_replaces_the_earlier_one() -> None:
    got = slots("remind me tomorrow to call Lena at Elvebakk Sag, no wait, friday", "en")
    assert got["when"] == "2026-11-27T09:00:00+01:00" and got["subject"] == "call Lena at Elvebakk Sag"


def test_a_bare_number_that_corrects_a_value_keeps_its_unit() -> None:
    assert (
        slots("sätt sannolikheten för Elvebakk Sag till 60 procent, nej sorry 75", "sv")["probability"] == 75
    )


def test_actually_make_it_corrects_the_time() -> None:
    assert slots("book a meeting with Elvebakk Sag friday at 10, actually make it 11", "en")["when"] == (
        "2026-11-27T11:00:00+01:00"
    )


def test_a_request_taken_back_at_the_end_is_a_cancel() -> None:
    assert parse("log a call with Elvebakk Sag, no wait, forget it", lang="en", now=NOW).intent == "cancel"


def test_a_name_and_a_probability_alone_set_the_probability() -> None:
    got = parse("Elvebakk Sag -> 75% pls", lang="nb", now=NOW)
    assert got.intent == "update_sales_case" and got.slots == {"customer": "Elvebakk Sag", "probability": 75}


def test_a_won_recurring_figure_is_a_key_figure() -> None:
    assert parse("vad landade vunnen ARR på i oktober?", lang="sv", now=NOW).intent == "kpi_summary"


def test_a_letter_inside_a_name_weighs_less_for_the_language() -> None:
    got = parse(
        "kontakt: Kari Lund | Salgssjef | Malmström Verktyg AB | mobil 934 56 789", lang="nb", now=NOW
    )
    assert got.lang == "nb" and got.slots["phone"] == "+4793456789"


def test_a_hyphen_inside_a_name_or_a_deal_is_no_dash() -> None:
    assert slots("log a call with e-Boks today", "en")["customer"] == "e-Boks"
    assert slots("push the close on the Vestfold Trykk web-to-print deal to december 3", "en")["subject"] == (
        "web-to-print"
    )


def test_a_thing_made_or_sent_in_a_to_do_is_no_customer() -> None:
    assert "customer" not in slots("todo: oppdatere prislista fredag", "nb")
    assert "customer" not in slots("todo: sende julekort til de største kundene", "nb")


def test_a_topic_label_keeps_the_whole_topic() -> None:
    assert (
        slots("møte med Elvebakk Sag mandag, tema: ny serviceavtale", "nb")["subject"] == "ny serviceavtale"
    )


def test_a_capitalised_name_between_an_article_and_a_noun_in_a_to_do_is_the_customer() -> None:
    assert slots("remind me to renew the Elvebakk Sag contract on friday", "en")["customer"] == "Elvebakk Sag"
    assert "customer" not in slots("remind me to send the Christmas cards on friday", "en")


def test_a_greeting_to_the_bot_alone_is_small_talk() -> None:
    assert parse("hei kundebot!", lang="nb", now=NOW).intent == "small_talk"


def test_a_story_sentence_before_a_request_that_names_its_own_customer_is_left_out() -> None:
    got = slots(
        "that workshop in Stavanger was long but worth it! new opp with Elvebakk Sag: pilot, 2 MNOK", "en"
    )
    assert got["customer"] == "Elvebakk Sag"


def test_a_plain_no_after_a_comma_takes_back_the_day_before_it() -> None:
    assert (
        slots("todo: call Elvebakk Sag tuesday, no, wednesday", "en")["when"] == "2026-11-25T09:00:00+01:00"
    )


def test_a_name_said_again_after_sorry_may_carry_its_date() -> None:
    got = slots("mtg w/ Elvebakk Sag, no sorry, Elvebakk Bruk AS on friday at 9, make that 11", "en")
    assert got["customer"] == "Elvebakk Bruk AS"
    assert got["when"] == "2026-11-27T11:00:00+01:00"


def test_a_lower_case_prefix_glued_by_a_hyphen_is_part_of_the_legal_name() -> None:
    assert slots("new opportunity for e-Handel Nord AS, 30k", "en")["customer"] == "e-Handel Nord AS"


def test_a_capitalised_word_after_a_genitive_s_is_part_of_one_name() -> None:
    assert slots("Olsen's Bilverksted signed today, mark as won", "en")["customer"] == "Olsen's Bilverksted"


def test_as_before_a_stage_is_the_english_word() -> None:
    got = slots("mark Vik Rør & Varme as closed won, final price 800k NOK", "en")
    assert got["customer"] == "Vik Rør & Varme"
    assert "subject" not in got


def test_a_person_named_in_three_words_or_with_an_apostrophe_before_at_a_company() -> None:
    assert slots("Emailed Ximena Luz Ortega at Vik Elektro the contract", "en")["contact_name"] == (
        "Ximena Luz Ortega"
    )
    assert slots("Called Liam O'Brien at Vik Elektro", "en")["contact_name"] == "Liam O'Brien"


def test_a_person_then_a_comma_and_a_company_with_its_legal_form() -> None:
    got = slots("meeting w Jonas Berg-Olsen, Vik Elektro AS, friday at 10", "en")
    assert got["contact_name"] == "Jonas Berg-Olsen"
    assert got["customer"] == "Vik Elektro AS"


def test_a_legal_form_that_is_also_a_small_word_stays_at_the_end_of_a_name() -> None:
    assert slots("remind me to chase the invoice from Vik Elektro SA by friday", "en")["subject"] == (
        "chase the invoice from Vik Elektro SA"
    )


def test_a_greeting_with_the_bot_name_needs_no_comma() -> None:
    assert parse("hey kundebot what's our ARR ytd", lang="en", now=NOW).intent == "kpi_summary"


def test_a_heading_then_a_capitalised_customer_and_a_lower_case_deal() -> None:
    got = slots("new opportunity: Vik Elektro charging network, 2 MNOK", "en")
    assert got["customer"] == "Vik Elektro"
    assert got["subject"] == "charging network"


def test_the_definite_form_of_a_phase_names_the_stage() -> None:
    assert slots("Vik Elektro er i forhandlingsfasen nå", "nb")["stage"] == "negotiation"


def test_a_writers_lead_in_before_a_colon_is_left_out() -> None:
    got = slots("one more before i go: had lunch with Kari Dahl from Vik Elektro, they want a demo", "en")
    assert got["customer"] == "Vik Elektro"


def test_an_emoji_before_a_new_request_ends_the_remark_before_it() -> None:
    got = slots("busiest week of the year 🎉 new deal: Vik Elektro, Ladenett 2027, 400 000 kr", "en")
    assert got["customer"] == "Vik Elektro"
    assert got["subject"] == "Ladenett 2027"


def test_a_kind_of_meeting_after_the_customer_in_a_calendar_line_is_the_subject() -> None:
    got = slots("📅 Vik Elektro workshop friday 10:00", "en")
    assert got["customer"] == "Vik Elektro"
    assert got["subject"] == "workshop"


def test_lower_case_words_between_the_customer_and_the_date_of_a_calendar_line_are_the_subject() -> None:
    got = slots("📅 Vik Elektro pricing workshop tomorrow 2pm", "en")
    assert got["customer"] == "Vik Elektro"
    assert got["subject"] == "pricing workshop"


def test_a_lower_case_deal_right_after_a_deal_word_and_a_capitalised_customer() -> None:
    got = slots("new deal Vik Elektro charging network 200k", "en")
    assert got["customer"] == "Vik Elektro"
    assert got["subject"] == "charging network"


def test_a_title_case_deal_after_a_customer_that_ends_in_its_legal_form() -> None:
    got = slots("Set Vik Elektro AS Charging Network To Negotiation Please", "en")
    assert got["customer"] == "Vik Elektro AS"
    assert got["subject"] == "Charging Network"


def test_a_capitalised_word_and_a_number_before_deal_name_the_deal() -> None:
    got = slots("push close on the Vik Elektro Phase 2 deal to friday", "en")
    assert got["customer"] == "Vik Elektro"
    assert got["subject"] == "Phase 2"


def test_a_customer_then_a_full_name_in_a_note_gives_the_contact() -> None:
    got = slots("note: Vik Elektro Kari Dahl wants earlier deliveries", "en")
    assert got["customer"] == "Vik Elektro"
    assert got["contact_name"] == "Kari Dahl"
    assert got["subject"] == "wants earlier deliveries"


def test_a_weekday_before_next_week_is_that_day_of_next_week_in_every_language() -> None:
    for text, lang in (
        ("book a meeting with Vik Elektro wednesday next week", "en"),
        ("book møte med Vik Elektro onsdag neste uke", "nb"),
        ("boka möte med Vik Elektro onsdag nästa vecka", "sv"),
    ):
        assert str(slots(text, lang)["when"]).startswith("2026-12-02"), text


def test_likely_after_a_percentage_is_part_of_the_probability() -> None:
    got = slots("new deal for Vik Elektro, 850k NOK, 70% likely", "en")
    assert got["probability"] == 70
    assert "subject" not in got


def test_a_heading_then_a_customer_before_a_dash_in_a_task() -> None:
    got = slots("task: Vik Elektro – call back Kari friday", "en")
    assert got["customer"] == "Vik Elektro"
    assert got["subject"] == "call back Kari"


def test_a_lower_case_sentence_after_a_log_comment_is_no_part_of_it() -> None:
    got = slots("just called Kari at Vik Elektro, she's sending the NDA. lovely person", "en")
    assert got["subject"] == "she's sending the NDA"


def test_no_make_that_corrects_a_clock_time() -> None:
    got = slots("book a meeting with Vik Elektro thursday 13:00, no make that 14:00", "en")
    assert str(got["when"]).startswith("2026-11-26T14:00")
    assert "subject" not in got


def test_a_corrected_search_text_after_matching_replaces_the_first() -> None:
    assert slots("look up customers matching vik, sorry, vok", "en")["customer"] == "vok"


def test_dictated_words_after_the_date_of_a_log_are_its_comment() -> None:
    got = slots("logcall w vik elektro yday 2pm budget frozen til march", "en")
    assert got["customer"] == "vik elektro"
    assert got["subject"] == "budget frozen til march"


def test_a_pipe_between_the_customer_and_the_deal_is_read_like_a_dash() -> None:
    got = slots("Vik Elektro | Fasadrenovering etapp 2 -> tappad", "sv")
    assert got["customer"] == "Vik Elektro"
    assert got["subject"] == "Fasadrenovering etapp 2"


def test_sin_sak_after_a_customer_names_no_deal() -> None:
    got = slots("kan vi sette Vik Elektro sin sak til kvalifisert?", "nb")
    assert got["customer"] == "Vik Elektro"
    assert "subject" not in got


def test_a_lower_case_deal_after_the_customer_before_a_colon() -> None:
    got = slots("Vik Elektro hosting renewal: ARR now 380k NOK, closed won", "en")
    assert got["customer"] == "Vik Elektro"
    assert got["subject"] == "hosting renewal"


@pytest.mark.parametrize(
    ("text", "lang", "when"),
    [
        ("task: renew the certificates for Vik Elektro the week after next", "en", "2026-12-07T09:00"),
        ("oppgave: fornye sertifikatene til Vik Elektro uka etter neste", "nb", "2026-12-07T09:00"),
        ("uppgift: förnya certifikaten för Vik Elektro veckan efter nästa", "sv", "2026-12-07T09:00"),
        ("todo: chase the signed NDA from Vik Elektro in a fortnight", "en", "2026-12-07T09:00"),
        ("oppgave: purre på NDA fra Vik Elektro om fjorten dager", "nb", "2026-12-07T09:00"),
    ],
)
def test_the_week_after_next_and_a_fortnight_are_dates_in_every_language(
    text: str, lang: str, when: str
) -> None:
    got = slots(text, lang)
    assert str(got["when"]).startswith(when)
    assert "fortnight" not in str(got["subject"]) and "nest" not in str(got["subject"])


@pytest.mark.parametrize(
    ("text", "lang", "when"),
    [
        ("book a meeting with Vik Elektro monday at half past ten", "en", "2026-11-30T10:30"),
        ("book et møte med Vik Elektro mandag halv elleve", "nb", "2026-11-30T10:30"),
        ("boka ett möte med Vik Elektro måndag kvart över nio", "sv", "2026-11-30T09:15"),
        ("book a meeting with Vik Elektro next week thursday at ten", "en", "2026-12-03T10:00"),
        ("can we find a slot with Vik Elektro on the 30th, 2-3pm?", "en", "2026-11-30T14:00"),
    ],
)
def test_clock_times_in_words_and_ranges_give_the_time_said(text: str, lang: str, when: str) -> None:
    got = slots(text, lang)
    assert str(got["when"]).startswith(when)
    assert "subject" not in got


def test_a_weekday_last_week_is_that_day_of_the_week_before() -> None:
    assert str(slots("logg et møte med Vik Elektro tirsdag forrige uke", "nb")["when"]).startswith(
        "2026-11-17"
    )


def test_a_correction_of_only_the_time_keeps_the_day() -> None:
    got = slots("book a meeting with Vik Elektro friday at 2pm, actually make that 4pm", "en")
    assert str(got["when"]).startswith("2026-11-27T16:00")
    assert "subject" not in got


def test_nope_between_commas_takes_the_name_back() -> None:
    got = slots("book a meeting with vik, nope, vik elektro AS, on friday at 11", "en")
    assert got["customer"] == "vik elektro AS"
    assert "subject" not in got


def test_a_group_after_a_possessive_company_is_no_part_of_the_name() -> None:
    assert (
        slots("called Vik Elektro's purchasing team yesterday about the panels", "en")["customer"]
        == "Vik Elektro"
    )


def test_a_title_case_company_ends_before_the_words_of_a_topic() -> None:
    got = read(
        "Move The Vik Elektro Warehouse Portal Deal To Negotiation", lang="en", now=NOW
    ).slots  # (the rules)
    assert got["customer"] == "Vik Elektro"
    assert got["subject"] == "Warehouse Portal"
    assert slots("New Opp Vik Elektro Fleet App 300K Lead", "en")["customer"] == "Vik Elektro"


def test_a_labelled_topic_after_the_story_is_the_subject() -> None:
    got = read(
        "Met Vik Elektro today, they are growing fast. Please log it as a meeting, topic was the panel order. "
        "Nice people.",
        lang="en",
        now=NOW,
    ).slots  # (the rules)
    assert got["subject"] == "the panel order"


def test_the_update_request_names_the_deal_over_the_story() -> None:
    got = read(
        "Vik Elektro called, Ola says the budget is fine. So mark the panel retrofit as won.",
        lang="en",
        now=NOW,
    ).slots
    assert got["subject"] == "panel retrofit"
    assert got["stage"] == "won"


def test_with_both_mrr_and_arr_the_yearly_figure_is_the_amount() -> None:
    assert slots("new opp for Vik Elektro – service portal, MRR 30k, ARR 360k", "en")["amount"] == 360000


def test_half_a_million_is_an_exact_amount() -> None:
    got = slots("new opportunity for Vik Elektro at half a million NOK", "en")
    assert (got["amount"], got["currency"]) == (500000, "NOK")


def test_later_today_in_a_log_is_no_date_of_what_happened() -> None:
    got = slots(
        "log that Ola at Vik Elektro rang back, fine with the start date. I'll send the contract later today",
        "en",
    )
    assert "when" not in got


def test_a_remark_about_them_after_a_booking_fills_no_slot() -> None:
    got = slots(
        "book a meeting with Vik Elektro AS tomorrow at 15 about the portal. Their office is in Bergen.", "en"
    )
    assert got["customer"] == "Vik Elektro AS"
    assert got["subject"] == "the portal"


def test_log_it_points_back_to_the_story_before_it() -> None:
    got = slots(
        "Spent an hour with Ola Nordmann at Vik Elektro AS this morning. Pls log it as a meeting.", "en"
    )
    assert got["customer"] == "Vik Elektro AS"
    assert got["activity_kind"] == "meeting"


def test_what_a_meeting_walks_through_or_books_is_its_subject() -> None:
    got = read(
        "Schedule a meeting with Vik Elektro wednesday at 14:00 to walk through the DPA.", lang="en", now=NOW
    )
    assert got.slots["subject"] == "the DPA"
    assert (
        read("booking a QBR with Vik Elektro AS friday 9am, can you add it", lang="en", now=NOW).slots[
            "subject"
        ]
        == "QBR"
    )


def test_a_title_case_company_ends_where_everyday_english_begins() -> None:
    assert slots("Log A Call With Brekstad Fergeservice Winter Timetable Review Yesterday", "en") == {
        "customer": "Brekstad Fergeservice",
        "subject": "Winter Timetable Review",
        "activity_kind": "call",
        "when": "2026-11-22T09:00:00+01:00",
    }


def test_a_title_case_deal_made_of_common_words_is_cut_from_the_company() -> None:
    assert slots("New Deal Hovland Trelast Timber Tracking Dashboard 250K", "en") == {
        "customer": "Hovland Trelast",
        "subject": "Timber Tracking Dashboard",
        "amount": 250000,
    }


@pytest.mark.parametrize(
    ("text", "customer", "subject"),
    [
        ("emailed vinstra bilsenter winter tyre campaign yesterday", "vinstra bilsenter", "winter tyre campaign"),
        ("LOG CALL TORSHAVN DATA AB BACKUP POLICY REVIEW TODAY", "TORSHAVN DATA AB", "BACKUP POLICY REVIEW"),
        ("Called Fjordhus Invest AS Office Lease Renewal Last Friday", "Fjordhus Invest AS", "Office Lease Renewal"),
        ("New Deal Sandnes Dental Group Patient Portal Redesign 300k", "Sandnes Dental Group",
         "Patient Portal Redesign"),
    ],
)  # fmt: skip
def test_a_company_runs_into_its_topic_in_lower_case_all_caps_or_after_its_legal_form(
    text: str, customer: str, subject: str
) -> None:
    got = read(text, lang="en", now=NOW).slots
    assert (got["customer"], got["subject"]) == (customer, subject)


def test_a_company_before_a_to_dos_verb_is_the_customer_and_not_the_to_do() -> None:
    got = read("task for brenna & sønn renew support contract eod", lang="en", now=NOW).slots
    assert (got["customer"], got["subject"]) == ("brenna & sønn", "renew support contract")
    got = read("Todo: Halden Maskinverksted Send Revised Service Agreement Friday", lang="en", now=NOW).slots
    assert got["customer"] == "Halden Maskinverksted"
    assert got["subject"].startswith("Send ")


def test_a_money_question_about_one_named_customer_opens_its_card() -> None:
    got = read("how much have we won with Fjellvik Kraftnett this year?", lang="en", now=NOW)
    assert (got.intent, got.slots) == ("show_customer", {"customer": "Fjellvik Kraftnett"})
    assert read("what's in the pipe for December?", lang="en", now=NOW).intent == "pipeline_summary"


def test_a_question_about_a_stage_or_the_size_of_deals_is_a_summary() -> None:
    assert read("whats in proposal right now?", lang="en", now=NOW).intent == "pipeline_summary"
    assert read("largest deal still open?", lang="en", now=NOW).intent == "pipeline_summary"
    assert read("average deal size on deals we won in q2?", lang="en", now=NOW).intent == "kpi_summary"


def test_an_errand_we_dont_run_stays_unknown() -> None:
    assert read("can you find me a flight to Tromsø on friday", lang="en", now=NOW).intent == "unknown"
    assert (
        read("will it rain in Bergen tomorrow? taking clients hiking", lang="en", now=NOW).intent == "unknown"
    )


def test_a_rejected_value_after_a_correction_or_not_is_left_out() -> None:
    got = read("new customer Solhaug Bygg AS, org 913 366 786. No wait, that's the parent company, use 920 577 032",
               lang="en", now=NOW)  # fmt: skip
    assert got.slots["org_number"] == "920577032"
    got = read("bump the Tollef Data ERP rollout to 620k, not 600k like I said", lang="en", now=NOW)
    assert got.slots["amount"] == 620000


def test_a_full_name_inside_a_title_case_run_ends_the_company() -> None:
    got = read("Log Call Vikna Havbruk Marte Solberg Net Pen Inspection Yesterday", lang="en", now=NOW).slots
    assert (got["customer"], got["contact_name"], got["subject"]) == (
        "Vikna Havbruk",
        "Marte Solberg",
        "Net Pen Inspection",
    )


def test_a_deal_named_for_a_customer_in_an_update_is_the_subject() -> None:
    got = read("move the SAP S/4 rollout for Lyngen Kraftlag to proposal", lang="en", now=NOW).slots
    assert (got["customer"], got["subject"]) == ("Lyngen Kraftlag", "SAP S/4 rollout")


def test_new_date_forms_read_in_every_language() -> None:
    for text, lang in (
        ("remind me to call the auditor friday two weeks from now", "en"),
        ("minn meg på å ringe revisoren fredag to uker fra nå", "nb"),
        ("påminn mig att ringa revisorn fredag två veckor från nu", "sv"),
    ):
        assert read(text, lang=lang, now=NOW).slots["when"] == "2026-12-11T09:00:00+01:00"
    for text, lang in (
        ("remind me to send the offer by the end of next week", "en"),
        ("minn meg på å sende tilbudet i slutten av neste uke", "nb"),
        ("påminn mig att skicka offerten i slutet av nästa vecka", "sv"),
    ):
        assert read(text, lang=lang, now=NOW).slots["when"] == "2026-12-04T09:00:00+01:00"


def test_a_company_told_of_and_not_yet_in_the_crm_is_created_when_asked() -> None:
    got = read("Good news, Vikna Trelast signed today. They are not in the CRM yet, could you create them?",
               lang="en", now=NOW)  # fmt: skip
    assert (got.intent, got.slots) == ("create_customer", {"customer": "Vikna Trelast"})
    got = read(
        "Hamre Trelast har signert rammeavtalen. De er ikke i CRM ennå, kan du opprette dem?",
        lang="nb",
        now=NOW,
    )
    assert (got.intent, got.slots) == ("create_customer", {"customer": "Hamre Trelast"})


def test_a_report_after_a_to_do_trigger_is_logged() -> None:
    got = read(
        "Before I forget: emailed the price list to Kari Holm at Vestby Sag on the 2nd", lang="en", now=NOW
    )
    assert (got.intent, got.slots["activity_kind"]) == ("log_activity", "email")


def test_a_closing_question_about_a_customer_opens_its_card_after_a_meeting_story() -> None:
    got = read("off to a meeting with them in an hour, what do we have on Vikna Trelast?", lang="en", now=NOW)
    assert (got.intent, got.slots) == ("show_customer", {"customer": "Vikna Trelast"})
