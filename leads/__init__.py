"""The record: teams, leads, events, lists, documents, forms, and the ways leads come in.

Public entry points (import them from their modules, e.g. `from leads.events import
record_event`):

- `leads.db` / `leads.migrate`: engines, units of work, Alembic migrations
- `leads.teams`: teams, settings, API keys
- `leads.records`: create, update and merge leads (`upsert_lead`, `upsert_leads`)
- `leads.events`: `record_event` (one, idempotent) and `record_events` (bulk)
- `leads.lists`, `leads.forms`, `leads.documents`, `leads.history`
- `leads.importer`: CSV/XLSX "AI import" (`import_file`), built on `import_reader`,
  `import_mapping` and `normalize`
- `leads.simulation`: a realistic simulated team
- `leads.stats`: counts for a team
"""
