"""The console's queries and writes (same rules as bot/db/repository.py).

Every function takes a ``Session`` first and leaves committing to the
caller (``session_scope``): one request = one transaction, so an action and
its audit row are written together or not at all. Results are plain dicts
or frozen dataclasses, never ORM objects.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, Iterable, List, Optional, Tuple

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import clock
from bot.db.marks import mark_phone
from bot.db.session import update_or_insert
from bot.core import escalation
from bot.core.channels import CHANNEL_LABELS, channel_label  # noqa: F401 (the workbench reads CHANNEL_LABELS from here)
from bot.core.escalation import REASON_LABELS  # the bot's own labels: queue and bot never disagree
from bot.core.phone import is_e164
from bot.core.staffing import StaffedHours, sla_deadline
from bot.db import assessments, repository
from bot.services import escalation as escalations
from bot.db.models import UNRESOLVED_ESCALATION_STATUSES, Arrangement, ContactLog, Escalation
from console import auth, labels
from console.models import (
    OUTCOMES, ROLES, AgentPresence, AuditLog, Claim, ConsoleSession, ConsoleUser, Note, Resolution,
)

# A dispute the agent opened stays an unresolved `dispute_debt` escalation
# (that is what keeps the bot from collecting a disputed debt, see
# repository._account_view); it is parked under this channel and a
# conversation id of its own so it leaves the queue and a new hand-over in
# the same conversation is not swallowed by it.
PARKED_CHANNEL = "console"
DISPUTE_CASE_PREFIX = "dispute-case:"

OUTCOME_LABELS = {
    "arranged": "已达成还款安排",
    "promise": "客户承诺还款",
    "dispute_opened": "已登记争议",
    "wrong_party": "非本人/号码错误",
    "no_contact": "未能联系上客户",
    "referred": "已转介（心理援助/法务等）",
}
# Ids beyond SQLite's (and PostgreSQL bigint's) range are refused before a
# query: the driver raises OverflowError on them (issue 16).
MAX_DB_INT = 2**63 - 1


class ConsoleError(Exception):
    """A refusal to show the user (Chinese message) with an HTTP status."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    role: str

    @property
    def role_label(self) -> str:
        return auth.ROLE_LABELS.get(self.role, self.role)


@dataclass(frozen=True)
class SessionView:
    id: int
    user: UserView
    csrf_token: str


def _user_view(u: ConsoleUser) -> UserView:
    return UserView(id=u.id, username=u.username, display_name=u.display_name, role=u.role)


def iso(value: Optional[datetime]) -> Optional[str]:
    """A timestamp as the console's JSON carries it (None stays None)."""
    return None if value is None else value.isoformat()



# --------------------------------------------------------------------------
# Users and sessions
# --------------------------------------------------------------------------


def create_user(s: Session, username: str, role: str, password: str, display_name: Optional[str] = None) -> UserView:
    username = (username or "").strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise ValueError("用户名不能为空、不能含空格，最长64个字符")
    if role not in ROLES:
        raise ValueError(f"角色必须是 {', '.join(ROLES)} 之一")
    auth.check_password_policy(password)
    if s.execute(select(ConsoleUser.id).where(ConsoleUser.username == username)).first():
        raise ValueError(f"用户 {username} 已存在")
    user = ConsoleUser(
        username=username,
        display_name=(display_name or username).strip()[:100],
        role=role,
        password_hash=auth.hash_password(password),
        active=True,
    )
    s.add(user)
    s.flush()
    return _user_view(user)


