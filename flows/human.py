"""How likely an open or a click was a person, not a security scanner or an image proxy.

Mail scanners (Microsoft Defender/ATP, Proofpoint, Mimecast, Barracuda, ...) fetch every link
of a message within seconds of delivery, often with HEAD requests or prefetch headers; image
proxies load the open pixel for everyone. Such activity is recorded with a low likelihood, and
features count only what is likely human, so it never makes a lead SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SCANNERS = re.compile(
    r"barracuda|proofpoint|mimecast|symantec|messagelabs|forcepoint|trendmicro|sophos|"
    r"fireeye|cisco|ironport|safelinks|\batp\b|microsoft office/\S+ \(windows nt|"
    r"python-requests|python-urllib|aiohttp|curl/|wget/|go-http-client|java/|okhttp|"
    r"headlesschrome|phantomjs|bot\b|crawler|spider|preview|scanner|monitor",
    re.IGNORECASE,
)
_PROXIES = re.compile(r"googleimageproxy|yahoomailproxy|via ggpht\.com", re.IGNORECASE)
_PREFETCH_HEADERS = ("purpose", "sec-purpose", "x-purpose", "x-moz")


@dataclass(frozen=True, slots=True)
class Likelihood:
    """The chance a person did it, and why."""

    human: float
    reason: str


def likelihood(
    *,
    kind: str,
    method: str,
    user_agent: str,
    headers: dict[str, str],
    seconds_since_sent: float | None,
    links_clicked_just_before: int = 0,
) -> Likelihood:
    """Score one open (`kind="open"`) or click (`kind="click"`); the first rule that applies.

    `links_clicked_just_before` is how many other links of the same message were clicked in
    the last few seconds (a scanner clicks them all at once)."""
    if method.upper() == "HEAD":
        return Likelihood(0.05, "HEAD request")
    lowered = {k.lower(): v.lower() for k, v in headers.items()}
    if any(
        "prefetch" in lowered.get(h, "") or "preview" in lowered.get(h, "")
        for h in _PREFETCH_HEADERS
    ):
        return Likelihood(0.1, "prefetch or preview request")
    if not user_agent.strip():
        return Likelihood(0.2, "no user agent")
    if _SCANNERS.search(user_agent):
        return Likelihood(0.05, "security scanner user agent")
    if kind == "click" and links_clicked_just_before >= 2:
        return Likelihood(0.1, "every link clicked at once")
    if seconds_since_sent is not None and seconds_since_sent < 10:
        return Likelihood(0.1 if kind == "click" else 0.2, "seconds after delivery")
    if kind == "open" and _PROXIES.search(user_agent):
        return Likelihood(0.7, "image proxy (usually a real open)")
    if seconds_since_sent is not None and seconds_since_sent < 60:
        return Likelihood(0.5, "within a minute of delivery")
    return Likelihood(0.95, "browser")
