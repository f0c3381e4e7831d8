"""Marks on phone numbers that decide what outreach may say to them.

A number marked ``third_party`` or ``wrong_number`` gets nothing about a debt
(bot/core/guard.py blocks it); a cardholder number the bank has verified
(``phone_verified``) may get reminders that name the amount. Set from the
command line (``collectbot campaign mark-phone``) and when an agent resolves
an SMS conversation as "wrong party" in the console. Each mark or removal
rescores the accounts that number wrote in for (bot/db/assessments.py).
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.db import assessments
from bot.db.models import Cardholder, PhoneMark

NOT_THE_CARDHOLDER = ("third_party", "wrong_number")


def mark_phone(s: Session, phone: str, kind: str, *, by: str, note: Optional[str] = None) -> int:
    """Apply one mark; returns how many rows changed (0 when already so)."""
    if kind in NOT_THE_CARDHOLDER:
        live = s.execute(
            select(PhoneMark).where(PhoneMark.phone == phone, PhoneMark.kind == kind, PhoneMark.revoked_at.is_(None))
        ).scalars().first()
        if live is not None:
            return 0
        s.add(PhoneMark(phone=phone, kind=kind, note=note, created_by=by[:64]))
        s.flush()
        _rescore_accounts_of(s, phone, kind)
        return 1
    if kind == "verified":
        holders = s.execute(select(Cardholder).where(Cardholder.phone == phone)).scalars().all()
        changed = [h for h in holders if not h.phone_verified]
        for h in changed:
            h.phone_verified = True
        return len(changed)
    if kind == "clear":
        now = clock.now()
        marks = s.execute(
            select(PhoneMark).where(PhoneMark.phone == phone, PhoneMark.revoked_at.is_(None))
        ).scalars().all()
        for m in marks:
            m.revoked_at = now
        holders = s.execute(
            select(Cardholder).where(Cardholder.phone == phone, Cardholder.phone_verified.is_(True))
        ).scalars().all()
        for h in holders:
            h.phone_verified = False
        if marks:
            s.flush()
            _rescore_accounts_of(s, phone, kind)
        return len(marks) + len(holders)
    raise ValueError(f"unknown phone mark {kind!r}")


def _rescore_accounts_of(s: Session, phone: str, kind: str) -> None:
    """A "not the cardholder" mark (or its removal) on a number that wrote in
    for an account is evidence about that account (a wrong-person claim):
    rescore it in the same transaction."""
    for account_id in assessments.accounts_written_from(s, phone):
        assessments.rescore(s, account_id, assessments.TRIGGER_PHONE_MARK + kind)
