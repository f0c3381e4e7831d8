"""Outbound campaigns, payment reconciliation (issue 6).

Database-facing glue around the plain-Python rules in bot/core/campaign.py,
bot/core/guard.py and bot/core/reconcile.py.
"""
