from __future__ import annotations

import re
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.mail import RenderedEmail, render_email
from flows.tokens import TokenData, new_message_token, read_token
from leads.errors import ValidationFailed
from leads.team_settings import Sender

KEY = bytes.fromhex("11" * 32)
OTHER_KEY = bytes.fromhex("22" * 32)
TOKEN = "abcdefgh234567xy"
BASE = "https://t.acme.example"
SENDER = Sender(
    from_name="Mina at Acme",
    from_email="mina@acme.example",
    reply_domain="reply.acme.example",
    postal_address="Acme Inc.\n1 Main St, Springfield",
    signature="Mina Park\nAcme Inc.",
)
BODY = (
    "Thanks for reading our guide (https://acme.example/guide?utm=mail&x=1).\n"
    "Book a time: https://acme.example/meet/abc.\n\n"
    "The guide again: https://acme.example/guide?utm=mail&x=1"
)


def render(**changes: Any) -> RenderedEmail:
    values: dict[str, Any] = {
        "key": KEY,
        "team_id": 12,
        "sender": SENDER,
        "to_email": "jane@buyer.example",
        "to_name": "Jane Doe",
        "language": "en",
        "subject": "Your guide",
        "body": BODY,
        "base_url": BASE + "/",
        "message_token": TOKEN,
        "now": datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC),
    }
    return render_email(**(values | changes))


