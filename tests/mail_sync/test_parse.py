"""Email parsing for capture (mail_sync.parse): the labelled corpus in tests/data/mail, specific behaviours,
and property tests that feed the parser broken mail.

The corpus is data: one .eml per case and its expected capture analysis in expected.json (the shape of
`kundebot mail parse FILE.eml --json`). Add a case by adding both. The property tests run 300 examples; set
KUNDEBOT_FUZZ_EXAMPLES=10000 for a long run.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mail_sync import parse as parse_module
from mail_sync.addresses import header_addresses, text_addresses
from mail_sync.dates import parse_loose_date
from mail_sync.parse import ParsedEmail, analysis, parse_message

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
EXPECTED: dict[str, dict[str, object]] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
CAPTURE = ("crm@firma.no",)
FUZZ_EXAMPLES = int(os.environ.get("KUNDEBOT_FUZZ_EXAMPLES", "300"))
CET = timezone(timedelta(hours=1))


def parse(name: str, *, capture: tuple[str, ...] = CAPTURE) -> ParsedEmail:
    return parse_message((CORPUS / name).read_bytes(), capture_addresses=capture)


def message(*headers: str, body: str = "Hei.\n") -> bytes:
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode("utf-8")


# ------------------------------------------------------------------------------------------------ the corpus


def test_the_corpus_has_an_expectation_for_every_file_and_a_file_for_every_expectation() -> None:
    assert sorted(path.name for path in CORPUS.glob("*.eml")) == sorted(EXPECTED)
    assert len(EXPECTED) >= 55


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message_gives_its_expected_capture_analysis(name: str) -> None:
    assert analysis(parse(name)) == EXPECTED[name]


def test_the_analysis_has_exactly_the_cli_contract_keys_and_is_json() -> None:
    result = analysis(parse("gmail_forward_nb.eml"))
    assert list(result) == ["message_id", "subject", "forwarded", "original", "participants"]
    assert list(result["original"]) == ["from", "to", "cc", "date", "subject"]
    assert json.loads(json.dumps(result)) == result


# --------------------------------------------------------------------------------------------------- forwards


@pytest.mark.parametrize(
    "name",
    [
        "gmail_forward_nb.eml",
        "outlook_desktop_forward_sv.eml",
        "outlook_web_forward_en.eml",
        "apple_mail_forward_sv.eml",
        "thunderbird_forward_nb.eml",
    ],
)
def test_an_inline_forward_recovers_the_original_from_the_forward_block(name: str) -> None:
    parsed = parse(name)
    assert parsed.forwarded
    assert parsed.original.source == "inline"
    assert parsed.from_address == "kari.hansen@firma.no"
    assert parsed.original.from_address != parsed.from_address


def test_a_forward_block_only_in_the_html_part_is_found() -> None:
    parsed = parse("gmail_forward_block_only_in_html.eml")
    assert "Forwarded" not in parsed.body_text and "Videresendt" not in parsed.body_text
    assert parsed.original.from_address == "trond.bakke@bergenbygg.no"


def test_nested_forwards_give_the_innermost_original() -> None:
    parsed = parse("gmail_forward_nested.eml")
    assert parsed.original.from_address == "per.olsen@acme.no"
    assert parsed.original.to == ["ola.berg@firma.no"]


def test_a_forwarded_reply_thread_stops_at_the_forwarded_reply() -> None:
    parsed = parse("outlook_forward_of_reply_thread_nb.eml")
    assert (parsed.original.from_address, parsed.original.subject) == (
        "per.olsen@acme.no",
        "SV: Tilbud på rammeavtale 2027",
    )


def test_an_attached_message_is_the_original() -> None:
    parsed = parse("rfc822_attached_forward.eml")
    assert parsed.forwarded and parsed.original.source == "attachment"
    assert parsed.original.from_address == "per.olsen@acme.no"
    assert parsed.original.date == datetime(2026, 11, 16, 14, 5, 32, tzinfo=CET)


def test_an_attached_message_keeps_its_own_message_id() -> None:
    assert parse("rfc822_attached_forward.eml").original.message_id == "20261116140532.4711@acme.no"
    assert parse("gmail_forward_en.eml").original.message_id is None
    assert parse("bcc_send_en.eml").original.message_id == parse("bcc_send_en.eml").message_id


def test_an_attached_message_counts_as_a_forward_without_a_forward_subject() -> None:
    parsed = parse("rfc822_attached_forward_gmail.eml")
    assert parsed.subject == "Kundemail"
    assert parsed.forwarded and parsed.original.from_address == "anders.svensson@volvo.se"


def test_an_attached_message_that_is_itself_a_forward_gives_its_original() -> None:
    assert parse("rfc822_attached_inline_forward.eml").original.from_address == "trond.bakke@bergenbygg.no"


def test_a_forward_subject_without_a_block_is_a_forward_of_unknown_origin() -> None:
    parsed = parse("forward_subject_only_no_block.eml")
    assert parsed.forwarded
    assert (parsed.original.source, parsed.original.from_address) == ("message", "kari.hansen@firma.no")
    assert parsed.original.subject == "Pristilbud"


def test_a_reply_with_outlooks_quote_block_is_not_a_forward() -> None:
    for name in ("cc_capture_reply_nb.eml", "reply_thread_outlook_en.eml", "reply_to_forward_gmail_en.eml"):
        parsed = parse(name)
        assert not parsed.forwarded, name
        assert parsed.original.from_address == parsed.from_address


def test_an_outlook_block_without_fw_prefix_counts_when_sent_to_the_capture_address_alone() -> None:
    assert parse("outlook_forward_edited_subject_to_capture.eml").forwarded
    assert not parse("outlook_forward_edited_subject_to_capture.eml", capture=()).forwarded


def test_a_forward_date_without_a_zone_takes_the_zone_of_the_forwarding_message() -> None:
    # "Sendt: mandag 16. november 2026 14:05" in a message dated +0000 (Exchange Online)
    assert parse("outlook_desktop_forward_nb.eml").original.date == datetime(2026, 11, 16, 14, 5, tzinfo=UTC)


def test_an_unreadable_forward_date_is_none() -> None:
    parsed = parse("outlook_forward_unparseable_date.eml")
    assert parsed.forwarded and parsed.original.date is None


def test_recipients_written_as_names_only_give_no_addresses() -> None:
    parsed = parse("outlook_desktop_forward_names_only.eml")
    assert parsed.original.to == []
    assert parsed.participants == ["per.olsen@acme.no"]


# ------------------------------------------------------------------------------------ addresses and dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Per Olsen <Per.Olsen@Acme.no>", ["per.olsen@acme.no"]),
        ("Per Olsen [mailto:per.olsen@acme.no]", ["per.olsen@acme.no"]),
        ("per.olsen@acme.no", ["per.olsen@acme.no"]),
        (
            '"Hansen, Kari" <kari.hansen@firma.no>; "Dahl, Lise" <lise.dahl@acme.no>',
            ["kari.hansen@firma.no", "lise.dahl@acme.no"],
        ),
        ('"kari@other.no" <kari.hansen@firma.no>', ["kari.hansen@firma.no"]),
        ("per.olsen@acme.no (Per Olsen), per.olsen@acme.no", ["per.olsen@acme.no"]),
        ("Kari Hansen; Lise Dahl", []),
        ("'Per Olsen' <mailto:per.olsen@acme.no>", ["per.olsen@acme.no"]),
    ],
)
def test_addresses_in_a_forward_block_are_read_in_every_client_form(text: str, expected: list[str]) -> None:
    assert text_addresses(text) == expected


def test_group_syntax_in_an_address_header_is_read() -> None:
    assert header_addresses("Undisclosed recipients:;") == []
    assert header_addresses("Team: a@acme.no, b@acme.no;, c@acme.no") == [
        "a@acme.no",
        "b@acme.no",
        "c@acme.no",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon, 16 Nov 2026 at 14:05", datetime(2026, 11, 16, 14, 5, tzinfo=CET)),
        ("Mon, Nov 16, 2026 at 2:05 PM", datetime(2026, 11, 16, 14, 5, tzinfo=CET)),
        ("Monday, November 16, 2026 12:30 AM", datetime(2026, 11, 16, 0, 30, tzinfo=CET)),
        ("mandag 16. november 2026 14:05", datetime(2026, 11, 16, 14, 5, tzinfo=CET)),
        ("man. 16. nov. 2026 kl. 14:05", datetime(2026, 11, 16, 14, 5, tzinfo=CET)),
        ("16. nov. 2026 kl. 14.05", datetime(2026, 11, 16, 14, 5, tzinfo=CET)),
        ("den 16 november 2026 14:05", datetime(2026, 11, 16, 14, 5, tzinfo=CET)),
        ("mån 16 nov. 2026 kl. 14:05", datetime(2026, 11, 16, 14, 5, tzinfo=CET)),
        (
            "16 November 2026 at 14:05:32 CEST",
            datetime(2026, 11, 16, 14, 5, 32, tzinfo=timezone(timedelta(hours=2))),
        ),
        (
            "November 16, 2026 at 2:05:32 PM GMT-5",
            datetime(2026, 11, 16, 14, 5, 32, tzinfo=timezone(timedelta(hours=-5))),
        ),
        ("Mon, 16 Nov 2026 14:05:32 +0000", datetime(2026, 11, 16, 14, 5, 32, tzinfo=UTC)),
        ("16.11.2026 14:05", datetime(2026, 11, 16, 14, 5, tzinfo=CET)),
        ("11/16/2026 2:05 PM", datetime(2026, 11, 16, 14, 5, tzinfo=CET)),
        ("2026-11-16 14:05", datetime(2026, 11, 16, 14, 5, tzinfo=CET)),
        ("sometime last week", None),
        ("31. februar 2026 14:05", None),
        ("16. november 14:05", None),
        ("", None),
    ],
)
def test_forward_dates_are_read_in_english_norwegian_and_swedish(
    text: str, expected: datetime | None
) -> None:
    assert parse_loose_date(text, CET) == expected


# ----------------------------------------------------------------------------------- headers and encodings


def test_an_rfc2047_subject_split_inside_a_character_is_decoded() -> None:
    assert (
        parse("rfc2047_encoded_headers.eml").subject == "Tilbud på rådgivningstjenester for Bryggen – fase 2"
    )


def test_an_encoded_display_name_with_a_comma_does_not_split_the_address() -> None:
    assert parse("rfc2047_encoded_headers.eml").to == ["kari.hansen@firma.no"]


def test_raw_latin_1_and_utf_8_headers_are_decoded() -> None:
    assert parse("header_8bit_latin1_subject.eml").subject == "Møte om økonomi på fredag"
    assert parse("header_8bit_utf8_subject.eml").subject == "Årsavtal för 2027 – förslag"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("charset_iso_8859_1_body.eml", "Blåbærsyltetøy: æøå ÆØÅ."),
        ("charset_windows_1252_body.eml", "1 250 € per time – «fast» og “endelig”."),
        ("charset_utf8_base64_body.eml", "Här är förslaget för 2027."),
        ("charset_undeclared_8bit.eml", "Her står det ø og å uten tegnsett."),
        ("outlook_desktop_forward_nb.eml", "Takk for et godt møte i går."),
    ],
)
def test_body_charsets_and_transfer_encodings_are_decoded(name: str, fragment: str) -> None:
    assert fragment in parse(name).body_text


def test_quoted_printable_soft_line_breaks_are_joined() -> None:
    body = parse("charset_quoted_printable_utf8.eml").body_text
    assert "myke linjeskift i quoted-printable. Dette er" in body
    assert "=\n" not in body


def test_an_html_only_body_becomes_readable_text() -> None:
    body = parse("html_only_nb.eml").body_text
    assert body.splitlines() == [
        "Hei Kari,",
        "",
        "Velkommen til vårt møte på tirsdag.",
        "Agenda:",
        "",
        "- Tilbud",
        "- Avtale",
        "",
        "Hilsen Trond",
    ]


def test_text_plain_is_preferred_over_html() -> None:
    assert (
        parse("newsletter_nb.eml").body_text
        == "Nyheter fra Bergen Bygg\n\nVi har åpnet nytt kontor på Bryggen."
    )


def test_an_empty_text_alternative_falls_back_to_the_html() -> None:
    raw = message(
        "From: per.olsen@acme.no",
        'Content-Type: multipart/alternative; boundary="alt"',
        body="--alt\r\nContent-Type: text/plain\r\n\r\n \r\n--alt\r\nContent-Type: text/html\r\n\r\n"
        "<p>Hei&nbsp;Kari</p>\r\n--alt--\r\n",
    )
    assert parse_message(raw).body_text == "Hei Kari"


def test_utf_8_mislabelled_as_latin_1_is_read_as_utf_8() -> None:
    raw = message(
        "From: per.olsen@acme.no", "Content-Type: text/plain; charset=iso-8859-1", body="Blåbær\r\n"
    )
    assert parse_message(raw).body_text == "Blåbær"


def test_format_flowed_lines_are_joined() -> None:
    raw = message(
        "From: a@acme.no",
        "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes",
        body="Dette er en lang lin \r\nje som fortsetter.\r\nNeste linje.\r\n",
    )
    assert parse_message(raw).body_text == "Dette er en lang linje som fortsetter.\nNeste linje."


# ------------------------------------------------------------------------------------------- Message-IDs


def test_message_ids_lose_their_angle_brackets() -> None:
    parsed = parse("reply_thread_gmail_en.eml")
    assert parsed.message_id == "CAH5zSm2n5hLc4a3xd1Wj8mG-5zKp0f7Ee9qHr4c@mail.gmail.com"
    assert parsed.in_reply_to == "CAF3xQk9m4gKb3z2wc0Vi7lF-4yJo9e6Dd8pGq3b@mail.gmail.com"


def test_folded_references_are_read_in_order() -> None:
    assert parse("reply_thread_gmail_en.eml").references == [
        "CAF3xQk9b2vYp1n0kq8Jw5zT-2mXc7s4Rr6dUe1o@mail.gmail.com",
        "AM9PR01MB7201E4B1C2D3A4F5@AM9PR01MB7201.eurprd01.prod.exchangelabs.com",
        "CAF3xQk9m4gKb3z2wc0Vi7lF-4yJo9e6Dd8pGq3b@mail.gmail.com",
    ]


def test_a_missing_message_id_is_replaced_by_a_stable_one() -> None:
    message_id = parse("missing_message_id.eml").message_id
    assert message_id.endswith("@kundebot.invalid") and not message_id.startswith("<")
    assert parse("missing_message_id.eml").message_id == message_id


def test_the_same_bytes_give_the_same_id_whatever_the_line_endings() -> None:
    raw = (CORPUS / "missing_message_id.eml").read_bytes()
    assert parse_message(raw).message_id == parse_message(raw.replace(b"\r\n", b"\n")).message_id


def test_different_messages_without_message_id_get_different_ids() -> None:
    raw = (CORPUS / "missing_message_id.eml").read_bytes()
    assert parse_message(raw).message_id != parse_message(raw + b"P.S.\r\n").message_id


def test_an_empty_message_id_is_replaced_by_a_stable_one() -> None:
    assert parse("empty_message_id.eml").message_id.endswith("@kundebot.invalid")


def test_the_first_of_duplicate_message_ids_wins() -> None:
    assert parse("duplicate_message_id.eml").message_id == "first-id-4711@acme.no"


# ------------------------------------------------------------------------------------------ BCC and Cc


@pytest.mark.parametrize("name", ["bcc_send_en.eml", "bcc_send_nb.eml", "bcc_send_sv.eml"])
def test_a_message_with_the_capture_address_only_in_the_envelope_is_a_bcc_capture(name: str) -> None:
    parsed = parse(name)
    assert parsed.bcc_capture and not parsed.forwarded
    assert parsed.participants[0] == "kari.hansen@firma.no"


@pytest.mark.parametrize(
    "name",
    [
        "cc_capture_reply_nb.eml",
        "direct_note_to_capture.eml",
        "gmail_forward_en.eml",
        "cc_capture_plus_address_nb.eml",
    ],
)
def test_a_message_addressed_to_the_capture_address_or_forwarded_is_not_a_bcc_capture(name: str) -> None:
    assert not parse(name).bcc_capture


def test_the_capture_address_is_matched_without_regard_to_case() -> None:
    parsed = parse("cc_capture_reply_nb.eml", capture=("CRM@Firma.NO",))
    assert not parsed.bcc_capture
    assert "crm@firma.no" not in parsed.participants


def test_a_single_capture_address_may_be_passed_as_a_string() -> None:
    raw = (CORPUS / "bcc_send_en.eml").read_bytes()
    assert parse_message(raw, capture_addresses="crm@firma.no").bcc_capture


def test_a_capture_address_with_a_plus_tag_is_the_capture_address() -> None:
    parsed = parse("cc_capture_plus_address_nb.eml")
    assert parsed.participants == ["kari.hansen@firma.no", "trond.bakke@bergenbygg.no"]


def test_without_known_capture_addresses_nothing_is_a_bcc_capture() -> None:
    assert not parse("bcc_send_en.eml", capture=()).bcc_capture


# --------------------------------------------------------------------------------- automatic mail, calendar


@pytest.mark.parametrize(
    "name",
    [
        "newsletter_list_unsubscribe_en.eml",
        "newsletter_nb.eml",
        "bounce_multipart_report.eml",
        "auto_reply_out_of_office_en.eml",
        "auto_reply_nb.eml",
    ],
)
def test_newsletters_bounces_and_auto_replies_are_automatic(name: str) -> None:
    assert parse(name).is_auto


@pytest.mark.parametrize(
    "header",
    [
        "Precedence: bulk",
        "Precedence: junk",
        "List-Id: <news.acme.no>",
        "Auto-Submitted: auto-generated",
        "X-Autoreply: yes",
        "Return-Path: <>",
    ],
)
def test_each_automatic_mail_header_alone_marks_a_message_automatic(header: str) -> None:
    assert parse_message(message("From: per.olsen@acme.no", "Subject: Hei", header)).is_auto


def test_the_sender_header_stands_in_for_a_missing_from() -> None:
    assert parse_message(message("Sender: Per Olsen <per.olsen@acme.no>")).from_address == "per.olsen@acme.no"


def test_mail_from_mailer_daemon_is_automatic() -> None:
    assert parse_message(message("From: MAILER-DAEMON@mx.acme.no", "Subject: failure")).is_auto


def test_auto_submitted_no_and_ordinary_mail_are_not_automatic() -> None:
    assert not parse_message(message("From: per.olsen@acme.no", "Auto-Submitted: no")).is_auto
    assert not parse("gmail_forward_en.eml").is_auto
    assert not parse("bcc_send_nb.eml").is_auto


def test_a_bounced_message_inside_a_report_is_not_a_forward() -> None:
    parsed = parse("bounce_multipart_report.eml")
    assert not parsed.forwarded
    assert parsed.original.from_address == "mailer-daemon@mx01.firma.no"


@pytest.mark.parametrize("name", ["calendar_invitation_outlook.eml", "calendar_invitation_gmail.eml"])
def test_a_calendar_invitation_is_flagged(name: str) -> None:
    assert parse(name).is_calendar


def test_ordinary_mail_is_not_a_calendar_invitation() -> None:
    assert not parse("gmail_forward_with_attachment.eml").is_calendar


# ------------------------------------------------------------------------------------------- attachments


def test_attachments_have_name_type_and_decoded_size() -> None:
    [attachment] = parse("gmail_forward_with_attachment.eml").attachments
    assert attachment.filename == "Kontrakt Acme 2027 signert.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == 2113


def test_inline_images_and_rfc2047_named_attachments_are_listed() -> None:
    names = [
        (a.filename, a.content_type)
        for a in parse("outlook_desktop_forward_with_attachments_nb.eml").attachments
    ]
    assert names == [
        ("Timeliste oktober.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("image001.png", "image/png"),
    ]
    [eml] = parse("rfc822_attached_forward.eml").attachments
    assert (eml.filename, eml.content_type) == ("Tilbud på rammeavtale 2027.eml", "message/rfc822")


def test_rfc2231_filenames_are_decoded() -> None:
    raw = message(
        "From: per.olsen@acme.no",
        'Content-Type: multipart/mixed; boundary="b"',
        body="--b\r\nContent-Type: text/plain\r\n\r\nSe vedlegg.\r\n--b\r\nContent-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename*0*=utf-8''Tilbud%20p%C3%A5; filename*1*=%20avtale.pdf\r\n\r\n"
        "%PDF\r\n--b--\r\n",
    )
    assert parse_message(raw).attachments[0].filename == "Tilbud på avtale.pdf"


def test_a_message_with_a_15_mb_attachment_is_parsed_quickly() -> None:
    payload = bytes(range(256)) * (15 * 1024 * 1024 // 256)
    raw = message(
        "From: Kari Hansen <kari.hansen@firma.no>",
        "To: crm@firma.no",
        "Subject: Fwd: Tegninger",
        "Message-ID: <big@firma.no>",
        'Content-Type: multipart/mixed; boundary="big"',
        body="--big\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTegningene.\r\n--big\r\n"
        'Content-Type: application/pdf; name="tegninger.pdf"\r\nContent-Transfer-Encoding: base64\r\n'
        'Content-Disposition: attachment; filename="tegninger.pdf"\r\n\r\n'
        + base64.encodebytes(payload).decode("ascii").replace("\n", "\r\n")
        + "--big--\r\n",
    )
    started = time.perf_counter()
    parsed = parse_message(raw, capture_addresses=CAPTURE)
    elapsed = time.perf_counter() - started
    assert parsed.attachments[0].size == len(payload)
    assert parsed.body_text == "Tegningene."
    assert elapsed < 2.0


# -------------------------------------------------------------------------------------- broken mail degrades


def test_a_wrong_boundary_keeps_the_body_readable() -> None:
    assert "fakturaen er betalt" in parse("malformed_bad_boundary.eml").body_text


def test_a_truncated_attachment_keeps_the_text_and_what_arrived_of_the_attachment() -> None:
    parsed = parse("malformed_truncated_mime.eml")
    assert parsed.body_text == "Hei Kari, her er tegningene."
    assert parsed.attachments[0].filename == "tegninger.pdf" and parsed.attachments[0].size > 0


@pytest.mark.parametrize(
    "raw", [b"", b"\x00\xff\xfe", b"\r\n\r\n", b"Subject", b"From: \r\n\r\n", b"-" * 10000]
)
def test_hopeless_input_gives_an_empty_result_with_a_stable_id(raw: bytes) -> None:
    parsed = parse_message(raw)
    assert parsed.message_id.endswith("@kundebot.invalid")
    assert parsed.from_address is None and not parsed.forwarded


# ------------------------------------------------------------------------------------------ property tests

HEADER_NAMES = [
    "From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Content-Type",
    "Content-Transfer-Encoding", "Content-Disposition", "MIME-Version", "Auto-Submitted", "Precedence", "List-Id",
    "Return-Path", "Resent-From", "X-Weird", "",
]  # fmt: skip
TRICKY_VALUES = [
    b"=?utf-8?B?w6", b"=?utf-8?Q?=C3?=", b"=?x-unknown?q?abc?=", b"=?rot13?b?YWJj?=", b"=?utf-16?b?/w==?=",
    b'"unterminated <a@b', b"a@b, <>, [mailto:, (comment", b"Group:;", b"<<<@>>>", b"multipart/mixed",
    b'multipart/mixed; boundary="', b"multipart/alternative; boundary=b", b"text/plain; charset=utf-16",
    b"text/plain; charset=zlib", b"text/plain; charset=idna", b"text/plain; charset=undefined",
    b"text/html; charset=\xff", b"message/rfc822", b"multipart/report", b"base64", b"quoted-printable",
    b"attachment; filename*0*=utf-8''%E2%82; filename*1*=%zz", b"Mon, 99 Foo 9999 99:99:99 +9999", b"-0000",
    b"Fwd: VS: SV: ", b"\xc3\x28\xa0\xa1", b"\x00\x01\x02",
]  # fmt: skip
BODY_SNIPPETS = [
    b"---------- Forwarded message ---------\nFrom: Per <per@acme.no>\nDate: Mon, 16 Nov 2026 at 14:05\n",
    b"Fra: x@y\nSendt: mandag 31. februar 9999 99:99\nTil: ;;;\nEmne: VS:\n",
    b"Begin forwarded message:\n\n> From: <\n> Subject: =?\n",
    b"________________________________\nFrom: a\nTo: b\nSubject: c\nSent: 2026-13-45 25:61\n",
    b"<html><script>x<hr><b>From:</b> a@b<br><!-- <p", b"=ZZ=\n=", b"QUJD\n===\n!!!", b"\xff\xfe\x00",
    b"--b\n", b"--b--\n", b"\n\n", b"Content-Type: multipart/mixed; boundary=b\n\n",
]  # fmt: skip


@st.composite
def malformed_messages(draw: st.DrawFn) -> bytes:
    """Mail-shaped bytes: plausible and garbage headers, nested parts with wrong or missing boundaries,
    charsets and transfer encodings that lie, truncated anywhere."""
    value = st.one_of(
        st.sampled_from(TRICKY_VALUES), st.binary(max_size=60), st.text(max_size=40).map(str.encode)
    )
    header = st.tuples(st.sampled_from(HEADER_NAMES).map(str.encode), value)
    lines = [name + b": " + data for name, data in draw(st.lists(header, max_size=12))]
    boundary = draw(st.sampled_from([b"b", b"", b"a b", b"\xff", b"--"]) | st.binary(min_size=1, max_size=8))
    if draw(st.booleans()):
        kind = draw(st.sampled_from([b"mixed", b"alternative", b"report", b"digest", b"related"]))
        lines.append(b"Content-Type: multipart/" + kind + b'; boundary="' + boundary + b'"')
    part = st.tuples(
        st.lists(header, max_size=4),
        st.lists(st.sampled_from(BODY_SNIPPETS) | st.binary(max_size=80), max_size=4),
    )
    body = b""
    for part_headers, chunks in draw(st.lists(part, max_size=5)):
        used = boundary if draw(st.booleans()) else draw(st.binary(max_size=4))
        body += (
            b"--" + used + b"\n" + b"\n".join(name + b": " + data for name, data in part_headers) + b"\n\n"
        )
        body += b"".join(chunks) + b"\n"
    if draw(st.booleans()):
        body += b"--" + boundary + b"--\n"
    raw = b"\n".join(lines) + b"\n\n" + body
    raw = raw[: draw(st.integers(min_value=0, max_value=len(raw)))] if draw(st.booleans()) else raw
    newline = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    return raw.replace(b"\n", newline)


@contextmanager
def no_fallback() -> Iterator[None]:
    """Fail when parse_message needed its last-resort fallback: broken parts must degrade on their own, not
    take the whole message down. (The exception that caused it shows as the failure's context.)"""

    def fallback(data: bytes) -> ParsedEmail:
        raise AssertionError("parse_message fell back to an empty result")

    with mock.patch.object(parse_module, "_empty", fallback):
        yield


def check_never_raises(raw: bytes) -> None:
    with no_fallback():
        parsed = parse_message(raw, capture_addresses=CAPTURE)
    assert parsed.message_id
    json.dumps(analysis(parsed))


@settings(
    max_examples=FUZZ_EXAMPLES, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(malformed_messages())
def test_malformed_messages_never_make_the_parser_raise(raw: bytes) -> None:
    check_never_raises(raw)


@settings(max_examples=FUZZ_EXAMPLES, database=None, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_make_the_parser_raise(raw: bytes) -> None:
    check_never_raises(raw)


@settings(max_examples=FUZZ_EXAMPLES, database=None, deadline=None)
@given(st.sampled_from(sorted(EXPECTED)), st.data())
def test_corrupted_corpus_messages_never_make_the_parser_raise(name: str, data: st.DataObject) -> None:
    raw = bytearray((CORPUS / name).read_bytes())
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        at = data.draw(st.integers(min_value=0, max_value=len(raw)))
        raw[at : at + data.draw(st.integers(min_value=0, max_value=40))] = data.draw(
            st.sampled_from(BODY_SNIPPETS + TRICKY_VALUES) | st.binary(max_size=20)
        )
    check_never_raises(bytes(raw))


@settings(max_examples=FUZZ_EXAMPLES, database=None, deadline=None)
@given(st.text(max_size=120))
def test_forward_dates_never_make_the_date_reader_raise(text: str) -> None:
    result = parse_loose_date(text, CET)
    assert result is None or result.tzinfo is not None
