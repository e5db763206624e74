"""Server-rendered pages (Jinja2): the unsubscribe and booking pages, in the lead's language."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))

UNSUBSCRIBE = {
    "en": {
        "title": "Unsubscribe",
        "ask": "Stop receiving these emails?",
        "button": "Unsubscribe",
        "done": "You are unsubscribed. You will not receive these emails again.",
    },
    "ko": {
        "title": "수신 거부",
        "ask": "이 이메일을 더 이상 받지 않으시겠습니까?",
        "button": "수신 거부",
        "done": "수신 거부되었습니다. 앞으로 이 이메일을 받지 않습니다.",
    },
}


BOOKING = {
    "en": {
        "title": "Book a meeting",
        "pick": "Pick a time that suits you:",
        "none": "No free times right now. Reply to our email and we will find one.",
        "booked": "Booked:",
        "invite": "A calendar invite is on its way.",
    },
    "ko": {
        "title": "미팅 예약",
        "pick": "편하신 시간을 선택해 주세요:",
        "none": "지금은 가능한 시간이 없습니다. 메일로 회신해 주시면 일정을 잡겠습니다.",
        "booked": "예약 완료:",
        "invite": "캘린더 초대를 보내 드렸습니다.",
    },
}


def words(table: dict[str, dict[str, str]], language: str | None) -> dict[str, str]:
    """The page's text in the lead's language (English when we do not have it)."""
    return table.get(language or "en", table["en"])
