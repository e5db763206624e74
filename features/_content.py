"""Content features: clicks by link kind, Pulse reading, webinars, forms, sign-ups and flags."""

from __future__ import annotations

import numpy as np

from features._segments import Segments
from features.arrays import FORMS, LINK_KINDS, TOPICS, BoolArray, FloatArray
from features.catalog import LINK_KIND_FEATURES

_PAGE_FEATURES = ("pages_read", "read_depth_max", "page_dwell_max")
_PULSE_FEATURES = (
    "docs_viewed", "dwell_seconds", *_PAGE_FEATURES, "dwell_pricing_seconds",
    "dwell_product_seconds",
)  # fmt: skip


def content_features(segments: Segments) -> dict[str, FloatArray]:
    """The content features of every lead."""
    events = segments.events
    clicks = segments.of("link_clicked") & segments.likely_human()
    by_kind = segments.counts(np.where(clicks, events.link_kind, -1), len(LINK_KINDS))
    out = {f"clicks_{kind}": by_kind[:, LINK_KINDS.index(kind)] for kind in LINK_KIND_FEATURES}
    out.update(_pulse(segments))
    demo = segments.of("form_submitted") & (events.form == FORMS.index("demo-request"))
    out.update(
        webinars_attended=segments.count("webinar_attended"),
        webinar_minutes=webinar_seconds(segments) / 60.0,
        forms_submitted=segments.count("form_submitted"),
        demo_requested=segments.any(demo),
        signups=segments.total(events.signup),
        unsubscribed=(segments.count("unsubscribed") > 0).astype(np.float64),
        bounced=(segments.count("bounced") > 0).astype(np.float64),
        imported_activities=segments.count("imported_activity"),
    )
    return out


def _pulse(segments: Segments) -> dict[str, FloatArray]:
    """Document reading, counting only what a person most likely did."""
    events = segments.events
    likely = segments.likely_human()
    dwell = segments.of("page_dwell") & likely
    reading = (segments.of("doc_viewed") & likely) | dwell
    if not reading.any():  # most leads read no document: every value below is 0
        return {name: np.zeros(segments.size) for name in _PULSE_FEATURES}
    opened = reading & (events.document >= 0)
    out = {
        "docs_viewed": segments.distinct_count(opened, events.document),
        "dwell_seconds": dwell_seconds(segments),
    }
    out.update(_pages(segments, dwell & (events.document >= 0) & (events.page >= 1)))
    for topic in ("pricing", "product"):
        on_topic = dwell & (events.topic == TOPICS.index(topic))
        out[f"dwell_{topic}_seconds"] = segments.total(on_topic, events.seconds)
    return out


def dwell_seconds(segments: Segments) -> FloatArray:
    """Per lead: the seconds a person likely spent on document pages."""
    return segments.shared("dwell_seconds", _dwell_seconds)


def webinar_seconds(segments: Segments) -> FloatArray:
    """Per lead: the seconds of webinars attended."""
    return segments.shared("webinar_seconds", _webinar_seconds)


def _dwell_seconds(segments: Segments) -> FloatArray:
    dwell = segments.of("page_dwell") & segments.likely_human()
    return segments.total(dwell, segments.events.seconds)


def _webinar_seconds(segments: Segments) -> FloatArray:
    return segments.total(segments.of("webinar_attended"), segments.events.seconds)


def _pages(segments: Segments, read: BoolArray) -> dict[str, FloatArray]:
    """Distinct pages read, the longest time on one page and the deepest read of a document."""
    if not read.any():  # most leads read no page: nothing below would count
        return {name: np.zeros(segments.size) for name in _PAGE_FEATURES}
    events = segments.events
    lead, document, page = events.lead[read], events.document[read], events.page[read]
    first, which = segments.distinct(lead, document, page)
    seconds = np.bincount(which, weights=events.seconds[read], minlength=len(first))
    page_lead, page_document, page_number = lead[first], document[first], page[first]
    size = events.document_pages[page_document]
    counted = (size > 0) & (page_number <= size)  # pages a document has, of known documents
    one, per_document = segments.distinct(page_lead[counted], page_document[counted])
    depth = np.bincount(per_document, minlength=len(one)) / size[counted][one]
    return {
        "pages_read": segments.total_of(page_lead),
        "read_depth_max": segments.maximum(page_lead[counted][one], depth.astype(np.float64)),
        "page_dwell_max": segments.maximum(page_lead, seconds.astype(np.float64)),
    }
