"""The email flows: what happens to each lead after each decision, and the mail in and out.

Public entry points (import them from their modules):

- `flows.loop`: the per-event loop (`process_event`, `process_events` for many at once, `rescore`)
- `flows.definitions`: flows as data; `flows.engine`: how they start and stop;
  `flows.enrollments`: enrolling, scheduling, finishing; `flows.schedule`: send windows
- `flows.outbox` and `flows.sender`: claiming due rows and delivering them (`flows.batch`
  prepares a claimed batch, `flows.booking` books what was sent); `flows.smtp`
- `flows.mail` and `flows.tokens`: rendering (the wire form in `flows._mime`) and signed
  links; `flows.human`: scanners
- `flows.inbound`, `flows.replies`, `flows.inbound_smtp`: mail that comes back
- `flows.meetings`, `flows.invites`: booking and ICS invites
- `flows.drafts` and `flows.review`: the draft-provider protocol and the review queue
"""
