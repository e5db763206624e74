"""Inbound mail: replies, bounces and automatic replies, read from realistic raw messages.

The messages in `mail_samples/` are invented but shaped like what Gmail, Outlook, Thunderbird,
Postfix and Google's mail servers really send.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.inbound import Bounce, Inbound, OutOfOffice, parse_inbound

SAMPLES = Path(__file__).parent / "mail_samples"
RECEIVED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def read(name: str, *, received_at: datetime = RECEIVED) -> Inbound:
    return parse_inbound((SAMPLES / name).read_bytes(), received_at=received_at)


def auto_reply(body: str, *, subject: str = "Out of Office") -> bytes:
    """A minimal automatic reply carrying `body` as UTF-8 text."""
    return (
        "From: Alex Kim <alex@example.com>\r\n"
        "To: reply+Tok3n@reply.acme-sales.io\r\n"
        f"Subject: {subject}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"{body}\r\n"
    ).encode()


def test_gmail_reply_keeps_only_the_new_text_and_threads_to_our_message() -> None:
    inbound = read("gmail_reply_en.eml")

    assert inbound.kind == "reply"
    assert inbound.tokens == ("t9Xk2LmQ7pR4",)
    assert inbound.in_reply_to == ("<20261126083000.4412.a1b2c3@mail.acme-sales.io>",)
    assert inbound.references == ("<20261126083000.4412.a1b2c3@mail.acme-sales.io>",)
    assert inbound.message_id == "<CAF8x2Lq+Vd0mYq7nJ3pRk1w=ZpQ5kT@mail.gmail.com>"
    assert inbound.from_address == "jane.cooper@northwind-logistics.com"
    assert inbound.subject == "Re: Cutting freight audit time at Northwind"
    assert inbound.text == (
        "Hi Minji,\n\n"
        "Thanks for the note. We're reviewing carriers for Q1, so the timing is good.\n"
        "Could you send over a few slots next Tuesday or Wednesday afternoon (CET)?\n\n"
        "Best,\nJane"
    )
    assert inbound.bounce is None
    assert inbound.out_of_office is None


def test_korean_gmail_reply_drops_the_korean_attribution_and_its_quote() -> None:
    inbound = read("gmail_reply_ko.eml")

    assert inbound.kind == "reply"
    assert inbound.tokens == ("Qw3rTy7uI9oP",)
    assert inbound.subject == "Re: 리드 스코어링 도입 사례 자료 보내드립니다"
    assert inbound.text.startswith("김민지 매니저님, 안녕하세요.")
    assert inbound.text.endswith("감사합니다.\n이서준 드림")
    assert "님이" not in inbound.text
    assert "웨비나" not in inbound.text


def test_outlook_reply_drops_the_original_message_block_but_keeps_the_signature() -> None:
    inbound = read("outlook_reply.eml")

    assert inbound.kind == "reply"
    assert inbound.tokens == ("Zx8cVb2nM5aS",)
    assert inbound.subject == "RE: Following up on lead routing at Brightline"
    assert inbound.text.startswith("Hello Minji,\n\nPlease loop in our procurement lead")
    assert inbound.text.endswith("(617) 555-0142")
    assert "Original Message" not in inbound.text
    assert "routing inbound demo requests" not in inbound.text


def test_korean_outlook_reply_in_ks_c_5601_drops_the_sender_and_date_block() -> None:
    inbound = read("outlook_reply_ko.eml")

    assert inbound.kind == "reply"
    assert inbound.tokens == ("Hn4jK8lP0qWe",)
    assert inbound.subject == "회신: 견적서 송부드립니다"
    assert inbound.text == (
        "안녕하세요, 박지훈입니다.\n\n"
        "말씀하신 견적서 확인했습니다. 12월 첫째 주에 미팅 일정 잡아주시면 좋겠습니다."
    )


def test_html_only_reply_is_read_as_text_without_styles_or_the_blockquote() -> None:
    inbound = read("html_only_reply.eml")

    assert inbound.kind == "reply"
    assert inbound.tokens == ("Lm6nB1vC3xZa",)
    assert inbound.text == (
        "Hi Minji,\n\n"
        "Sounds good — Thursday at 3pm works. I’ll bring our CFO & head of sales.\n\n"
        "Carlos"
    )


def test_postfix_report_is_a_permanent_bounce_tied_to_the_message_that_bounced() -> None:
    inbound = read("postfix_dsn_5.1.1.eml")

    assert inbound.kind == "bounce"
    assert inbound.bounce == Bounce(
        permanent=True,
        status="5.1.1",
        recipient="d.okafor@lagoon-textiles.com",
        diagnostic=(
            "550 5.1.1 <d.okafor@lagoon-textiles.com>: Recipient address rejected: "
            "User unknown in virtual mailbox table"
        ),
        original_message_id="<20261127090209.3318.d0c5e1@mail.acme-sales.io>",
    )
    # The token is in the returned original's Reply-To; the report itself went to bounces@.
    assert inbound.tokens == ("Dk2fG7hJ9kLm",)
    assert inbound.in_reply_to == ("<20261127090209.3318.d0c5e1@mail.acme-sales.io>",)
    assert inbound.references == (
        "<20261120090000.1101.aa11bb@mail.acme-sales.io>",
        "<20261127090209.3318.d0c5e1@mail.acme-sales.io>",
    )
    assert inbound.out_of_office is None


def test_delayed_report_is_a_temporary_bounce() -> None:
    inbound = read("postfix_dsn_4.2.2_delayed.eml")

    assert inbound.kind == "bounce"
    assert inbound.bounce is not None
    assert inbound.bounce.permanent is False
    assert inbound.bounce.status == "4.2.2"
    assert inbound.bounce.recipient == "s.nakamura@kiso-precision.jp"
    assert "Mailbox full" in inbound.bounce.diagnostic
    assert inbound.bounce.original_message_id == ("<20261127090530.4410.5a7b9c@mail.acme-sales.io>")
    assert inbound.tokens == ("Sn5kT8uV1wXy",)
    assert inbound.references == (
        "<20261124090000.2020.77e8f9@mail.acme-sales.io>",
        "<20261127090530.4410.5a7b9c@mail.acme-sales.io>",
    )


def test_gmail_failure_notice_without_a_report_is_a_permanent_bounce() -> None:
    inbound = read("gmail_dsn_failure.eml")

    assert inbound.kind == "bounce"
    assert inbound.bounce == Bounce(
        permanent=True,
        status="5.1.1",
        recipient="anna.lindqvist@fjordline-retail.se",
        diagnostic=(
            "550 5.1.1 <anna.lindqvist@fjordline-retail.se>: Recipient address rejected: "
            "User unknown"
        ),
        original_message_id="<20261127111958.6612.e4f5a6@mail.acme-sales.io>",
    )
    assert inbound.tokens == ("Pq7rS2tU4vWx",)
    assert inbound.in_reply_to == ("<20261127111958.6612.e4f5a6@mail.acme-sales.io>",)
    assert "Original message" not in inbound.text


def test_non_standard_delay_notice_is_temporary() -> None:
    raw = (
        b"From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\n"
        b"To: reply+Q1w2e3@reply.acme-sales.io\r\n"
        b"Subject: Delivery Status Notification (Delay)\r\n"
        b"\r\n"
        b"Delivery to the following recipient has been delayed:\r\n\r\n"
        b"     ops@slow-mx.example\r\n\r\n"
        b"Message will be retried for 2 more day(s)\r\n"
    )

    inbound = parse_inbound(raw, received_at=RECEIVED)

    assert inbound.kind == "bounce"
    assert inbound.bounce is not None
    assert (inbound.bounce.permanent, inbound.bounce.status) == (False, "4.0.0")
    assert inbound.bounce.recipient == "ops@slow-mx.example"


def test_outlook_automatic_reply_reads_the_return_date() -> None:
    inbound = read("outlook_auto_reply_en.eml")

    assert inbound.kind == "auto_reply"
    assert inbound.tokens == ("Vw3xY5zA7bCd",)
    assert inbound.in_reply_to == ("<20261127134500.8123.0a1b2c@mail.acme-sales.io>",)
    assert inbound.out_of_office == OutOfOffice(return_date=date(2026, 12, 7))
    assert inbound.bounce is None


def test_korean_auto_reply_takes_the_day_back_at_work_not_the_end_of_the_trip() -> None:
    inbound = read("auto_reply_ko.eml")

    assert inbound.kind == "auto_reply"
    assert inbound.subject == "[부재중] Re: 바이오 영업팀 리드 관리 제안"
    assert inbound.out_of_office == OutOfOffice(return_date=date(2026, 12, 7))


def test_auto_reply_without_a_date_is_out_of_office_with_no_return_date() -> None:
    inbound = read("auto_reply_no_date.eml")

    assert inbound.kind == "auto_reply"
    assert inbound.tokens == ("Gh2jK4lM6nOp",)
    assert inbound.out_of_office == OutOfOffice(return_date=None)


def test_ticket_autoresponder_is_an_auto_reply_that_announces_no_absence() -> None:
    raw = (
        b"From: Vendor Support <support@vendor.example>\r\n"
        b"To: reply+Tick3t@reply.acme-sales.io\r\n"
        b"Subject: [Ticket #4411] We received your message\r\n"
        b"Auto-Submitted: auto-replied\r\n"
        b"\r\n"
        b"Thanks for contacting us. A member of our team will respond within 24 hours.\r\n"
    )

    inbound = parse_inbound(raw, received_at=RECEIVED)

    assert inbound.kind == "auto_reply"
    assert inbound.out_of_office is None


def test_read_receipt_is_not_taken_for_a_reply() -> None:
    raw = (
        b"From: Jane Cooper <jane.cooper@northwind-logistics.com>\r\n"
        b"To: reply+R3ad@reply.acme-sales.io\r\n"
        b"Subject: Read: Cutting freight audit time at Northwind\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"\r\n'
        b"\r\n--b\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n"
        b"--b\r\nContent-Type: message/disposition-notification\r\n\r\n"
        b"Final-Recipient: rfc822; jane.cooper@northwind-logistics.com\r\n"
        b"Disposition: manual-action/MDN-sent-manually; displayed\r\n"
        b"--b--\r\n"
    )

    inbound = parse_inbound(raw, received_at=RECEIVED)

    assert inbound.kind == "auto_reply"
    assert inbound.bounce is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("I will be back on Monday, December 7.", date(2026, 12, 7)),
        ("I'm travelling, returning 2026-12-07.", date(2026, 12, 7)),
        ("I am on leave until 7 December 2026.", date(2026, 12, 7)),
        ("Out of the office, back on 12/07.", date(2026, 12, 7)),
        ("해외 출장 중이며 12월 7일에 복귀합니다.", date(2026, 12, 7)),
        ("2026년 12월 7일까지 부재중입니다.", date(2026, 12, 7)),
        ("휴가 중입니다. 12월 7일(월)부터 출근합니다.", date(2026, 12, 7)),
        # "back" outranks "through": the return, not the last day away.
        ("Away Dec 1 through Dec 4, back in the office on the 7th of December.", date(2026, 12, 7)),
        ("I will return on 31/12.", date(2026, 12, 31)),
        ("I am out of the office today with no access to email.", None),
    ],
)
def test_return_date_is_read_in_english_and_korean(body: str, expected: date | None) -> None:
    inbound = parse_inbound(auto_reply(body), received_at=RECEIVED)

    assert inbound.kind == "auto_reply"
    assert inbound.out_of_office == OutOfOffice(return_date=expected)


def test_return_date_without_a_year_is_the_next_one_on_or_after_receipt() -> None:
    late_december = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)

    inbound = parse_inbound(auto_reply("Back on January 4th."), received_at=late_december)
    same_day = parse_inbound(auto_reply("Back on December 20."), received_at=late_december)

    assert inbound.out_of_office == OutOfOffice(return_date=date(2027, 1, 4))
    assert same_day.out_of_office == OutOfOffice(return_date=date(2026, 12, 20))


def test_reply_token_is_found_in_delivered_to_when_to_has_none() -> None:
    inbound = read("token_in_delivered_to_only.eml")

    assert inbound.kind == "reply"
    assert inbound.tokens == ("Yz0aB2cD4eFg",)
    assert inbound.text == "Thanks, I shared the recording with our plant managers."


def test_noreply_addresses_are_not_reply_tokens() -> None:
    raw = (
        b"From: a@example.com\r\n"
        b"To: noreply+abc@acme-sales.io, Sales <REPLY+Mix3d.Case@reply.acme-sales.io>\r\n"
        b"Cc: reply+second@reply.acme-sales.io, reply+Mix3d.Case@reply.acme-sales.io\r\n"
        b"\r\nok\r\n"
    )

    inbound = parse_inbound(raw, received_at=RECEIVED)

    assert inbound.tokens == ("Mix3d.Case", "second")


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe\x00garbage",
        bytes(random.Random(7).randrange(256) for _ in range(2000)),
        b"Subject: =?utf-8?B?broken?=\r\nFrom: <<<@>>>\r\nIn-Reply-To: <unclosed\r\n"
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
        b"Content-Type: text/plain; charset=no-such-charset\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64",
    ],
    ids=["empty", "binary-prefix", "random-bytes", "broken-mime"],
)
def test_garbage_is_a_reply_with_what_could_be_read(raw: bytes) -> None:
    inbound = parse_inbound(raw, received_at=RECEIVED)

    assert inbound.kind == "reply"
    assert inbound.bounce is None
    assert inbound.out_of_office is None
    assert "\ufffd" not in inbound.text


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=3000))
def test_no_bytes_make_parsing_raise(raw: bytes) -> None:
    assert parse_inbound(raw, received_at=RECEIVED).kind in ("reply", "bounce", "auto_reply")


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(sorted(path.name for path in SAMPLES.glob("*.eml"))),
    cut=st.floats(min_value=0.0, max_value=1.0),
    noise=st.binary(max_size=40),
)
def test_truncated_or_corrupted_samples_never_raise(name: str, cut: float, noise: bytes) -> None:
    raw = (SAMPLES / name).read_bytes()
    position = int(len(raw) * cut)

    inbound = parse_inbound(raw[:position] + noise + raw[position:], received_at=RECEIVED)

    assert inbound.kind in ("reply", "bounce", "auto_reply")