def authenticate(s: Session, username: str, password: str) -> Optional[UserView]:
    user = s.execute(select(ConsoleUser).where(ConsoleUser.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        auth.dummy_verify(password)
        return None
    if not auth.verify_password(password, user.password_hash):
        return None
    user.last_login_at = clock.now()
    return _user_view(user)


def create_session(s: Session, user_id: int, ttl: timedelta) -> Tuple[str, str]:
    """A new session; returns (cookie token, CSRF token)."""
    token, csrf = auth.new_token(), auth.new_token()
    now = clock.now()
    s.add(
        ConsoleSession(
            token_hash=auth.token_hash(token),
            user_id=user_id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + ttl,
        )
    )
    s.flush()
    return token, csrf


def load_session(s: Session, token: Optional[str]) -> Optional[SessionView]:
    if not token or len(token) > 200:
        return None
    row = s.execute(
        select(ConsoleSession, ConsoleUser)
        .join(ConsoleUser, ConsoleSession.user_id == ConsoleUser.id)
        .where(ConsoleSession.token_hash == auth.token_hash(token))
    ).first()
    if row is None:
        return None
    session, user = row
    now = clock.now()
    if session.revoked_at is not None or session.expires_at <= now or not user.active:
        return None
    if now - session.last_seen_at > timedelta(minutes=1):
        session.last_seen_at = now
    return SessionView(id=session.id, user=_user_view(user), csrf_token=session.csrf_token)


def revoke_session(s: Session, session_id: int) -> None:
    s.execute(
        update(ConsoleSession)
        .where(ConsoleSession.id == session_id, ConsoleSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


# --------------------------------------------------------------------------
# Audit log
# --------------------------------------------------------------------------


def audit(
    s: Session,
    user: Optional[UserView],
    action: str,
    *,
    conversation_id: Optional[str] = None,
    account_id: Optional[str] = None,
    detail: Optional[Dict[str, Any]] = None,
    remote_addr: Optional[str] = None,
    username: Optional[str] = None,
) -> int:
    row = AuditLog(
        user_id=user.id if user else None,
        username=(user.username if user else (username or "console"))[:64],
        action=action,
        conversation_id=conversation_id,
        account_id=account_id,
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail is not None else None,
        remote_addr=(remote_addr or None) and remote_addr[:64],
    )
    s.add(row)
    s.flush()
    return row.id


def audit_entries(
    s: Session, *, conversation_id: Optional[str] = None, account_id: Optional[str] = None, limit: int = 200
) -> List[Dict[str, Any]]:
    q = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if conversation_id:
        q = q.where(AuditLog.conversation_id == conversation_id)
    if account_id:
        q = q.where(AuditLog.account_id == account_id)
    return [
        {
            "id": a.id,
            "created_at": iso(a.created_at),
            "username": a.username,
            "action": a.action,
            "conversation_id": a.conversation_id,
            "account_id": a.account_id,
            "detail": json.loads(a.detail) if a.detail else None,
        }
        for a in s.execute(q).scalars()
    ]


# --------------------------------------------------------------------------
# Queue and claims
# --------------------------------------------------------------------------


def _unresolved(s: Session, conversation_id: Optional[str] = None) -> List[Escalation]:
    q = select(Escalation).where(
        Escalation.status.in_(UNRESOLVED_ESCALATION_STATUSES), Escalation.channel != PARKED_CHANNEL
    )
    if conversation_id is not None:
        q = q.where(Escalation.conversation_id == conversation_id)
    return list(s.execute(q.order_by(Escalation.created_at, Escalation.id)).scalars())


def _live_claims(s: Session, conversation_ids: Optional[Iterable[str]] = None) -> Dict[str, Tuple[Claim, ConsoleUser]]:
    q = (
        select(Claim, ConsoleUser)
        .join(ConsoleUser, Claim.user_id == ConsoleUser.id)
        .where(Claim.released_at.is_(None))
    )
    if conversation_ids is not None:
        q = q.where(Claim.conversation_id.in_(list(conversation_ids)))
    return {c.conversation_id: (c, u) for c, u in s.execute(q).all()}


def _claim_dict(claim: Claim, user: ConsoleUser) -> Dict[str, Any]:
    return {
        "id": claim.id,
        "user_id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "claimed_at": iso(claim.claimed_at),
        "handed_back_at": iso(claim.handed_back_at),
    }


def queue(
    s: Session, now: datetime, hours: StaffedHours, sla_minutes: int, me: Optional[UserView] = None,
    handed_back: bool = False,
) -> List[Dict[str, Any]]:
    """One item per conversation with unresolved hand-overs: crisis on top,
    then priority, then the longest wait.

    A conversation the agent handed back to the bot is not waiting for
    anyone: it leaves the queue (``handed_back=True`` lists those instead,
    still to be closed with an outcome) until a new hand-over brings it back.
    """
    by_conversation: Dict[str, List[Escalation]] = {}
    for e in _unresolved(s):
        by_conversation.setdefault(e.conversation_id, []).append(e)
    claims = _live_claims(s, by_conversation)
    items = []
    for conversation_id, rows in by_conversation.items():
        waiting_since = min(r.created_at for r in rows)
        priority = min(r.priority for r in rows)
        newest = max(rows, key=lambda r: (r.created_at, r.id))
        account_id = next((r.account_id for r in sorted(rows, key=lambda r: -r.id) if r.account_id), None)
        crisis_rows = [r for r in rows if r.reason == "crisis"]
        if crisis_rows:
            # A crisis never waits for the desk to open: its clock runs from
            # the cardholder's message, day or night.
            deadline = min(r.created_at for r in crisis_rows) + timedelta(minutes=sla_minutes)
        else:
            deadline = sla_deadline(waiting_since, hours, sla_minutes)
        claim = claims.get(conversation_id)
        reasons = []
        for r in sorted(rows, key=lambda r: (r.priority, r.created_at)):
            if r.reason not in reasons:
                reasons.append(r.reason)
        was_handed_back = bool(
            claim and claim[0].handed_back_at and all(r.created_at <= claim[0].handed_back_at for r in rows)
        )
        if was_handed_back != handed_back:
            continue
        items.append(
            {
                "conversation_id": conversation_id,
                "account_id": account_id,
                "channel": newest.channel,
                "channel_label": channel_label(newest.channel),
                "priority": priority,
                "crisis": bool(crisis_rows),
                "reasons": reasons,
                "reason_labels": [REASON_LABELS.get(r, r) for r in reasons],
                "summary": labels.readable_summary(newest.summary),
                "escalation_ids": [r.id for r in rows],
                "waiting_since": iso(waiting_since),
                "waiting_seconds": max(0, int((now - waiting_since).total_seconds())),
                "sla_deadline": iso(deadline),
                "sla_seconds_left": int((deadline - now).total_seconds()),
                "sla_from": "message" if crisis_rows else "opening",
                "claim": _claim_dict(*claim) if claim else None,
                "mine": bool(claim and me and claim[1].id == me.id),
                "handed_back": was_handed_back,
            }
        )
    items.sort(key=lambda i: (not i["crisis"], i["priority"], i["waiting_since"], i["conversation_id"]))
    return items


PAGE_NUMBER_RE = re.compile(r"转接编号(\d+)")


def add_oncall_pages(s: Session, items: List[Dict[str, Any]], oncall: Optional[str]) -> None:
    """On each crisis item, the page sent to the on-call supervisor for it
    (bot/services/paging.py: an SMS naming the escalation number), if any:
    when, and its delivery status as the sender recorded it."""
    for item in items:
        item["oncall_page"] = None
    crisis = [i for i in items if i.get("crisis")]
    if not oncall or not crisis:
        return
    pages: Dict[int, Dict[str, Any]] = {}
    rows = s.execute(
        select(ContactLog.text, ContactLog.created_at, ContactLog.status)
        .where(ContactLog.conversation_id == oncall, ContactLog.direction == "out")
        .order_by(ContactLog.id)
    ).all()
    for text, created_at, status in rows:
        for number in PAGE_NUMBER_RE.findall(text or ""):
            pages.setdefault(int(number), {"at": iso(created_at), "status": status})
    for item in crisis:
        found = [pages[e] for e in item["escalation_ids"] if e in pages]
        item["oncall_page"] = found[0] if found else None


def queue_signature(s: Session) -> Tuple:
    """Cheap fingerprint of everything the queue shows (for the live stream)."""
    esc = s.execute(
        select(func.count(Escalation.id), func.max(Escalation.id)).where(
            Escalation.status.in_(UNRESOLVED_ESCALATION_STATUSES)
        )
    ).one()
    claims = s.execute(
        select(func.count(Claim.id), func.max(Claim.id), func.max(Claim.handed_back_at)).where(
            Claim.released_at.is_(None)
        )
    ).one()
    released = s.execute(select(func.max(Claim.released_at))).scalar()
    return (tuple(esc), tuple(str(x) for x in claims), str(released))


def escalations_of(s: Session, conversation_id: str) -> List[Dict[str, Any]]:
    rows = s.execute(
        select(Escalation).where(Escalation.conversation_id == conversation_id).order_by(Escalation.id)
    ).scalars()
    return [
        {
            "id": e.id,
            "reason": e.reason,
            "reason_label": REASON_LABELS.get(e.reason, e.reason),
            "priority": e.priority,
            "status": e.status,
            "summary": labels.readable_summary(e.summary),
            "channel": e.channel,
            "account_id": e.account_id,
            "created_at": iso(e.created_at),
        }
        for e in rows
    ]


def conversation_of_escalation(s: Session, escalation_id: int) -> Optional[str]:
    """The conversation a hand-over belongs to (trainers' references)."""
    if not 0 < escalation_id <= MAX_DB_INT:
        return None
    return s.execute(
        select(Escalation.conversation_id).where(Escalation.id == escalation_id)
    ).scalar_one_or_none()


def cardholder_secrets(s: Session, account_ids: Iterable[str]) -> Dict[str, Dict[str, List[str]]]:
    """Per account: the cardholder's name and secrets (for masking them)."""
    from bot.db.models import Account, Cardholder

    wanted = sorted({a for a in account_ids if a})
    if not wanted:
        return {}
    rows = s.execute(
        select(Account.account_id, Account.card_last4, Cardholder.name, Cardholder.phone, Cardholder.id_last4)
        .join(Cardholder, Account.cardholder_id == Cardholder.id)
        .where(Account.account_id.in_(wanted))
    ).all()
    return {
        r.account_id: {
            "names": [r.name],
            "secrets": [v for v in (r.card_last4, r.id_last4, r.phone, (r.phone or "").removeprefix("+86")) if v],
        }
        for r in rows
    }


def account_of_conversation(s: Session, conversation_id: str) -> Optional[str]:
    """The account the newest escalation of this conversation was opened for."""
    return s.execute(
        select(Escalation.account_id)
        .where(Escalation.conversation_id == conversation_id, Escalation.account_id.is_not(None))
        .order_by(Escalation.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def conversation_heading(s: Session, conversation_id: str) -> Dict[str, Any]:
    """Who and where, for the page title: the cardholder's name (masked)
    and the channel, from the newest hand-over or else the contact log."""
    account_id = account_of_conversation(s, conversation_id)
    channel = s.execute(
        select(Escalation.channel)
        .where(Escalation.conversation_id == conversation_id)
        .order_by(Escalation.id.desc())
        .limit(1)
    ).scalar_one_or_none() or s.execute(
        select(ContactLog.channel)
        .where(ContactLog.conversation_id == conversation_id)
        .order_by(ContactLog.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    names = (cardholder_secrets(s, [account_id]).get(account_id) or {}).get("names") if account_id else None
    return {
        "name": labels.masked_name(names[0]) if names else None,
        "channel_label": channel_label(channel) if channel else None,
    }


def live_claim(s: Session, conversation_id: str) -> Optional[Dict[str, Any]]:
    found = _live_claims(s, [conversation_id]).get(conversation_id)
    return _claim_dict(*found) if found else None


def claim(s: Session, conversation_id: str, user: UserView) -> Dict[str, Any]:
    """Take the conversation. Exactly one agent wins a race: the partial
    unique index on live claims refuses the second insert."""
    if not _unresolved(s, conversation_id):
        raise ConsoleError("该会话没有待处理的人工转接。", 404)
    existing = live_claim(s, conversation_id)
    if existing is not None:
        if existing["user_id"] == user.id:
            return existing
        raise ConsoleError(f"该会话已由{existing['display_name']}处理中。", 409)
    row = Claim(conversation_id=conversation_id, user_id=user.id, claimed_at=clock.now())
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
    except IntegrityError:
        winner = live_claim(s, conversation_id)
        name = winner["display_name"] if winner else "其他专员"
        raise ConsoleError(f"该会话已由{name}处理中。", 409) from None
    s.execute(
        update(Escalation)
        .where(
            Escalation.conversation_id == conversation_id,
            Escalation.status == "open",
            Escalation.channel != PARKED_CHANNEL,
        )
        .values(status="claimed")
        .execution_options(synchronize_session=False)
    )
    return live_claim(s, conversation_id)


def users_by_id(s: Session, user_ids: Iterable[int]) -> List[UserView]:
    """Active console users among ``user_ids`` (auto-assignment's candidates)."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return []
    rows = s.execute(select(ConsoleUser).where(ConsoleUser.id.in_(wanted), ConsoleUser.active.is_(True))).scalars()
    return [_user_view(u) for u in rows]


def live_claim_counts(s: Session, user_ids: Iterable[int]) -> Dict[int, int]:
    """How many conversations each user holds now (claims neither released nor handed back)."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    rows = s.execute(
        select(Claim.user_id, func.count(Claim.id))
        .where(Claim.user_id.in_(wanted), Claim.released_at.is_(None), Claim.handed_back_at.is_(None))
        .group_by(Claim.user_id)
    ).all()
    return {uid: n for uid, n in rows}


# -- agents' statuses (console/presence.py) -------------------------------


def presence_status(s: Session, user_id: int) -> Optional[str]:
    """The status the agent last chose, or None if they never chose one."""
    return s.execute(select(AgentPresence.status).where(AgentPresence.user_id == user_id)).scalar_one_or_none()


def set_presence(s: Session, user_id: int, status: str, now: datetime) -> None:
    update_or_insert(s, AgentPresence, {"user_id": user_id}, {"status": status, "changed_at": now, "seen_at": now})


def mark_presence_seen(s: Session, user_id: int, now: datetime, older_than: datetime) -> None:
    """The agent's console is open now; written only when the stored time is
    older than ``older_than``, so a page polling every second writes rarely."""
    s.execute(
        update(AgentPresence)
        .where(AgentPresence.user_id == user_id, AgentPresence.seen_at < older_than)
        .values(seen_at=now)
    )


def present_user_ids(s: Session, status: str, seen_since: datetime) -> List[int]:
    """Agents in ``status`` whose console was seen since ``seen_since``."""
    return list(s.execute(
        select(AgentPresence.user_id)
        .where(AgentPresence.status == status, AgentPresence.seen_at >= seen_since)
        .order_by(AgentPresence.user_id)
    ).scalars())


def require_claim(s: Session, conversation_id: str, user: UserView) -> Dict[str, Any]:
    """The caller's live claim on the conversation, else a refusal."""
    current = live_claim(s, conversation_id)
    if current is None:
        raise ConsoleError("请先领取该会话，再进行操作。", 409)
    if current["user_id"] != user.id:
        raise ConsoleError(f"该会话由{current['display_name']}处理中，您不能操作。", 409)
    return current


def release(s: Session, conversation_id: str, user: UserView, reason: str = "released") -> None:
    current = live_claim(s, conversation_id)
    if current is None:
        raise ConsoleError("该会话当前没有人领取。", 409)
    if current["user_id"] != user.id and not auth.allowed(user.role, "approve"):
        raise ConsoleError("只有领取人或主管可以放回队列。", 403)
    s.execute(
        update(Claim)
        .where(Claim.id == current["id"])
        .values(released_at=clock.now(), release_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if reason != "resolved":
        # Back in the queue for the next agent.
        s.execute(
            update(Escalation)
            .where(
                Escalation.conversation_id == conversation_id,
                Escalation.status == "claimed",
                Escalation.channel != PARKED_CHANNEL,
            )
            .values(status="open")
            .execution_options(synchronize_session=False)
        )


def mark_handed_back(s: Session, conversation_id: str, user: UserView) -> None:
    current = require_claim(s, conversation_id, user)
    s.execute(
        update(Claim)
        .where(Claim.id == current["id"])
        .values(handed_back_at=clock.now())
        .execution_options(synchronize_session=False)
    )


# --------------------------------------------------------------------------
# Notes, resolutions, approvals
# --------------------------------------------------------------------------


def add_note(s: Session, conversation_id: str, account_id: Optional[str], user: UserView, text: str) -> int:
    row = Note(conversation_id=conversation_id, account_id=account_id, user_id=user.id, text=text)
    s.add(row)
    s.flush()
    return row.id


def _written_about(model, conversation_id: str, account_id: Optional[str]):
    """Rows of ``model`` (notes, resolutions) about the conversation, or about
    its account when it has one, each with the console user who wrote it."""
    about = model.conversation_id == conversation_id
    if account_id:
        about = about | (model.account_id == account_id)
    return select(model, ConsoleUser).join(ConsoleUser, model.user_id == ConsoleUser.id).where(about)


def notes_of(s: Session, conversation_id: str, account_id: Optional[str]) -> List[Dict[str, Any]]:
    q = _written_about(Note, conversation_id, account_id)
    return [
        {
            "id": n.id,
            "conversation_id": n.conversation_id,
            "text": n.text,
            "display_name": u.display_name,
            "created_at": iso(n.created_at),
        }
        for n, u in s.execute(q.order_by(Note.created_at, Note.id)).all()
    ]


def resolutions_of(s: Session, conversation_id: str, account_id: Optional[str]) -> List[Dict[str, Any]]:
    q = _written_about(Resolution, conversation_id, account_id)
    return [
        {
            "id": r.id,
            "conversation_id": r.conversation_id,
            "account_id": r.account_id,
            "outcome": r.outcome,
            "outcome_label": OUTCOME_LABELS.get(r.outcome, r.outcome),
            "note": r.note,
            "escalation_ids": json.loads(r.escalation_ids or "[]"),
            "display_name": u.display_name,
            "created_at": iso(r.created_at),
        }
        for r, u in s.execute(q.order_by(Resolution.id)).all()
    ]


def resolve(
    s: Session, conversation_id: str, user: UserView, outcome: str, note: str, account_id: Optional[str]
) -> Dict[str, Any]:
    """Close every unresolved hand-over of the conversation with an outcome."""
    if outcome not in OUTCOMES:
        raise ConsoleError("请选择处理结果。", 400)
    require_claim(s, conversation_id, user)
    rows = _unresolved(s, conversation_id)
    parked = None
    if outcome == "dispute_opened":
        if not account_id:
            raise ConsoleError("未关联账户的会话无法登记争议。", 400)
        summaries = "；".join(r.summary for r in rows if r.reason == "dispute_debt") or (note or "专员登记争议")
        parked, _ = repository.open_escalation(
            s,
            conversation_id=f"{DISPUTE_CASE_PREFIX}{conversation_id}"[:128],
            account_id=account_id,
            channel=PARKED_CHANNEL,
            reason=escalation.DISPUTE_DEBT,
            priority=escalation.PRIORITY[escalation.DISPUTE_DEBT],
            summary=f"争议已登记（{user.display_name}）：{summaries}"[:2000],
        )
        repository.set_escalation_status(s, parked, "claimed")
        # Recorded and rescored together (issue 13): a dispute moves the assessment.
        assessments.record_statement(s, account_id=account_id, conversation_id=conversation_id, kind="dispute",
                                     willingness="disputes")
    if outcome == "wrong_party" and is_e164(conversation_id):
        # The person on this number is not the cardholder: no campaign or bot
        # message about the debt goes there again (bot/core/guard.py).
        mark_phone(s, conversation_id, "third_party", by=user.username, note=note or OUTCOME_LABELS[outcome])
    # The hand-over use case closes them (bot/services/escalation.py), in this transaction.
    closed = escalations.resolve_in(s, conversation_id)
    resolution = Resolution(
        conversation_id=conversation_id,
        account_id=account_id,
        outcome=outcome,
        note=note or "",
        escalation_ids=json.dumps(closed),
        user_id=user.id,
    )
    s.add(resolution)
    s.flush()
    release(s, conversation_id, user, reason="resolved")
    return {"resolution_id": resolution.id, "escalation_ids": closed, "dispute_case_id": parked}


# --------------------------------------------------------------------------
# The inbox (issue 14): newest cardholder messages, colleagues, transfer,
# an agent's confirmation of identity (console/inbox_store.py adds the views)
# --------------------------------------------------------------------------

CONFIRM_IDENTITY = "confirm_identity"  # the audit action bot/reports/kpi.py counts


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
    return {cid: {"id": mid, "at": iso(times.get(mid))} for cid, mid in ids.items()}


def inbox_signature(s: Session, oncall: Optional[str] = None) -> Tuple:
    """The queue's fingerprint plus the newest cardholder message (a new
    message in a claimed chat changes what the inbox shows) and the newest
    page to the on-call supervisor (shown on the crisis item)."""
    newest_in = s.execute(select(func.max(ContactLog.id)).where(ContactLog.direction == "in")).scalar()
    newest_page = s.execute(
        select(func.max(ContactLog.id)).where(ContactLog.conversation_id == oncall)
    ).scalar() if oncall else None
    return (queue_signature(s), newest_in, newest_page)


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
    current = live_claim(s, conversation_id)
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
    claim = live_claim(s, conversation_id)
    audit(
        s, me, "transfer", conversation_id=conversation_id,
        account_id=account_of_conversation(s, conversation_id),
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
    return {"username": row.username, "at": iso(row.created_at)} if row else None


def earlier_conversations(s: Session, account_id: Optional[str], conversation_id: str, limit: int = 10) -> List[Dict[str, Any]]:
    """The cardholder's other conversations (any channel), newest first:
    when, how many messages, why a person was asked in, how it ended."""
    if not account_id:
        return []
    rows = s.execute(
        select(
            ContactLog.conversation_id, func.min(ContactLog.created_at), func.max(ContactLog.created_at),
            func.count(ContactLog.id), func.max(ContactLog.channel),
        )
        .where(ContactLog.account_id == account_id, ContactLog.conversation_id != conversation_id)
        .group_by(ContactLog.conversation_id)
        .order_by(func.max(ContactLog.created_at).desc())
        .limit(limit)
    ).all()
    ids = [r[0] for r in rows]
    reasons: Dict[str, List[str]] = {}
    open_ids = set()
    for cid, reason, status in s.execute(
        select(Escalation.conversation_id, Escalation.reason, Escalation.status)
        .where(Escalation.conversation_id.in_(ids)).order_by(Escalation.id)
    ).all() if ids else []:
        labels_of = reasons.setdefault(cid, [])
        if REASON_LABELS.get(reason, reason) not in labels_of:
            labels_of.append(REASON_LABELS.get(reason, reason))
        if status in UNRESOLVED_ESCALATION_STATUSES:
            open_ids.add(cid)
    outcomes: Dict[str, str] = {}
    for cid, outcome in s.execute(
        select(Resolution.conversation_id, Resolution.outcome).where(Resolution.conversation_id.in_(ids))
        .order_by(Resolution.id)
    ).all() if ids else []:
        outcomes[cid] = OUTCOME_LABELS.get(outcome, outcome)
    return [
        {
            "conversation_id": cid,
            "channel_label": channel_label(channel),
            "first_at": iso(first),
            "last_at": iso(last),
            "messages": count,
            "reason_labels": reasons.get(cid, []),
            "open": cid in open_ids,
            "outcome_label": outcomes.get(cid),
        }
        for cid, first, last, count, channel in rows
    ]


MASKED_PHONE_RE = re.compile(r"^\+?(\d*)\s*[*＊xX]+\s*(\d+)$")
MAX_SEARCH_RESULTS = 20


def search(s: Session, query: str, limit: int = MAX_SEARCH_RESULTS) -> List[Dict[str, Any]]:
    """Conversations by the cardholder's phone (whole, last digits, or
    masked as shown: 139****0001), account id, or words the cardholder
    wrote; newest first, one row per conversation, phones masked."""
    from bot.core.masking import mask_phone
    from bot.db.models import Account, Cardholder

    q = " ".join((query or "").split())[:100]
    if len(q) < 2:
        return []
    digits = q.lstrip("+")
    masked = MASKED_PHONE_RE.match(q)
    accounts: set = set()
    snippets: Dict[str, str] = {}
    if masked or digits.isdigit():
        head, tail = (masked.group(1), masked.group(2)) if masked else ("", digits)
        phone_rows = s.execute(
            select(Account.account_id, Cardholder.phone).join(Cardholder, Account.cardholder_id == Cardholder.id)
            .where(Cardholder.phone.like(f"%{tail}"))
        ).all()
        accounts |= {a for a, phone in phone_rows if phone.lstrip("+").startswith(head) or f"+86{head}" in phone}
    accounts |= set(s.execute(select(Account.account_id).where(Account.account_id.ilike(f"{q}%"))).scalars())
    conversations: Dict[str, Any] = {}
    if accounts:
        for cid, last in s.execute(
            select(ContactLog.conversation_id, func.max(ContactLog.created_at))
            .where(ContactLog.account_id.in_(sorted(accounts))).group_by(ContactLog.conversation_id)
        ).all():
            conversations[cid] = last
        for cid, last in s.execute(
            select(Escalation.conversation_id, func.max(Escalation.created_at))
            .where(Escalation.account_id.in_(sorted(accounts)), Escalation.channel != PARKED_CHANNEL)
            .group_by(Escalation.conversation_id)
        ).all():
            conversations[cid] = max(filter(None, (conversations.get(cid), last)))
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    for cid, text, at in s.execute(
        select(ContactLog.conversation_id, ContactLog.text, ContactLog.created_at)
        .where(ContactLog.direction == "in", ContactLog.text.like(f"%{escaped}%", escape="\\"))
        .order_by(ContactLog.id.desc()).limit(200)
    ).all():
        snippets.setdefault(cid, text[:120])
        conversations[cid] = max(filter(None, (conversations.get(cid), at)))
    newest = sorted(conversations.items(), key=lambda kv: (kv[1] is not None, kv[1]), reverse=True)[:limit]
    ids = [cid for cid, _ in newest]
    info: Dict[str, Tuple[Optional[str], Optional[str]]] = {}
    for cid, account_id, channel in s.execute(
        select(ContactLog.conversation_id, ContactLog.account_id, ContactLog.channel)
        .where(ContactLog.conversation_id.in_(ids)).order_by(ContactLog.id)
    ).all() if ids else []:
        known = info.get(cid, (None, None))
        info[cid] = (account_id or known[0], channel or known[1])
    for e in _unresolved(s) if ids else []:
        if e.conversation_id in ids:
            known = info.get(e.conversation_id, (None, None))
            info[e.conversation_id] = (known[0] or e.account_id, known[1] or e.channel)
    open_ids = {e.conversation_id for e in _unresolved(s)} if ids else set()
    return [
        {
            "conversation_id": cid,
            "label": mask_phone(cid) if is_e164(cid) else cid[:12],
            "account_id": info.get(cid, (None, None))[0],
            "channel_label": channel_label(info.get(cid, (None, None))[1]) if info.get(cid, (None, None))[1] else "",
            "last_at": iso(last),
            "snippet": snippets.get(cid),
            "open": cid in open_ids,
        }
        for cid, last in newest
    ]


# --------------------------------------------------------------------------
# Live updates
# --------------------------------------------------------------------------


def conversation_signature(s: Session, conversation_id: str, account_id: Optional[str]) -> Tuple:
    """Cheap fingerprint of a conversation view: a new message (contact log),
    an agent action (audit log), a hand-over or a booking changes it."""
    contact = s.execute(
        select(func.count(ContactLog.id), func.max(ContactLog.id)).where(
            ContactLog.conversation_id == conversation_id
        )
    ).one()
    audit_max = s.execute(
        select(func.max(AuditLog.id)).where(AuditLog.conversation_id == conversation_id)
    ).scalar()
    escalations = s.execute(
        select(Escalation.id, Escalation.status).where(Escalation.conversation_id == conversation_id)
    ).all()
    claims = s.execute(
        select(Claim.id, Claim.released_at, Claim.handed_back_at).where(Claim.conversation_id == conversation_id)
    ).all()
    arrangements: List = []
    if account_id:
        arrangements = s.execute(
            select(Arrangement.id, Arrangement.status).where(Arrangement.account_id == account_id)
        ).all()
    return (
        tuple(contact),
        audit_max,
        tuple(sorted((e.id, e.status) for e in escalations)),
        tuple(sorted((c.id, str(c.released_at), str(c.handed_back_at)) for c in claims)),
        tuple(sorted((a.id, a.status) for a in arrangements)),
    )


def last_contact_id(s: Session, conversation_id: str) -> Optional[int]:
    return s.execute(
        select(func.max(ContactLog.id)).where(ContactLog.conversation_id == conversation_id)
    ).scalar()


def opted_out_channels(s: Session, sender: str) -> frozenset:
    from bot.db.models import OptOut

    try:
        key = repository.opt_out_key(sender)
    except ValueError:
        return frozenset()
    return frozenset(
        s.execute(select(OptOut.channel).where(OptOut.phone == key, OptOut.revoked_at.is_(None))).scalars()
    )
