"""A synthetic but realistic B2B team: companies, leads, their hidden intent and their history.

`simulate(session, team_id=..., leads=..., days=..., seed=...)` writes leads (through
`leads.records.upsert_leads`), events (through `leads.events.record_events`), the team's Pulse
documents and one `simulated_truth` row per lead, and returns a `SimulationReport`. The same
arguments give the same leads and events; each event's idempotency key is
`sim:{seed}:{leads}x{days}:{n:010d}`, so running a simulation again adds nothing. `start`
defaults to the UTC midnight `days` days ago, so the same run on the same day is identical.

What p_convert means (stored in `simulated_truth.p_convert`): each lead has a hidden intent
logit x[d] per simulated day (a base from ICP fit, seniority, source and interest, plus AR(1)
drift and an occasional decaying buying surge; see `intent.py`). On each eligible day d - a
whole day before the cut-off, after the day the lead arrived - it books a meeting with
probability h[d] = sigmoid(x[d] - 6.2), and it stops at the first. So

    p_convert = 1 - prod over eligible days d of (1 - h[d])

is the probability, given the lead's whole hidden intent path, that the lead books at least
one meeting during the simulated window. `converted` (a meeting_booked event exists) is drawn
from exactly that probability, so the AUC of p_convert against `converted` is the best any
model of the observable data can reach (about 0.83 with the built-in parameters).
`simulated_truth.intent` is sigmoid(x) on the last simulated day.

Package layout: `companies` and `people` draw the population, `intent` the hidden state and
meetings, `mailing`, `responses`, `pulse` and `inbound` the behaviour, `block` ties one block
of leads together, `payloads` and `writer` write it, `run` drives the whole, and `truth`
reads the truth back; `daily_hazard` regenerates each lead's hidden h[d] from the seed, for
the chance of a meeting in any window given the hidden state when it opens (the Bayes oracle
of a training label, `p_meeting_forecast`) or given the whole path (`p_meeting`, hindsight).
"""

from leads.simulation.run import SimulationReport, simulate
from leads.simulation.truth import HiddenPaths, best_auc, daily_hazard, rank_auc

__all__ = ["HiddenPaths", "SimulationReport", "best_auc", "daily_hazard", "rank_auc", "simulate"]
