"""The ICS invite sent when a meeting is booked (RFC 5545, METHOD:REQUEST)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from leads.errors import ValidationFailed
from leads.flow_tables import Meeting
from leads.tables import Lead, Team
from leads.team_settings import TeamSettings


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space (never splitting a character)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    return "\r\n".join([*out, current])


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def ics(meeting: Meeting, *, team: Team, lead: Lead, settings: TeamSettings, now: datetime) -> str:
    """The calendar object of the invite."""
    organizer = settings.sender.from_email
    domain = organizer.rpartition("@")[2] or "leadpulse"
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//leadpulse//meetings//EN",
        "METHOD:REQUEST", "BEGIN:VEVENT",
        f"UID:meeting-{meeting.id}@{domain}", f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(meeting.starts_at)}", f"DTEND:{_stamp(meeting.ends_at)}",
        f"SUMMARY:{_text(f'{settings.meetings.title} - {team.name}')}",
        f"ORGANIZER;CN={_text(settings.sender.from_name or team.name)}:mailto:{organizer}",
        f"ATTENDEE;CN={_text(lead.name or lead.email or '')};RSVP=TRUE:mailto:{lead.email}",
        "STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR",
    ]  # fmt: skip
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def invite_email(
    meeting: Meeting, *, team: Team, lead: Lead, settings: TeamSettings, now: datetime
) -> EmailMessage:
    """The invite email: a short text and the ICS attachment."""
    sender = settings.sender
    if not sender.from_email or lead.email is None:
        raise ValidationFailed("sender.from_email", "set the team's sender to send invites")
    korean = (lead.language or settings.language) == "ko"
    message = EmailMessage()
    message["From"] = (
        f"{sender.from_name} <{sender.from_email}>" if sender.from_name else sender.from_email
    )
    message["To"] = lead.email
    message["Subject"] = (
        f"미팅 초대: {settings.meetings.title}"
        if korean
        else f"Invitation: {settings.meetings.title}"
    )
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.from_email.rpartition("@")[2])
    when = meeting.starts_at.strftime("%Y-%m-%d %H:%M UTC")
    message.set_content(
        f"미팅이 예약되었습니다: {when}.\n" if korean else f"Your meeting is booked for {when}.\n"
    )
    message.add_attachment(
        ics(meeting, team=team, lead=lead, settings=settings, now=now).encode(),
        maintype="text", subtype="calendar", filename="invite.ics",
        params={"method": "REQUEST"},
    )  # fmt: skip
    return message
