"""The agent inbox's own read model and the transfer of a claim (issue 14):
queue views (Mine / Unassigned / All), the newest cardholder message of each
conversation (for the new-message cue), colleagues to transfer to, and the
transfer itself with its audit row in the same transaction.

The queue itself is console/store.queue; this module only adds to it.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import ContactLog
from console import auth, store
from console.models import AuditLog, Claim, ConsoleUser
from console.store import ConsoleError, UserView

VIEWS = ("all", "mine", "unassigned")
VIEW_LABELS = {"mine": "我的", "unassigned": "未分配", "all": "全部"}
CONFIRM_IDENTITY = "confirm_identity"  # the audit action bot/reports/kpi.py counts


def parse_view(value: Any) -> str:
    return value if value in VIEWS else "all"


def in_view(item: Dict[str, Any], view: str, me: UserView) -> bool:
    claim = item.get("claim")
    if view == "mine":
        return bool(claim and claim.get("user_id") == me.id)
    if view == "unassigned":
        return claim is None
    return True


def with_views(items: List[Dict[str, Any]], view: str, me: UserView) -> Dict[str, Any]:
    """The items of one view, and how many each view holds (for the tabs)."""
    return {
        "view": view,
        "items": [i for i in items if in_view(i, view, me)],
        "counts": {v: sum(1 for i in items if in_view(i, v, me)) for v in VIEWS},
    }


def last_cardholder_messages(s: Session, conversation_ids: Iterable[str]) -> Dict[str, Dict[str, Any]]:
    """Per conversation: the id and time of the newest message the
    cardholder sent (the contact log, written by the Rasa server)."""
    wanted = sorted({c for c in conversation_ids if c})
    if not wanted:
        return {}
    rows = s.execute(
        select(ContactLog.conversation_id, func.max(ContactLog.id))
        .where(ContactLog.conversation_id.in_(wanted), ContactLog.direction == "in")
        .group_by(ContactLog.conversation_id)
    ).all()
    ids = {cid: mid for cid, mid in rows}
    times = dict(
        s.execute(select(ContactLog.id, ContactLog.created_at).where(ContactLog.id.in_(list(ids.values())))).all()
    ) if ids else {}
    return {
        cid: {"id": mid, "at": store.iso(times.get(mid))}
        for cid, mid in ids.items()
    }


def add_last_messages(s: Session, items: List[Dict[str, Any]]) -> None:
    found = last_cardholder_messages(s, [i["conversation_id"] for i in items])
    for item in items:
        last = found.get(item["conversation_id"]) or {}
        item["last_cardholder_message_id"] = last.get("id")
        item["last_cardholder_message_at"] = last.get("at")


def queue_signature(s: Session) -> Tuple:
    """The queue's fingerprint plus the newest cardholder message: a new
    message in a claimed chat changes what the inbox shows."""
    newest_in = s.execute(select(func.max(ContactLog.id)).where(ContactLog.direction == "in")).scalar()
    return (store.queue_signature(s), newest_in)


def transfer_targets(s: Session, me: UserView) -> List[Dict[str, Any]]:
    """Active colleagues who may take over a conversation."""
    acting = sorted(auth.PERMISSIONS["act"])
    rows = s.execute(
        select(ConsoleUser)
        .where(ConsoleUser.active.is_(True), ConsoleUser.role.in_(acting), ConsoleUser.id != me.id)
        .order_by(ConsoleUser.display_name, ConsoleUser.username)
    ).scalars()
    return [
        {"username": u.username, "display_name": u.display_name, "role_label": auth.ROLE_LABELS.get(u.role, u.role)}
        for u in rows
    ]


def transfer(s: Session, conversation_id: str, me: UserView, to_username: str, remote_addr=None) -> Dict[str, Any]:
    """Hand the live claim to a colleague: the old claim ends ("reassigned"),
    the colleague's begins, both in this transaction. Only the claimant or
    a supervisor may; only to an active user who may act."""
    current = store.live_claim(s, conversation_id)
    if current is None:
        raise ConsoleError("该会话当前没有人领取，不能转交。", 409)
    if current["user_id"] != me.id and not auth.allowed(me.role, "approve"):
        raise ConsoleError(f"该会话由{current['display_name']}处理中，只有领取人或主管可以转交。", 403)
    if current["handed_back_at"]:
        raise ConsoleError("会话已交还智能助手，不能再转交。", 409)
    target = s.execute(select(ConsoleUser).where(ConsoleUser.username == (to_username or "").strip())).scalar_one_or_none()
    if target is None or not target.active or not auth.allowed(target.role, "act"):
        raise ConsoleError("找不到可以接手的同事。", 404)
    if target.id == current["user_id"]:
        raise ConsoleError(f"该会话已由{target.display_name}处理中。", 409)
    now = clock.now()
    s.execute(
        update(Claim)
        .where(Claim.id == current["id"], Claim.released_at.is_(None))
        .values(released_at=now, release_reason="reassigned")
        .execution_options(synchronize_session=False)
    )
    s.add(Claim(conversation_id=conversation_id, user_id=target.id, claimed_at=now))
    s.flush()
    claim = store.live_claim(s, conversation_id)
    store.audit(
        s, me, "transfer", conversation_id=conversation_id,
        account_id=store.account_of_conversation(s, conversation_id),
        detail={"from": current["username"], "from_name": current["display_name"],
                "to": target.username, "to_name": target.display_name},
        remote_addr=remote_addr,
    )
    return {"claim": claim, "from": current["display_name"], "to": target.display_name}


def identity_confirmation(s: Session, conversation_id: str, account_id: Optional[str]) -> Optional[Dict[str, Any]]:
    """The newest agent confirmation of the cardholder's identity in this
    conversation for this account (who and when), if any."""
    if not account_id:
        return None
    row = s.execute(
        select(AuditLog)
        .where(AuditLog.conversation_id == conversation_id, AuditLog.account_id == account_id,
               AuditLog.action == CONFIRM_IDENTITY)
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return {"username": row.username, "at": store.iso(row.created_at)} if row else None


def confirm_identity(s: Session, conversation_id: str, me: UserView, remote_addr=None) -> Dict[str, Any]:
    """The agent holding the conversation confirms the cardholder is who the
    account says (by the bank's own procedure, e.g. a call-back): an audit
    row ``confirm_identity`` — a right-party contact in the reports
    (bot/reports/kpi.py)."""
    store.require_claim(s, conversation_id, me)
    account_id = store.account_of_conversation(s, conversation_id)
    if not account_id:
        raise ConsoleError("该会话未关联账户，无法确认身份。", 409)
    existing = identity_confirmation(s, conversation_id, account_id)
    if existing is None:
        store.audit(s, me, CONFIRM_IDENTITY, conversation_id=conversation_id, account_id=account_id,
                    remote_addr=remote_addr)
        existing = identity_confirmation(s, conversation_id, account_id)
    return {"account_id": account_id, "confirmed": existing}
