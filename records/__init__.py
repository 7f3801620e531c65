"""The system of record: clients, holdings, products, tokens and the append-only conversation log.

It stands beside ``agent`` rather than inside it because the API (auth), the CLI (seeding) and
the agent (context, logging) all read and write it, and ``guardrails`` must not import ``agent``.
"""
