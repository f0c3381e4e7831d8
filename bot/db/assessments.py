"""Scored assessments in the database (issue 13): the evidence of one account
read from the tables, scored by bot/core/assessment.py and
bot/core/evasion.py, and appended to ``assessment_scores``.

Like bot/db/repository.py, every function takes a ``Session`` (or anything
with a ``.session``, e.g. a unit of work) and leaves committing to the
caller. Results are plain dataclasses/dicts.

Where the evidence comes from:

- statements: the inbound contact log's intents (``refuse_to_pay``,
  ``dispute_debt``, ``inform_hardship``), dispute escalations, and the
  label rows of ``assessments`` that actions write (a refusal, dispute or
  hardship recorded there counts when the contact log has none of that
  kind; the monthly amount the cardholder said they can afford is the
  budget);
- promises and plans: ``arrangements`` (fee waivers excluded);
- payments: ``payments`` (a negative amount is a reversal);
- verification: ``verification_attempts`` (source = conversation);
- contact: the contact log (out = we wrote, in = they wrote) and the
  campaign's sent SMS;
- "wrong person": inbound ``wrong_person`` intents, and phone marks
  (third party / wrong number) on a number that wrote in for the account.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import clock
from bot.core import assessment as core
from bot.core import evasion
from bot.core.channels import CHANNEL_LABELS
from bot.core.escalation import REASON_LABELS
from bot.core.money import to_money
from bot.core.policy import days_past_due, hardship_quote, stage_for
from bot.db import repository
from bot.db.models import (
    Account,
    Arrangement,
    Assessment,
    AssessmentScore,
    CampaignSend,
    ContactLog,
    Escalation,
    Payment,
    PhoneMark,
    VerificationAttempt,
)

logger = logging.getLogger(__name__)

# How far back contact and verification rows are read.
EVIDENCE_DAYS = 365
INTENT_STATEMENTS = {
    "refuse_to_pay": core.REFUSAL,
    "dispute_debt": core.DISPUTE,
    "inform_hardship": core.HARDSHIP,
}


def _session(session_or_uow) -> Session:
    return getattr(session_or_uow, "session", session_or_uow)


def _day(at: Optional[datetime]) -> Optional[date]:
    return at.astimezone(clock.SHANGHAI).date() if at is not None else None


PLAN_KINDS = ("installment", "hardship_plan")
PLAN_FIRST_DUE_DAYS = 30


def _due(row: Arrangement) -> Optional[date]:
    """The promised date; for a plan, its first instalment (a month on)."""
    if row.pay_date is not None or row.new_due_date is not None:
        return row.pay_date or row.new_due_date
    if row.kind in PLAN_KINDS:
        return _day(row.created_at) + timedelta(days=PLAN_FIRST_DUE_DAYS)
    return None


def _resolved_on(row: Arrangement, today: date) -> Optional[date]:
    """When an outcome became known (not stored): two days after the
    promised date (the reconciliation's grace day), never later than
    today; without a date, the booking day."""
    if row.status in core.OPEN_STATUSES:
        return None
    due = _due(row)
    if due is not None:
        return min(today, due + timedelta(days=2))
    return _day(row.created_at)


def load_evidence(session_or_uow, account_id: str, today: date) -> Optional[core.Evidence]:
    s = _session(session_or_uow)
    account = s.get(Account, account_id)
    if account is None:
        return None
    since = datetime.combine(today - timedelta(days=EVIDENCE_DAYS), datetime.min.time(), tzinfo=clock.SHANGHAI)

    statements: List[core.Statement] = []
    contacts: List[core.Contact] = []
    wrong: List[core.WrongPersonClaim] = []
    in_sources = set()
    logged = s.execute(
        select(ContactLog.created_at, ContactLog.direction, ContactLog.conversation_id, ContactLog.channel,
               ContactLog.intent)
        .where(ContactLog.account_id == account_id, ContactLog.created_at >= since)
        .order_by(ContactLog.created_at, ContactLog.id)
    ).all()
    for at, direction, conversation, channel, intent in logged:
        on = _day(at)
        contacts.append(core.Contact(on, direction, conversation or "", channel or ""))
        if direction != "in":
            continue
        in_sources.add(conversation)
        if intent in INTENT_STATEMENTS:
            statements.append(core.Statement(INTENT_STATEMENTS[intent], on))
        elif intent == "wrong_person":
            wrong.append(core.WrongPersonClaim(on, conversation or ""))
    for sent_at, channel, to in s.execute(
        select(CampaignSend.sent_at, CampaignSend.channel, CampaignSend.to_number)
        .where(CampaignSend.account_id == account_id, CampaignSend.status == "sent",
               CampaignSend.sent_at.isnot(None), CampaignSend.sent_at >= since)
    ).all():
        contacts.append(core.Contact(_day(sent_at), "out", to or "", channel or ""))

    if in_sources:
        for phone, at in s.execute(
            select(PhoneMark.phone, PhoneMark.created_at)
            .where(PhoneMark.phone.in_(sorted(in_sources)), PhoneMark.revoked_at.is_(None))
        ).all():
            wrong.append(core.WrongPersonClaim(_day(at), phone))

    # Label rows: the budget, and kinds the contact log did not show.
    labelled: List[core.Statement] = []
    previous = None
    for row in s.execute(
        select(Assessment).where(Assessment.account_id == account_id).order_by(Assessment.created_at, Assessment.id)
    ).scalars():
        on = _day(row.created_at)
        # Rows carry earlier values forward: only a change is a new statement.
        if row.monthly_affordable is not None and (previous is None or row.monthly_affordable != previous.monthly_affordable):
            statements.append(core.Statement(core.BUDGET, on, row.monthly_affordable))
        means, before = _stated_means(row.note), _stated_means(previous.note) if previous is not None else {}
        for kind in (core.INCOME, core.EXPENSES):
            if kind in means and means[kind] != before.get(kind):
                statements.append(core.Statement(kind, on, means[kind]))
        if row.willingness == "unwilling" and (previous is None or previous.willingness != "unwilling"):
            labelled.append(core.Statement(core.REFUSAL, on))
        if row.willingness == "disputes" and (previous is None or previous.willingness != "disputes"):
            labelled.append(core.Statement(core.DISPUTE, on))
        if row.hardship_reason and (previous is None or row.hardship_reason != previous.hardship_reason):
            labelled.append(core.Statement(core.HARDSHIP, on))
        elif row.ability == "none" and (previous is None or previous.ability != "none"):
            labelled.append(core.Statement(core.HARDSHIP, on))
        previous = row
    for at in s.execute(
        select(Escalation.created_at).where(Escalation.account_id == account_id, Escalation.reason == "dispute_debt")
    ).scalars():
        labelled.append(core.Statement(core.DISPUTE, _day(at)))
    seen_kinds = {st.kind for st in statements}
    for st in labelled:
        if st.kind not in seen_kinds:
            statements.append(st)

    promises = [
        core.Promise(
            id=row.id,
            kind=row.kind,
            status=row.status,
            booked_on=_day(row.created_at),
            due=_due(row),
            amount=row.monthly_payment if row.kind in PLAN_KINDS else row.amount,
            resolved_on=_resolved_on(row, today),
        )
        for row in s.execute(
            select(Arrangement).where(Arrangement.account_id == account_id, Arrangement.kind != "fee_waiver",
                                      Arrangement.status != "cancelled")
            .order_by(Arrangement.created_at, Arrangement.id)
        ).scalars()
    ]
    payments = [
        core.PaymentRecord(amount=amount, on=_day(at), reversed=amount < 0)
        for amount, at in s.execute(
            select(Payment.amount, Payment.paid_at).where(Payment.account_id == account_id, Payment.paid_at >= since)
        ).all()
    ]
    verifications = [
        core.Verification(_day(at), conversation or "", bool(success))
        for at, conversation, success in s.execute(
            select(VerificationAttempt.created_at, VerificationAttempt.conversation_id, VerificationAttempt.success)
            .where(VerificationAttempt.account_id == account_id, VerificationAttempt.created_at >= since)
        ).all()
    ]
    return core.Evidence(
        minimum_plan_payment=_minimum_plan_payment(account.balance),
        account_id=account_id,
        today=today,
        balance=account.balance,
        minimum_due=account.minimum_due,
        days_past_due=days_past_due(account.due_date, today),
        statements=tuple(sorted(statements, key=lambda x: x.on)),
        promises=tuple(promises),
        payments=tuple(sorted(payments, key=lambda x: x.on)),
        verifications=tuple(sorted(verifications, key=lambda x: x.on)),
        contacts=tuple(sorted(contacts, key=lambda x: x.on)),
        wrong_person=tuple(sorted(wrong, key=lambda x: x.on)),
    )


# Stated income and expenses live in the label row's ``note`` as JSON
# ({"income": "4500.00", "expenses": "3000.00"}): the row already carries
# earlier values forward (repository.record_assessment), so a change is a
# new statement, exactly like ``monthly_affordable`` - and no schema change.
_MEANS_KINDS = (core.INCOME, core.EXPENSES)


def _stated_means(note: Optional[str]) -> Dict[str, Decimal]:
    """The stated income/expenses a label row's note carries; {} for a note
    that is not ours (free text)."""
    try:
        data = json.loads(note or "")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    out = {}
    for kind in _MEANS_KINDS:
        try:
            if data.get(kind) is not None:
                out[kind] = to_money(data[kind])
        except (ArithmeticError, ValueError, TypeError):
            continue
    return out


def _minimum_plan_payment(balance: Decimal) -> Optional[Decimal]:
    """The lowest monthly payment a plan within policy asks: the longest
    personalised plan (bot/core/policy.hardship_quote)."""
    from bot.settings import get_settings

    if balance is None or balance <= 0:
        return None
    config = get_settings().policy
    try:
        return hardship_quote(balance, config.hardship_max_months, config).monthly_payment
    except ValueError:  # a few yuan cannot be split into that many payments
        return None


def record_stated_means(session_or_uow, *, account_id: str, conversation_id: Optional[str],
                        income: Optional[Decimal] = None, expenses: Optional[Decimal] = None,
                        budget: Optional[Decimal] = None, today: Optional[date] = None) -> Optional[int]:
    """What the cardholder said they earn, spend and can pay each month
    (any of them; bot/core/stated_means.py tells them apart), stored as one
    label row and scored in the same transaction. Nothing said, nothing
    written (None)."""
    if income is None and expenses is None and budget is None:
        return None
    s = _session(session_or_uow)
    fields: Dict[str, Any] = {}
    if income is not None or expenses is not None:
        previous = s.execute(
            select(Assessment.note).where(Assessment.account_id == account_id)
            .order_by(Assessment.created_at.desc(), Assessment.id.desc()).limit(1)
        ).scalar_one_or_none()
        means = {k: str(v) for k, v in _stated_means(previous).items()}
        for kind, value in ((core.INCOME, income), (core.EXPENSES, expenses)):
            if value is not None:
                means[kind] = str(to_money(value))
        fields["note"] = json.dumps(means, ensure_ascii=False, sort_keys=True)
    if budget is not None:
        fields["monthly_affordable"] = budget
        fields["ability"] = "partial" if budget > 0 else "none"
    row_id = repository.record_assessment(s, account_id=account_id, conversation_id=conversation_id, **fields)
    said = [k for k, v in ((core.INCOME, income), (core.EXPENSES, expenses), (core.BUDGET, budget)) if v is not None]
    rescore(s, account_id, TRIGGER_STATEMENT + "+".join(said), today)
    return row_id


@dataclass(frozen=True)
class ScoreView:
    id: int
    account_id: str
    as_of: date
    willingness_score: float
    willingness_band: str
    ability_score: float
    ability_band: str
    segment: str
    keep_probability: Optional[float]
    scorer: str
    reasons: List[Dict[str, Any]]
    signals: List[Dict[str, str]]
    trigger: Optional[str]
    created_at: datetime

    def as_dict(self) -> Dict[str, Any]:
        """JSON-ready, with the Chinese labels agents read."""
        return {
            "as_of": self.as_of.isoformat(),
            "willingness": {"score": self.willingness_score, "band": self.willingness_band,
                            "band_label": core.BAND_LABELS[self.willingness_band]},
            "ability": {"score": self.ability_score, "band": self.ability_band,
                        "band_label": core.BAND_LABELS[self.ability_band]},
            "segment": self.segment,
            "segment_label": core.SEGMENT_LABELS[self.segment],
            "keep_probability": self.keep_probability,
            "scorer": self.scorer,
            "reasons": self.reasons,
            "signals": self.signals,
            "trigger": self.trigger,
            "created_at": self.created_at.isoformat(),
        }


def _view(row: AssessmentScore) -> ScoreView:
    return ScoreView(
        id=row.id, account_id=row.account_id, as_of=row.as_of,
        willingness_score=row.willingness_score, willingness_band=row.willingness_band,
        ability_score=row.ability_score, ability_band=row.ability_band, segment=row.segment,
        keep_probability=row.keep_probability, scorer=row.scorer,
        reasons=json.loads(row.reasons or "[]"), signals=json.loads(row.signals or "[]"),
        trigger=row.trigger, created_at=row.created_at,
    )


def _reasons_json(a: core.Assessment) -> List[Dict[str, Any]]:
    return [
        {"dimension": r.dimension, "direction": r.direction, "weight": round(r.weight, 3), "text": r.text}
        for r in a.willingness.reasons + a.ability.reasons
    ]


def latest(session_or_uow, account_id: str) -> Optional[ScoreView]:
    s = _session(session_or_uow)
    row = s.execute(
        select(AssessmentScore).where(AssessmentScore.account_id == account_id)
        .order_by(AssessmentScore.created_at.desc(), AssessmentScore.id.desc()).limit(1)
    ).scalar_one_or_none()
    return _view(row) if row is not None else None


def current_segment(session_or_uow, account_id: str) -> str:
    """The segment of the newest stored assessment; unknown without one."""
    s = _session(session_or_uow)
    segment = s.execute(
        select(AssessmentScore.segment).where(AssessmentScore.account_id == account_id)
        .order_by(AssessmentScore.created_at.desc(), AssessmentScore.id.desc()).limit(1)
    ).scalar_one_or_none()
    return segment or core.SEGMENT_UNKNOWN


def history(session_or_uow, account_id: str, limit: int = 50) -> List[ScoreView]:
    """Newest first."""
    s = _session(session_or_uow)
    rows = s.execute(
        select(AssessmentScore).where(AssessmentScore.account_id == account_id)
        .order_by(AssessmentScore.created_at.desc(), AssessmentScore.id.desc()).limit(limit)
    ).scalars()
    return [_view(r) for r in rows]


_SAVED_MODEL = object()


def _saved_model():
    from bot.assessment.model import model_path

    if not model_path().exists():  # no import of scikit-learn without a model
        return None
    from bot.assessment.model import current

    return current()


def recompute_assessment(session_or_uow, account_id: str, today: date, trigger: Optional[str] = None,
                         keep_model=_SAVED_MODEL, force: bool = False) -> Optional[ScoreView]:
    """Score the account from what the database holds and append the result
    when it differs from the newest row (same scores, bands, reasons and
    signals: nothing is written). Returns the current assessment, or None
    for an unknown account.

    ``keep_model`` (bot/assessment/model.KeepModel) gives the chance that
    the next promise or plan is kept; by default the model
    ``collectbot assessment retrain`` saved, and without one (or with
    ``keep_model=None``) the rule-based fallback
    (``core.rule_keep_probability``) is stored.

    ``force`` writes the row even when nothing moved: the history then shows
    the event (a new delinquency band) with the scores it left unchanged."""
    s = _session(session_or_uow)
    if keep_model is _SAVED_MODEL:
        keep_model = _saved_model()
    ev = load_evidence(s, account_id, today)
    if ev is None:
        return None
    a = core.assess(ev)
    sigs = [sig.as_dict() for sig in evasion.signals(ev)]
    probability, scorer = core.rule_keep_probability(a), "rules"
    if keep_model is not None:
        try:
            probability, scorer = round(float(keep_model.predict_one(ev)), 3), "model"
        except Exception:
            # Scoring runs inside bookings and imports: a model that cannot
            # score (an old file, a library upgrade) must not roll them back.
            logger.exception("the keep model failed; the rules score this assessment")
    reasons = _reasons_json(a)
    current = latest(s, account_id)
    if current is not None and not force and (
        current.willingness_score, current.willingness_band, current.ability_score, current.ability_band,
        current.segment, current.reasons, current.signals, current.keep_probability, current.scorer,
    ) == (a.willingness.value, a.willingness.band, a.ability.value, a.ability.band, a.segment, reasons, sigs,
          probability, scorer):
        return current
    row = AssessmentScore(
        account_id=account_id, as_of=today,
        willingness_score=a.willingness.value, willingness_band=a.willingness.band,
        ability_score=a.ability.value, ability_band=a.ability.band, segment=a.segment,
        keep_probability=probability, scorer=scorer,
        reasons=json.dumps(reasons, ensure_ascii=False), signals=json.dumps(sigs, ensure_ascii=False),
        trigger=(trigger or "")[:32] or None,
    )
    s.add(row)
    s.flush()
    return _view(row)


# --------------------------------------------------------------------------
# Rescoring on every relevant event, inside the event's own transaction
# --------------------------------------------------------------------------
# Triggers stored with a new row (``assessment_scores.trigger``, 32 chars):
# what happened just before the assessment moved.
TRIGGER_BOOKING = "booking:"  # + the arrangement kind
TRIGGER_PAYMENT = "payment"
TRIGGER_REVERSAL = "payment_reversal"
TRIGGER_REVERSAL_REOPENED = "reversal_reopened_promise"  # a promise counted kept reopened by a reversal
TRIGGER_HANDOVER = "handover:"  # + the escalation reason
TRIGGER_VERIFIED = "verification_ok"
TRIGGER_NOT_VERIFIED = "verification_failed"
TRIGGER_PHONE_MARK = "phone_mark:"  # + the mark
TRIGGER_STATEMENT = "statement:"  # + budget / income / expenses / hardship / refusal / dispute, "+"-joined
TRIGGER_REPLY = "reply:"  # + the channel: the cardholder wrote or answered
TRIGGER_DPD_BAND = "dpd_band:"  # + the delinquency stage the account entered (M1, M2, M3, M3+)


_TRIGGER_NAMES = {
    TRIGGER_PAYMENT: "还款入账",
    TRIGGER_REVERSAL: "还款冲正",
    TRIGGER_REVERSAL_REOPENED: "还款冲正，已计为履约的承诺重新核对",
    TRIGGER_VERIFIED: "身份核实通过",
    TRIGGER_NOT_VERIFIED: "身份核实失败",
    "reconcile": "承诺履约核对",
    "cli": "手动重算",
    "batch": "批量重算",
}
_TRIGGER_PREFIXES = {
    TRIGGER_BOOKING: ("登记", {"promise_to_pay": "承诺还款", "installment": "分期", "deferral": "延期还款",
                               "fee_waiver": "费用减免申请", "hardship_plan": "困难还款计划"}),
    TRIGGER_HANDOVER: ("转人工：", REASON_LABELS),
    TRIGGER_REPLY: ("持卡人回复：", CHANNEL_LABELS),
    TRIGGER_DPD_BAND: ("逾期阶段进入 ", {}),
    TRIGGER_PHONE_MARK: ("号码标记：", {"third_party": "非本人（第三方）", "wrong_number": "错号", "clear": "撤销标记"}),
    TRIGGER_STATEMENT: ("客户表述：", {"budget": "每月可还金额", "hardship": "经济困难", "refusal": "拒绝还款",
                                  "dispute": "异议", "income": "月收入", "expenses": "每月开销"}),
}


def trigger_label(trigger: Optional[str]) -> Optional[str]:
    """What moved the assessment, in Chinese for agents; a code without a
    name is shown as it is (visible rather than hidden)."""
    if not trigger:
        return None
    if trigger in _TRIGGER_NAMES:
        return _TRIGGER_NAMES[trigger]
    for prefix, (lead, names) in _TRIGGER_PREFIXES.items():
        if trigger.startswith(prefix):
            # Several things said at once are joined by "+" ("income+expenses").
            codes = trigger[len(prefix):].split("+")
            return lead + "、".join(names.get(code, code) for code in codes)
    return trigger


def rescore(session_or_uow, account_id: Optional[str], trigger: str,
            today: Optional[date] = None, force: bool = False) -> Optional[ScoreView]:
    """Recompute after an event, in the caller's transaction (nothing is
    committed here): the event and the assessment it moves are written
    together or not at all. No account, nothing to do."""
    if not account_id:
        return None
    return recompute_assessment(session_or_uow, account_id, today or clock.today(), trigger, force=force)


def record_statement(session_or_uow, *, account_id: str, conversation_id: Optional[str], kind: str,
                     today: Optional[date] = None, **fields: Any) -> int:
    """What the cardholder said (a budget, hardship, a refusal, a dispute:
    ``kind``), stored as a label row (``repository.record_assessment``,
    ``fields`` as there) and scored in the same transaction."""
    s = _session(session_or_uow)
    row_id = repository.record_assessment(s, account_id=account_id, conversation_id=conversation_id, **fields)
    rescore(s, account_id, TRIGGER_STATEMENT + kind, today)
    return row_id


def record_verification(session_or_uow, conversation_id: str, account_id: Optional[str], success: bool,
                        claimed_phone: Optional[str] = None, today: Optional[date] = None) -> None:
    """An identity check (``repository.record_verification``), scored in the
    same transaction: a failure from another source, or a success from a
    new one, is an evasion signal for agents (bot/core/evasion.py)."""
    s = _session(session_or_uow)
    repository.record_verification(s, conversation_id, account_id, success, claimed_phone=claimed_phone)
    rescore(s, account_id, TRIGGER_VERIFIED if success else TRIGGER_NOT_VERIFIED, today)


# The cardholder wrote or answered (response to contact, issue 13). The
# evidence a message changes: the days on which they answered, the
# conversations (numbers) they wrote from, and what an intent says
# (refusal, dispute, hardship, "wrong person"). A further message on the
# same day from the same conversation with none of those intents changes
# nothing, so only the first one of the day, or one with such an intent,
# is scored: the contact-log writer runs beside the Rasa server and must
# stay cheap under load.
_REPLY_INTENTS = frozenset(INTENT_STATEMENTS) | {"wrong_person"}


def replies_to_rescore(session_or_uow, rows: List[Dict[str, Any]]) -> Dict[str, str]:
    """Before inbound contact-log ``rows`` are written: the accounts whose
    assessment they move, with the channel of the message that moves it.
    One query for the whole batch (the conversations that already wrote
    today)."""
    s = _session(session_or_uow)
    inbound = [r for r in rows if r.get("direction") == "in" and r.get("account_id")]
    out: Dict[str, str] = {}
    for row in inbound:
        if row.get("intent") in _REPLY_INTENTS:
            out.setdefault(row["account_id"], row.get("channel") or "")
    plain = {(r["account_id"], r.get("conversation_id")) for r in inbound if r["account_id"] not in out}
    if not plain:
        return out
    day_start = datetime.combine(clock.today(), datetime.min.time(), tzinfo=clock.SHANGHAI)
    wrote_today = set(s.execute(
        select(ContactLog.account_id, ContactLog.conversation_id).where(
            ContactLog.account_id.in_(sorted({a for a, _c in plain})), ContactLog.direction == "in",
            ContactLog.created_at >= day_start).distinct()
    ).all())
    for row in inbound:
        key = (row["account_id"], row.get("conversation_id"))
        if key in plain and key not in wrote_today:
            out.setdefault(row["account_id"], row.get("channel") or "")
    return out


def rescore_replies(session_or_uow, accounts: Dict[str, str]) -> None:
    """After the rows are written, in the same transaction: each account
    rescored inside a savepoint, so that an assessment that cannot be made
    never costs the contact log its rows (the writer would retry the batch,
    then set it aside)."""
    s = _session(session_or_uow)
    for account_id, channel in sorted(accounts.items()):
        try:
            with s.begin_nested():
                rescore(s, account_id, TRIGGER_REPLY + channel)
        except Exception:
            logger.exception("could not rescore account %s after a reply; the recompute CLI catches up", account_id)


def band_crossings(session_or_uow, today: date) -> List[Tuple[str, str]]:
    """Accounts whose days past due are in another delinquency stage
    (bot/core/policy.stage_for) today than on the day of their newest stored
    assessment, with today's stage. Accounts never assessed are left to the
    recompute CLI."""
    s = _session(session_or_uow)
    newest = (
        select(AssessmentScore.account_id, func.max(AssessmentScore.id).label("id"))
        .group_by(AssessmentScore.account_id).subquery()
    )
    out = []
    for account_id, as_of, due in s.execute(
        select(AssessmentScore.account_id, AssessmentScore.as_of, Account.due_date)
        .join(newest, newest.c.id == AssessmentScore.id)
        .join(Account, Account.account_id == AssessmentScore.account_id)
        .order_by(AssessmentScore.account_id)
    ).all():
        stage = stage_for(days_past_due(due, today))
        if stage != stage_for(days_past_due(due, as_of)):
            out.append((account_id, stage))
    return out


def accounts_written_from(session_or_uow, conversation_id: str) -> List[str]:
    """Accounts a conversation (an SMS number) wrote in for: those whose
    evidence a mark on that number changes (``load_evidence``)."""
    s = _session(session_or_uow)
    return sorted(a for a in s.execute(
        select(ContactLog.account_id).where(ContactLog.conversation_id == conversation_id,
                                            ContactLog.direction == "in", ContactLog.account_id.isnot(None))
        .distinct()
    ).scalars().all())


def recompute_all(session_or_uow, today: date, trigger: str = "batch", keep_model=_SAVED_MODEL) -> Dict[str, int]:
    """Every account; returns the count per segment."""
    s = _session(session_or_uow)
    counts: Dict[str, int] = {}
    for account_id in s.execute(select(Account.account_id).order_by(Account.account_id)).scalars().all():
        view = recompute_assessment(s, account_id, today, trigger, keep_model)
        counts[view.segment] = counts.get(view.segment, 0) + 1
    return counts


def segment_mix(session_or_uow, days: List[date]) -> Dict[date, Dict[str, int]]:
    """For each day, how many accounts were in each segment at its end
    (newest assessment as of that day) - the supervisors' mix over time."""
    s = _session(session_or_uow)
    rows = s.execute(
        select(AssessmentScore.account_id, AssessmentScore.as_of, AssessmentScore.segment, AssessmentScore.id)
        .order_by(AssessmentScore.as_of, AssessmentScore.id)
    ).all()
    out: Dict[date, Dict[str, int]] = {}
    for day in days:
        current: Dict[str, str] = {}
        for account_id, as_of, segment, _id in rows:
            if as_of <= day:
                current[account_id] = segment
        mix = {seg: 0 for seg in core.SEGMENTS}
        for segment in current.values():
            mix[segment] += 1
        out[day] = mix
    return out


