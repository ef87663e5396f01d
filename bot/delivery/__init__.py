"""Delivery: from a new seed to a message in every subscribed chat, exactly once.

``scheduler`` notices new seeds, has them digested and records one briefing per batch in the
ledger (``subscriptions``, on ``db``) before anything is sent; ``sender`` delivers the ledger's
pending messages within Telegram's limits (``rate_limiter``: the one send budget) and records
each one; ``held`` tells the admins when an outage holds deliveries for long.
"""
