"""The email agent: picks each lead's next email and drafts it from facts, checked before it
reaches the review queue. It reads only what its caller gathered; it sends nothing.

Public entry points (import them from their modules):

- `agents.facts`: `AgentInput` (what the caller gathers) and `facts` (numbered, quoted facts)
- `agents.timeline`: the lead's activity in words (English and Korean)
- `agents.tools`: read-only LangChain tools over one lead's input
- `agents.policy`: the deterministic reference pick
- `agents.agent`: `build_agent(model, tools)`, `pick`, `write`
- `agents.guardrails`: `check_draft`
- `agents.drafting`: `draft_email` (pick, write, check, regenerate once, flag)
- `agents.describe`: the "AI description" of a lead's company
- `agents.providers` / `agents.settings`: chat models from `LEADPULSE_LLM`
"""