def parse(rendered: RenderedEmail) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(rendered.raw)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(parsed: EmailMessage) -> tuple[str, str]:
    """The text and HTML parts, decoded."""
    plain, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert isinstance(plain, EmailMessage)
    assert isinstance(html, EmailMessage)
    # MIME text is CRLF on the wire
    return plain.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[tuple[str, str]] = []
        self.images: list[dict[str, str | None]] = []
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs)["href"]
            self.anchors.append((self._href or "", ""))
        elif tag == "img":
            self.images.append(dict(attrs))

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            href, text = self.anchors[-1]
            self.anchors[-1] = (href, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None


def html_of(html: str) -> _Anchors:
    reader = _Anchors()
    reader.feed(html)
    return reader


def token_of(url: str, prefix: str) -> str:
    assert url.startswith(f"{BASE}{prefix}"), url
    return url.removeprefix(f"{BASE}{prefix}")


def test_headers_name_the_sender_recipient_subject_date_and_message_id() -> None:
    rendered = render()
    parsed = parse(rendered)
    assert parsed["From"] == "Mina at Acme <mina@acme.example>"
    assert parsed["To"] == "Jane Doe <jane@buyer.example>"
    assert parsed["Subject"] == "Your guide"
    assert parsed["Date"].datetime == datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert parsed["Message-ID"] == rendered.message_id
    assert re.fullmatch(r"<[0-9a-f]{32}@acme\.example>", rendered.message_id)
    assert render().message_id != rendered.message_id


def test_replies_go_to_a_reply_token_of_the_message() -> None:
    reply_to = parse(render())["Reply-To"]
    local, domain = reply_to.addresses[0].username, reply_to.addresses[0].domain
    assert domain == "reply.acme.example"
    assert local.startswith("reply+")
    assert read_token(KEY, local.removeprefix("reply+")) == TokenData(12, "reply", TOKEN)
    assert read_token(KEY, local.removeprefix("reply+").upper()) == TokenData(12, "reply", TOKEN)


def test_no_reply_to_without_a_reply_domain() -> None:
    parsed = parse(render(sender=SENDER.model_copy(update={"reply_domain": ""})))
    assert parsed["Reply-To"] is None


def test_list_unsubscribe_headers_offer_one_click_and_mailto() -> None:
    parsed = parse(render(unsubscribe_mailto="unsubscribe@acme.example"))
    url, mailto = re.findall(r"<([^>]+)>", parsed["List-Unsubscribe"])
    assert read_token(KEY, token_of(url, "/u/")) == TokenData(12, "unsubscribe", TOKEN)
    assert mailto == "mailto:unsubscribe@acme.example"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<[^>]+>", parse(render())["List-Unsubscribe"])


def test_the_email_has_a_text_and_an_html_alternative() -> None:
    parsed = parse(render())
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    plain, html = parts(parsed)
    assert plain == render().text
    assert "Hi Jane Doe," in plain
    assert "Hi Jane Doe," in html
    assert "Mina Park" in plain
    assert "Mina Park<br>" in html


def test_every_body_link_becomes_a_click_url_naming_its_index() -> None:
    rendered = render()
    assert rendered.links == [
        "https://acme.example/guide?utm=mail&x=1",
        "https://acme.example/meet/abc",
    ]
    plain, html = parts(parse(rendered))
    anchors = [(href, text) for href, text in html_of(html).anchors if "/t/c/" in href]
    assert [text for _, text in anchors] == [
        rendered.links[0],
        rendered.links[1],
        rendered.links[0],
    ]
    for href, text in anchors:
        data = read_token(KEY, token_of(href, "/t/c/"))
        assert data is not None
        assert (data.kind, data.message, rendered.links[data.link or 0]) == ("click", TOKEN, text)
        assert href in plain
    assert "acme.example/guide" not in plain
    assert "acme.example/meet" not in plain
    assert "(https://t.acme.example/t/c/" in plain  # the parenthesis stays outside the link
    assert re.search(r"/t/c/[a-z0-9-]+\.\n", plain)  # and so does the full stop


def test_links_in_korean_text_stop_where_the_korean_starts() -> None:
    rendered = render(body="자료는 https://acme.example/ko/guide에서 확인하세요.", language="ko")
    assert rendered.links == ["https://acme.example/ko/guide"]
    assert re.search(r"/t/c/[a-z0-9-]+에서 확인하세요\.", rendered.text)


def test_links_in_the_signature_are_tracked_after_the_body_links() -> None:
    sender = SENDER.model_copy(update={"signature": "Mina\nhttps://acme.example"})
    rendered = render(sender=sender, body="See https://acme.example/a")
    assert rendered.links == ["https://acme.example/a", "https://acme.example"]


def test_the_open_pixel_is_in_the_html_only() -> None:
    plain, html = parts(parse(render()))
    (pixel,) = html_of(html).images
    assert pixel["width"] == "1"
    assert pixel["height"] == "1"
    assert pixel["alt"] == ""
    src = pixel["src"] or ""
    assert src.endswith(".gif")
    data = read_token(KEY, token_of(src, "/t/o/").removesuffix(".gif"))
    assert data == TokenData(12, "open", TOKEN)
    assert "/t/o/" not in plain


def test_the_footer_has_the_unsubscribe_link_and_postal_address_in_both_parts() -> None:
    parsed = parse(render())
    (url,) = re.findall(r"<([^>]+)>", parsed["List-Unsubscribe"])
    plain, html = parts(parsed)
    assert f"Unsubscribe: {url}" in plain
    assert (url, "Unsubscribe") in html_of(html).anchors
    for line in ("Acme Inc.", "1 Main St, Springfield"):
        assert line in plain
        assert line in html


def test_a_korean_email_round_trips_with_korean_greeting_and_footer() -> None:
    subject = "[데모] 다음 주 화요일 오후 세 시에 30분 정도 통화 가능하실까요? 아주 긴 제목입니다"
    sender = SENDER.model_copy(update={"from_name": "박민아 (에이크미)"})
    rendered = render(
        language="ko",
        subject=subject,
        sender=sender,
        to_name="김민수",
        body="안녕하세요.\n\n감사합니다.",
    )
    assert rendered.raw.isascii()  # any relay takes it, 8BITMIME or not
    parsed = parse(rendered)
    assert parsed["Subject"] == subject
    assert parsed["From"].addresses[0].display_name == "박민아 (에이크미)"
    assert parsed["To"].addresses[0].display_name == "김민수"
    plain, html = parts(parsed)
    assert plain.startswith("김민수님, 안녕하세요.\n\n안녕하세요.\n\n감사합니다.")
    assert "수신 거부: https://t.acme.example/u/" in plain
    assert '<html lang="ko">' in html
    assert "수신 거부</a>" in html


@settings(max_examples=60, deadline=None)
@given(
    subject=st.lists(
        st.sampled_from(["가나", "다", "한국어", "a", "Bc", "(광고)", "—", "?", "é", "데모입니다"]),
        min_size=1,
        max_size=40,
    ).map(" ".join),
    name=st.text(st.sampled_from(["김", "민", "수", " ", "x", '"', "<", ">"]), max_size=60),
)
def test_any_subject_and_any_name_round_trip_exactly(subject: str, name: str) -> None:
    name = " ".join(name.split())
    rendered = render(subject=subject, to_name=name)
    raw = rendered.raw
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["Subject"] == subject
    # Python 3.11's address parser puts a space between adjacent encoded words (RFC 2047
    # says to drop it), so long non-ASCII names are checked with the RFC decoder.
    raw_to = BytesParser(policy=policy.compat32).parsebytes(raw)["To"]
    decoded = str(make_header(decode_header(raw_to)))
    assert parsed["To"].addresses[0].addr_spec == "jane@buyer.example"
    if name and not name.isascii():
        assert decoded == f"{name} <jane@buyer.example>"
    else:
        assert parsed["To"].addresses[0].display_name == name


def test_the_envelope_and_the_headers_name_the_same_addresses() -> None:
    sender = SENDER.model_copy(update={"from_name": "에이크미 영업팀 " * 6})
    rendered = render(sender=sender, to_name="김민수 " * 12)
    message = parse(rendered)
    assert (rendered.sender, rendered.recipient) == ("mina@acme.example", "jane@buyer.example")
    assert getaddresses([str(message["From"])])[0][1] == rendered.sender
    assert getaddresses([str(message["To"])])[0][1] == rendered.recipient


def test_a_scripted_name_and_body_are_text_in_the_html() -> None:
    rendered = render(
        to_name="<script>alert(1)</script>", body='Hello <b onclick="x()">there</b> & bye'
    )
    plain, html = parts(parse(rendered))
    assert "<script>" not in html
    assert "<b " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b onclick=&#34;x()&#34;&gt;there&lt;/b&gt; &amp; bye" in html
    assert "Hi <script>alert(1)</script>," in plain


def test_a_name_with_line_breaks_cannot_add_headers() -> None:
    parsed = parse(render(to_name="Jane\r\nBcc: everyone@evil.example", subject="Hi\nBcc: x@y.z"))
    assert parsed["Bcc"] is None
    assert parsed["To"].addresses[0].display_name == "Jane Bcc: everyone@evil.example"
    assert parsed["Subject"] == "Hi Bcc: x@y.z"


@pytest.mark.parametrize(
    ("language", "greeting"), [("de", "Hi Jane Doe,"), ("ko-KR", "Jane Doe님")]
)
def test_other_languages_fall_back_to_english(language: str, greeting: str) -> None:
    assert greeting in render(language=language).text


def test_the_greeting_prefers_the_greeting_name_and_works_without_any() -> None:
    assert render(greeting_name="Jane").text.startswith("Hi Jane,\n")
    assert render(to_name=None).text.startswith("Hi,\n")
    assert render(to_name=None, language="ko").text.startswith("안녕하세요.\n")


def test_tokens_of_the_email_do_not_read_with_another_teams_key() -> None:
    rendered = render()
    url = re.findall(r"<([^>]+)>", parse(rendered)["List-Unsubscribe"])[0]
    assert read_token(OTHER_KEY, token_of(url, "/u/")) is None
    assert read_token(KEY, token_of(url, "/u/"), team_id=13) is None


@pytest.mark.parametrize("from_email", ["", "   ", "not-an-address", "mina@", "mina@localhost"])
def test_a_sender_without_a_valid_address_is_refused(from_email: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        render(sender=SENDER.model_copy(update={"from_email": from_email}))
    assert caught.value.field == "sender.from_email"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"to_email": "jane"}, "to_email"),
        ({"subject": "  "}, "subject"),
        ({"body": "\n\n"}, "body"),
        ({"base_url": "ftp://t.acme.example"}, "base_url"),
        ({"unsubscribe_mailto": "a b@acme.example"}, "unsubscribe_mailto"),
    ],
)
def test_other_wrong_input_names_its_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        render(**changes)
    assert caught.value.field == field


def test_a_fresh_message_token_renders() -> None:
    token = new_message_token()
    rendered = render(message_token=token)
    assert all(f"-{token}" in url for url in re.findall(rf"{BASE}/t/c/\S+", rendered.text))


def test_a_name_with_words_longer_than_a_line_keeps_the_header_block_whole() -> None:
    name = "x" * 90 + " " + "y" * 90
    parsed = parse(render(to_name=name, subject="Your guide " + "z" * 120))
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["To"].addresses[0].display_name == name
    assert parsed["Subject"] == "Your guide " + "z" * 120


@pytest.mark.parametrize("language", ["en", "ko"])
def test_long_lines_travel_seven_bit_in_short_ones_and_read_back_whole(language: str) -> None:
    line = ("word " if language == "en" else "한국어 ") * 60
    rendered = render(body=f"{line}\n\nhttps://acme.example/{'x' * 150}", language=language)
    assert rendered.raw.isascii()
    body = rendered.raw.split(b"\r\n\r\n", 1)[1]
    assert max(len(row) for row in body.split(b"\r\n")) <= 78
    plain, _html = parts(parse(rendered))
    assert plain == rendered.text
    assert line.strip() in plain
