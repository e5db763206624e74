"""Normalisers of raw lead values, English and Korean."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from leads import normalize
from leads._text import fold
from leads._vocab import load_synonyms
from leads.errors import InvalidEmail, ValidationFailed
from leads.normalize import Money

BLANKS = [None, "", "   ", "Select", "SELECT", "N/A", "NA", "n/a", "null", "None", "-", "--"]


@pytest.mark.parametrize("value", [*BLANKS, "?", "없음", "해당없음", " 미입력 ", "Unknown", "모름"])
def test_is_blank_recognises_empty_and_placeholder_values(value: str | None) -> None:
    assert normalize.is_blank(value)


@pytest.mark.parametrize("value", ["0", "No", "Selected", "a", "없음이다"])
def test_is_blank_keeps_real_values(value: str) -> None:
    assert not normalize.is_blank(value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Kim.Minsu@Example.COM ", "kim.minsu@example.com"),
        ("홍길동@회사.한국", "홍길동@회사.한국"),
        ("Anna@München.DE", "anna@münchen.de"),
        ("Select", None),
        (None, None),
    ],
)
def test_normalize_email_lower_cases_valid_addresses(raw: str | None, expected: str) -> None:
    assert normalize.normalize_email(raw) == expected


@pytest.mark.parametrize("raw", ["kim@", "no at sign", "a@b", "a b@example.com", "x@@y.com"])
def test_normalize_email_rejects_bad_addresses_naming_field_and_value(raw: str) -> None:
    with pytest.raises(InvalidEmail) as caught:
        normalize.normalize_email(raw)
    assert caught.value.field == "email"
    assert repr(raw) in caught.value.problem


KRW = 1 / 1380


@pytest.mark.parametrize(
    ("raw", "amount", "currency"),
    [
        ("10억", 1e9, "KRW"),
        ("10억 원", 1e9, "KRW"),
        ("1.5억", 1.5e8, "KRW"),
        ("3천만원", 3e7, "KRW"),
        ("5천만", 5e7, "KRW"),
        ("500만원", 5e6, "KRW"),
        ("1조 2천억", 1.2e12, "KRW"),
        ("1억 5천만원", 1.5e8, "KRW"),
        ("천만원", 1e7, "KRW"),
        ("백만원", 1e6, "KRW"),
        ("약 10억 이상", 1e9, "KRW"),
        ("5,000,000 KRW", 5e6, "KRW"),
        ("₩5,000,000", 5e6, "KRW"),
        ("5000000원", 5e6, "KRW"),
        ("5 million won", 5e6, "KRW"),
        ("$5M", 5e6, "USD"),
        ("$5 million", 5e6, "USD"),
        ("5.2M USD", 5.2e6, "USD"),
        ("US$ 2.5M", 2.5e6, "USD"),
        ("€3.5m", 3.5e6, "EUR"),
        ("£2bn", 2e9, "GBP"),
        ("USD 1,200,000", 1.2e6, "USD"),
        ("1.2B", 1.2e9, "USD"),
        ("250k", 2.5e5, "USD"),
        ("12,345.67", 12345.67, "USD"),
        ("1.234.567,89 EUR", 1234567.89, "EUR"),
        ("1,5 Mio. EUR", 1.5e6, "EUR"),
        ("12,34,567 INR", 1234567, "INR"),
        ("¥100", 100, "JPY"),
        ("¥1000 CNY", 1000, "CNY"),
        ("300 RMB", 300, "CNY"),
        ("2억 위안", 2e8, "CNY"),
        ("$5M CAD", 5e6, "CAD"),
        ("₹5 crore", 5e7, "INR"),
        ("$5M per year", 5e6, "USD"),
    ],
)
def test_parse_money_reads_english_and_korean_notation(
    raw: str, amount: float, currency: str
) -> None:
    money = normalize.parse_money(raw)
    assert money is not None
    assert money.amount == pytest.approx(amount)
    assert money.currency == currency
    assert money.usd == pytest.approx(amount * normalize.USD_RATES[currency], abs=0.01)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$1M-$5M", Money(3e6, "USD", 3e6)),
        ("$1M - 5M", Money(3e6, "USD", 3e6)),
        ("10억~50억", Money(3e9, "KRW", round(3e9 * KRW, 2))),
        ("10~50억", Money(3e9, "KRW", round(3e9 * KRW, 2))),
        ("500,000-5M", Money(2.75e6, "USD", 2.75e6)),
        ("1 to 3 million", Money(2e6, "USD", 2e6)),
    ],
)
def test_parse_money_gives_the_midpoint_of_a_range(raw: str, expected: Money) -> None:
    assert normalize.parse_money(raw) == expected


def test_parse_money_converts_to_usd_at_the_reference_rate() -> None:
    assert normalize.parse_money("10억 원") == Money(1e9, "KRW", 724637.68)
    assert normalize.parse_money("€1,000") == Money(1000.0, "EUR", 1080.0)


def test_parse_money_puts_a_bare_number_in_the_default_currency() -> None:
    assert normalize.parse_money("5,000,000") == Money(5e6, "USD", 5e6)
    assert normalize.parse_money("5,000,000", default_currency="KRW") == Money(
        5e6, "KRW", round(5e6 * KRW, 2)
    )


@pytest.mark.parametrize("raw", [None, "", "Select", "미입력"])
def test_parse_money_gives_none_for_blank(raw: str | None) -> None:
    assert normalize.parse_money(raw) is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("12 apples", "'12 apples' is not an amount of money"),
        ("lots", "'lots' is not an amount of money"),
        ("$", "'$' is not an amount of money"),
        ("1M-2M-3M", "'1M-2M-3M' is not an amount of money"),
        ("2024.01.05", "'2024.01.05' is not an amount of money"),
        ("$1M-€5M", "'$1M-€5M' names several currencies"),
        ("SEK 100", "'SEK 100' is in SEK, which has no reference rate"),
    ],
)
def test_parse_money_errors_name_the_field_and_quote_the_value(raw: str, problem: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalize.parse_money(raw)
    assert caught.value.field == "revenue"
    assert caught.value.problem == problem
    assert str(caught.value) == f"revenue: {problem}"


def test_parse_money_errors_use_the_field_given() -> None:
    with pytest.raises(ValidationFailed, match=r"^budget: 'cheap' is not an amount of money$"):
        normalize.parse_money("cheap", field="budget")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("250", 250),
        ("1,200", 1200),
        ("50-200", 125),
        ("11 - 50", 31),
        ("51 to 200 employees", 126),
        ("1000+", 1000),
        ("10,001+", 10001),
        ("500명", 500),
        ("약 300명", 300),
        ("1천명", 1000),
        ("1만명", 10000),
        ("1~10명", 6),
        ("5000명 이상", 5000),
        ("2.5k", 2500),
        ("Select", None),
        (None, None),
    ],
)
def test_parse_int_range_reads_counts_and_ranges(raw: str | None, expected: int | None) -> None:
    assert normalize.parse_int_range(raw) == expected


@pytest.mark.parametrize("raw", ["Self-employed", "many", "lots of people", "10-20-30"])
def test_parse_int_range_rejects_non_numbers(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalize.parse_int_range(raw, "employees")
    assert caught.value.field == "employees"
    assert caught.value.problem == f"{raw!r} is not a number or a range of numbers"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SaaS", "software"),
        ("Computer Software", "software"),
        ("IT/소프트웨어", "software"),
        ("소프트웨어", "software"),
        ("Enterprise Software", "software"),
        ("제조", "manufacturing"),
        ("제조업", "manufacturing"),
        ("Manufacturng", "manufacturing"),
        ("반도체 제조업", "manufacturing"),
        ("금융", "financial_services"),
        ("은행", "financial_services"),
        ("Banking", "financial_services"),
        ("FINANCE", "financial_services"),
        ("의료", "healthcare"),
        ("헬스케어", "healthcare"),
        ("교육", "education"),
        ("유통", "retail"),
        ("소매", "retail"),
        ("이커머스", "ecommerce"),
        ("전자상거래", "ecommerce"),
        ("E-Commerce", "ecommerce"),
        ("Information Technology and Services", "it_services"),
        ("Widgets and Gizmos", "other"),
        ("Select", None),
        (None, None),
    ],
)
def test_normalize_industry_maps_to_the_vocabulary(raw: str | None, expected: str | None) -> None:
    assert normalize.normalize_industry(raw) == expected


def test_industry_codes_are_snake_case_and_end_with_other() -> None:
    assert len(normalize.INDUSTRIES) == 24
    assert normalize.INDUSTRIES[-1] == "other"
    assert all(code.replace("_", "").isalpha() and code.islower() for code in normalize.INDUSTRIES)
    assert {"software", "manufacturing", "marketing_advertising"} <= set(normalize.INDUSTRIES)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("KR", "KR"),
        ("kor", "KR"),
        ("USA", "US"),
        ("US", "US"),
        ("United States", "US"),
        ("united states of america", "US"),
        ("UK", "GB"),
        ("South Korea", "KR"),
        ("Korea", "KR"),
        ("Republic of Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("India", "IN"),
        ("Untied States", "US"),
        ("대한민국", "KR"),
        ("한국", "KR"),
        ("미국", "US"),
        ("일본", "JP"),
        ("중국", "CN"),
        ("영국", "GB"),
        ("독일", "DE"),
        ("프랑스", "FR"),
        ("싱가포르", "SG"),
        ("베트남", "VN"),
        ("인도", "IN"),
        ("캐나다", "CA"),
        ("호주", "AU"),
        ("대만", "TW"),
        ("홍콩", "HK"),
        ("Select", None),
        (None, None),
    ],
)
def test_normalize_country_gives_alpha_2(raw: str | None, expected: str | None) -> None:
    assert normalize.normalize_country(raw) == expected


@pytest.mark.parametrize("raw", ["Atlantis", "Asia/Pacific Region", "ZZ"])
def test_normalize_country_rejects_unknown_places(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalize.normalize_country(raw)
    assert caught.value.field == "country"
    assert caught.value.problem == f"{raw!r} is not a country we recognise"


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("010-1234-5678", None, "+821012345678"),
        ("02-123-4567", None, "+8221234567"),
        ("+82 10 1234 5678", None, "+821012345678"),
        ("+1 (415) 555-2671", None, "+14155552671"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("020 7946 0958", "gb", "+442079460958"),
        ("010-1234-5678", "KR", "+821012345678"),
        ("Select", None, None),
    ],
)
def test_normalize_phone_gives_e164(raw: str, country: str | None, expected: str | None) -> None:
    assert normalize.normalize_phone(raw, country) == expected


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("415 555 2671", "'415 555 2671' has no country code; write it as +<code> ..."),
        ("+82 10 12", "'+82 10 12' is not a valid phone number"),
        ("call me", "'call me' has no country code; write it as +<code> ..."),
        ("+hello", "'+hello' is not a phone number"),
    ],
)
def test_normalize_phone_rejects_numbers_it_cannot_place(raw: str, problem: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalize.normalize_phone(raw)
    assert caught.value.field == "phone"
    assert caught.value.problem == problem


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *((v, True) for v in ["yes", "Y", "TRUE", "1", "예", "네", "동의", "O", "o"]),
        *((v, False) for v in ["no", "N", "false", "0", "아니오", "아니요", "미동의", "X"]),
        ("Select", None),
        (None, None),
    ],
)
def test_parse_bool_reads_english_and_korean_answers(raw: str | None, expected: bool) -> None:
    assert normalize.parse_bool(raw, "consent") is expected


def test_parse_bool_names_the_field_it_was_given() -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalize.parse_bool("maybe", "do_not_email")
    assert caught.value.field == "do_not_email"
    assert caught.value.problem == "'maybe' is not yes or no"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ko", "ko"),
        ("KO", "ko"),
        ("ko-KR", "ko"),
        ("en_US", "en"),
        ("kor", "ko"),
        ("fre", "fr"),
        ("Korean", "ko"),
        ("English", "en"),
        ("한국어", "ko"),
        ("영어", "en"),
        ("일본어", "ja"),
        ("Spanish", "es"),
        ("Select", None),
    ],
)
def test_normalize_language_gives_iso_639_1(raw: str, expected: str | None) -> None:
    assert normalize.normalize_language(raw) == expected


@pytest.mark.parametrize("raw", ["Klingon", "xx", "Ancient Greek"])
def test_normalize_language_rejects_unknown_or_codeless_languages(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalize.normalize_language(raw)
    assert caught.value.field == "language"
    assert repr(raw) in caught.value.problem


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Asia/Seoul", "Asia/Seoul"),
        ("asia/seoul", "Asia/Seoul"),
        ("America/New_York", "America/New_York"),
        ("UTC", "UTC"),
        ("KST", "Asia/Seoul"),
        ("kst", "Asia/Seoul"),
        ("PST", "America/Los_Angeles"),
        ("UTC+9", "Etc/GMT-9"),
        ("GMT-05:00", "Etc/GMT+5"),
        ("+09:00", "Etc/GMT-9"),
        ("UTC+0", "UTC"),
        ("Select", None),
    ],
)
def test_normalize_timezone_gives_iana_names(raw: str, expected: str | None) -> None:
    assert normalize.normalize_timezone(raw) == expected


@pytest.mark.parametrize("raw", ["Mars/Olympus", "UTC+5:30", "UTC+15", "later"])
def test_normalize_timezone_rejects_what_it_cannot_name(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalize.normalize_timezone(raw)
    assert caught.value.field == "timezone"
    assert caught.value.problem == f"{raw!r} is not a time zone we recognise"


@pytest.mark.parametrize("vocabulary", ["industries", "countries", "languages", "headers"])
def test_no_synonym_belongs_to_two_codes(vocabulary: str) -> None:
    owners: dict[str, set[str]] = {}
    for code, synonyms in load_synonyms(vocabulary).items():
        for synonym in (code, *synonyms):
            owners.setdefault(fold(synonym), set()).add(code)
    assert {key: codes for key, codes in owners.items() if len(codes) > 1} == {}


_ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"


@settings(max_examples=400, deadline=None)
@given(
    local=st.lists(st.text(_ATEXT, min_size=1, max_size=12), min_size=1, max_size=3),
    labels=st.lists(st.text("abz09-", min_size=1, max_size=10), min_size=1, max_size=3),
    tld=st.sampled_from(["com", "KR", "io", "local", "test", "co", "x", "arpa"]),
)
def test_the_plain_email_fast_path_agrees_with_email_validator(
    local: list[str], labels: list[str], tld: str
) -> None:
    address = ".".join(local) + "@" + ".".join([*labels, tld])
    try:
        expected: str | None = validate_email(
            address, check_deliverability=False
        ).normalized.lower()
    except EmailNotValidError:
        expected = None
    try:
        got: str | None = normalize.normalize_email(address)
    except ValidationFailed:
        got = None
    assert got == expected