def signal_counts(session_or_uow) -> Dict[str, int]:
    """Accounts whose current assessment shows each evasion signal."""
    s = _session(session_or_uow)
    newest = (
        select(AssessmentScore.account_id, func.max(AssessmentScore.id).label("id"))
        .group_by(AssessmentScore.account_id).subquery()
    )
    counts: Dict[str, int] = {code: 0 for code in evasion.SIGNAL_LABELS}
    for signals_json in s.execute(
        select(AssessmentScore.signals).join(newest, newest.c.id == AssessmentScore.id)
    ).scalars():
        for sig in json.loads(signals_json or "[]"):
            counts[sig["code"]] = counts.get(sig["code"], 0) + 1
    return counts


def accounts_with_outcomes(session_or_uow) -> List[str]:
    """Accounts with at least one promise or plan whose outcome is known
    (the keep model's training data, bot/assessment/model.py)."""
    s = _session(session_or_uow)
    return sorted(s.execute(
        select(Arrangement.account_id).where(Arrangement.status.in_((core.KEPT, core.PARTIAL, core.BROKEN))).distinct()
    ).scalars().all())


def kept_by_segment(session_or_uow) -> Dict[str, List[int]]:
    """[kept, with a known outcome] per segment the account was in when the
    promise or plan was made (the newest stored assessment before it;
    ``unknown`` when none was stored yet)."""
    s = _session(session_or_uow)
    by_account: Dict[str, List] = {}
    for account_id, created_at, segment in s.execute(
        select(AssessmentScore.account_id, AssessmentScore.created_at, AssessmentScore.segment)
        .order_by(AssessmentScore.created_at, AssessmentScore.id)
    ).all():
        by_account.setdefault(account_id, []).append((created_at, segment))
    kept: Dict[str, List[int]] = {seg: [0, 0] for seg in core.SEGMENTS}
    for account_id, created_at, status in s.execute(
        select(Arrangement.account_id, Arrangement.created_at, Arrangement.status)
        .where(Arrangement.status.in_((core.KEPT, core.PARTIAL, core.BROKEN)))
    ).all():
        before = [seg for at, seg in by_account.get(account_id, []) if at <= created_at]
        segment = before[-1] if before else core.SEGMENT_UNKNOWN
        kept[segment][1] += 1
        kept[segment][0] += status == core.KEPT
    return kept
