"""Account ids as operators type them: stored as given, matched without case.

Bank exports and people disagree on case ("acc-1001" in a payment file,
"ACC-1001" in the account file); both mean the same account. Account ids
are ASCII (bot.db.importer checks), so SQL ``lower()`` and Python's agree.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Dict, Iterable, List, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Account


class AmbiguousAccountId(LookupError):
    """Several stored ids differ only in case (stored before ids were matched without case)."""

    def __init__(self, given: str, stored: List[str]) -> None:
        super().__init__(f"账户号 {given} 对应多个仅大小写不同的账户：{'、'.join(stored)}，请联系管理员合并")
        self.stored = stored


def key(account_id: str) -> str:
    return account_id.lower()


def stored_ids(s: Session, given: Iterable[str]) -> Dict[str, List[str]]:
    """key(id) -> the stored ids with that key, for every id in ``given``."""
    keys = sorted({key(a) for a in given})
    found: Dict[str, List[str]] = defaultdict(list)
    # Chunks keep the IN list under SQLite's parameter limit for big files.
    for i in range(0, len(keys), 500):
        for stored in s.execute(
            select(Account.account_id).where(func.lower(Account.account_id).in_(keys[i : i + 500]))
        ).scalars():
            found[key(stored)].append(stored)
    return {k: sorted(v) for k, v in found.items()}


def resolve(s: Session, given: str) -> Optional[str]:
    """The stored id ``given`` refers to, or None; AmbiguousAccountId if several."""
    matches = stored_ids(s, [given.strip()]).get(key(given.strip()), [])
    if len(matches) > 1:
        if given.strip() in matches:
            return given.strip()  # an exact match is unambiguous
        raise AmbiguousAccountId(given, matches)
    return matches[0] if matches else None
