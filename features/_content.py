"""Content features: clicks by link kind, Pulse reading, webinars, forms, sign-ups and flags."""

from __future__ import annotations

import numpy as np

from features._segments import Segments, distinct
from features.arrays import FORMS, LINK_KINDS, TOPICS, BoolArray, FloatArray
from features.catalog import LINK_KIND_FEATURES


def content_features(segments: Segments) -> dict[str, FloatArray]:
    """The content features of every lead."""
    events = segments.events
    clicks = segments.of("link_clicked") & segments.likely_human()
    out = {
        f"clicks_{kind}": segments.total(clicks & (events.link_kind == LINK_KINDS.index(kind)))
        for kind in LINK_KIND_FEATURES
    }
    out.update(_pulse(segments))
    webinars = segments.of("webinar_attended")
    forms = segments.of("form_submitted")
    out.update(
        webinars_attended=segments.total(webinars),
        webinar_minutes=segments.total(webinars, events.seconds) / 60.0,
        forms_submitted=segments.total(forms),
        demo_requested=segments.any(forms & (events.form == FORMS.index("demo-request"))),
        signups=segments.total(events.signup),
        unsubscribed=segments.any(segments.of("unsubscribed")),
        bounced=segments.any(segments.of("bounced")),
        imported_activities=segments.total(segments.of("imported_activity")),
    )
    return out


def _pulse(segments: Segments) -> dict[str, FloatArray]:
    """Document reading, counting only what a person most likely did."""
    events = segments.events
    likely = segments.likely_human()
    dwell = segments.of("page_dwell") & likely
    opened = (segments.of("doc_viewed") | dwell) & likely & (events.document >= 0)
    first, _ = distinct(events.lead[opened], events.document[opened])
    out = {
        "docs_viewed": segments.total_of(events.lead[opened][first]),
        "dwell_seconds": segments.total(dwell, events.seconds),
    }
    out.update(_pages(segments, dwell & (events.document >= 0) & (events.page >= 1)))
    for topic in ("pricing", "product"):
        on_topic = dwell & (events.topic == TOPICS.index(topic))
        out[f"dwell_{topic}_seconds"] = segments.total(on_topic, events.seconds)
    return out


def _pages(segments: Segments, read: BoolArray) -> dict[str, FloatArray]:
    """Distinct pages read, the longest time on one page and the deepest read of a document."""
    events = segments.events
    lead, document, page = events.lead[read], events.document[read], events.page[read]
    first, which = distinct(lead, document, page)
    seconds = np.bincount(which, weights=events.seconds[read], minlength=len(first))
    page_lead, page_document, page_number = lead[first], document[first], page[first]
    size = events.document_pages[page_document]
    counted = (size > 0) & (page_number <= size)  # pages a document has, of known documents
    one, per_document = distinct(page_lead[counted], page_document[counted])
    depth = np.bincount(per_document, minlength=len(one)) / size[counted][one]
    return {
        "pages_read": segments.total_of(page_lead),
        "read_depth_max": segments.maximum(page_lead[counted][one], depth.astype(np.float64)),
        "page_dwell_max": segments.maximum(page_lead, seconds.astype(np.float64)),
    }
