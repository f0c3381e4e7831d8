"""`collectbot campaign run`: one pass of the staged outreach.

1. Reconcile open promises against the payments (a promise whose date has
   passed becomes kept / partially kept / broken even without a new feed).
2. Flush queued sends whose retry time has come (quiet-hour blocks of an
   earlier run), through the guard again with today's facts.
3. For every account, ask bot.core.campaign which step is due; for an SMS,
   render it and run it through bot.core.guard.check_outbound with the facts
   from the database (opt-outs, open disputes, third-party/wrong-number
   marks, contacts today / this week from the contact log). Allowed SMS go
   out through bot.sms.sender (Twilio, or the local outbox without
   credentials); a quiet-hour block is queued with its retry time; any other
   block is dropped. Every block is logged with its reason in
   ``outbound_blocks``; every step taken is one ``campaign_sends`` row per
   account, step and cycle, so a rerun never sends the same step twice.
4. After each SMS, open the Rasa conversation in context (only with RASA_URL
   and RASA_API_TOKEN set): the stage goes into the ``campaign_stage`` slot
   and the SMS text into the transcript as the bot's message, so the
   assistant and an agent see what the cardholder is answering. Appending
   events runs no prediction, so nothing else is sent. Rasa being down is
   recorded on the row and does not fail the run.

``dry_run`` computes the same decisions and writes nothing, sends nothing.
"""
from __future__ import annotations

import logging
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Dict, List, Optional, TextIO, Tuple

from sqlalchemy.orm import Session

from bot import clock
from bot.campaign.config import CampaignSettings
from bot.db.payments import ReconcileResult, reconcile_open_promises
from bot.campaign.rasa_trigger import CAMPAIGN_SLOT, RasaTrigger  # noqa: F401 (CAMPAIGN_SLOT re-exported)
from bot.core import campaign as rules
from bot.core import guard
from bot.core.campaign import BLOCK_REASON_LABELS as REASON_LABELS  # noqa: F401 (re-exported)
from bot.core.campaign import PAID, SEND_FAILED, SKIP_LABELS, SUPERSEDED
from bot.core.policy import PolicyConfig, days_past_due, stage_for
from bot.db import campaign as campaign_db
from bot.db.campaign import SendRow, log_block
from bot.db.session import session_scope

logger = logging.getLogger(__name__)

IN_FLIGHT = "in_flight"


# --------------------------------------------------------------------------
# Progress bar
# --------------------------------------------------------------------------


class ProgressBar:
    """``外呼进度 [#########-----------] 450/1000  45%`` on one line of stderr."""

    def __init__(self, total: int, stream: Optional[TextIO], label: str = "外呼进度", width: int = 30) -> None:
        self.total, self.stream, self.label, self.width = total, stream, label, width
        self.done = 0
        self._shown = -1

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def _draw(self, force: bool = False) -> None:
        if self.stream is None:
            return
        percent = 100 if self.total == 0 else int(self.done * 100 / self.total)
        if percent == self._shown and not force:
            return
        self._shown = percent
        filled = self.width if self.total == 0 else int(self.width * self.done / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} {percent:3d}%")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is None:
            return
        self._draw(force=True)
        self.stream.write("\n")
        self.stream.flush()


# --------------------------------------------------------------------------
# Facts from the database
# --------------------------------------------------------------------------


@dataclass
class Candidate:
    account_id: str
    phone: str
    phone_verified: bool
    name: str
    card_last4: str
    balance: Any
    minimum_due: Any
    due_date: date
    days_past_due: int
    stage: str
    cycle: str
    has_active_arrangement: bool
    done_steps: frozenset
    final_approved: bool
    existing: Dict[str, SendRow]


@dataclass
class Portfolio:
    candidates: List[Candidate]
    queued: List[SendRow]
    account_by_id: Dict[str, Candidate]
    opted_out: Dict[str, frozenset]
    disputes: set
    marked_phones: set
    contacts: Dict[str, List[rules.ContactEvent]]


def cycle_of(due_date: date) -> str:
    return due_date.isoformat()


def load_portfolio(s: Session, now: datetime, cfg: rules.CampaignConfig) -> Portfolio:
    today = now.astimezone(clock.SHANGHAI).date()
    facts = campaign_db.portfolio_facts(s, contacts_since=now - timedelta(days=8))
    sends: Dict[str, Dict[Tuple[str, str], SendRow]] = defaultdict(dict)
    for row in facts.sends:
        sends[row.account_id][(row.stage, row.cycle)] = row
    queued = [row for row in facts.sends if row.status == "queued"]
    candidates: List[Candidate] = []
    for account in facts.accounts:
        dpd = days_past_due(account.due_date, today)
        cycle = cycle_of(account.due_date)
        existing = {stage: r for (stage, c), r in sends[account.account_id].items() if c == cycle}
        done = frozenset(st for st, r in existing.items() if r.status not in ("awaiting_approval", "failed"))
        candidates.append(
            Candidate(
                account_id=account.account_id,
                phone=account.phone,
                phone_verified=account.phone_verified,
                name=account.name,
                card_last4=account.card_last4,
                balance=account.balance,
                minimum_due=account.minimum_due,
                due_date=account.due_date,
                days_past_due=dpd,
                stage=str(stage_for(dpd)),
                cycle=cycle,
                has_active_arrangement=account.account_id in facts.with_active_arrangement,
                done_steps=done,
                final_approved=(account.account_id, cycle) in facts.final_approvals,
                existing=existing,
            )
        )
    by_id = {c.account_id: c for c in candidates}
    phone_of_account = {c.account_id: c.phone for c in candidates}
    contacts: Dict[str, List[rules.ContactEvent]] = defaultdict(list)
    for contact in facts.contacts:
        conversation_id = contact.conversation_id
        phone = conversation_id if conversation_id.startswith("+") else phone_of_account.get(contact.account_id)
        if phone:
            contacts[phone].append(rules.ContactEvent(contact.created_at, contact.direction, conversation_id))
    return Portfolio(candidates, queued, by_id, facts.opted_out, facts.disputes, facts.marked_phones, contacts)


def contact_facts(p: Portfolio, account_id: str, phone: str, now: datetime, extra_today: int = 0) -> guard.ContactFacts:
    today, week = rules.count_contacts(p.contacts.get(phone, ()), now)
    return guard.ContactFacts(
        opted_out_channels=p.opted_out.get(phone, frozenset()),
        open_dispute=account_id in p.disputes,
        third_party_number=phone in p.marked_phones,
        contacts_today=today + extra_today,
        contacts_this_week=week + extra_today,
    )


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


@dataclass
class RunSummary:
    dry_run: bool
    now: datetime
    accounts: int = 0
    outcomes: Counter = field(default_factory=Counter)  # sent, queued, dropped, task_created, awaiting_approval, failed
    by_step: Counter = field(default_factory=Counter)  # sent per step
    skipped: Counter = field(default_factory=Counter)
    blocked: Counter = field(default_factory=Counter)  # reason -> count
    flushed: Counter = field(default_factory=Counter)  # sent, requeued, dropped, failed
    rasa: Counter = field(default_factory=Counter)
    reconciled: ReconcileResult = field(default_factory=ReconcileResult)

    def lines(self) -> List[str]:
        head = "外呼预演（--dry-run，未发送、未写入）" if self.dry_run else "外呼完成"
        out = [f"{head}：{self.now:%Y-%m-%d %H:%M} 共检查 {self.accounts} 个账户。"]
        verb = "将" if self.dry_run else "已"
        out.append(
            f"短信：{verb}发送 {self.outcomes['sent']} 条"
            + (f"（{'，'.join(f'{rules.STEP_LABELS[k]} {v}' for k, v in sorted(self.by_step.items()))}）" if self.by_step else "")
            + f"；排队待发 {self.outcomes['queued']} 条；拦截丢弃 {self.outcomes['dropped']} 条；"
            f"发送失败 {self.outcomes['failed']} 条。"
        )
        out.append(
            f"人工联系任务：{verb}创建 {self.outcomes['task_created']} 个；"
            f"正式通知待主管审批：{self.outcomes['awaiting_approval']} 个。"
        )
        if self.blocked:
            out.append("拦截原因：" + "，".join(f"{REASON_LABELS.get(k, k)} {v}" for k, v in self.blocked.most_common()))
        if self.flushed:
            out.append(
                f"之前排队的短信：发送 {self.flushed['sent']}，继续排队 {self.flushed['requeued']}，"
                f"丢弃 {self.flushed['dropped']}，失败 {self.flushed['failed']}。"
            )
        if self.skipped:
            out.append("未处理：" + "，".join(f"{SKIP_LABELS.get(k, k)} {v}" for k, v in self.skipped.most_common()))
        if not self.dry_run:
            r = self.reconciled
            out.append(f"承诺还款核对：履约 {r.kept}，部分履约 {r.partially_kept}，违约 {r.broken}。")
            if self.rasa:
                labels = {"ok": "成功", "failed": "失败", "off": "未配置"}
                out.append("通知智能助手（Rasa）：" + "，".join(f"{labels.get(k, k)} {v}" for k, v in self.rasa.items()))
        return out


class CampaignRunner:
    def __init__(
        self,
        settings: CampaignSettings,
        *,
        db_url: Optional[str] = None,
        sender=None,
        rasa: Optional[RasaTrigger] = None,
        bank_name: str = "星河银行",
        hotline: str = "400-800-9588",
        policy: Optional[PolicyConfig] = None,
        progress: Optional[TextIO] = None,
    ) -> None:
        self.settings = settings
        self.cfg = settings.campaign
        self.db_url = db_url
        self.sender = sender
        self.rasa = rasa or RasaTrigger(None, None)
        self.bank_name, self.hotline = bank_name, hotline
        self.policy = policy or PolicyConfig()
        self.progress = progress
        # The templates were measured with the default bank name and hotline;
        # measure them again with ours before anything is sent.
        problems = rules.over_budget(self.cfg, bank_name, hotline, self.policy.payment_methods[0])
        if problems:
            raise rules.CampaignConfigError("; ".join(problems))

    # -- helpers ------------------------------------------------------------

    def _message(self, c: Candidate, step: str, today: date) -> str:
        facts = rules.MessageFacts(
            bank=self.bank_name, hotline=self.hotline, phone_verified=c.phone_verified, name=c.name,
            card_last4=c.card_last4, balance=c.balance, minimum_due=c.minimum_due, due_date=c.due_date,
            days_past_due=c.days_past_due, pay_method=self.policy.payment_methods[0],
        )
        return rules.render_sms(step, facts, self.cfg, today)

    # Public: the steps made on another channel (bot/voice/campaign.py) record
    # themselves through these, like the runner's own SMS and task steps.
    def write(self, fn, *args, **kwargs):
        """``fn(session, *args, **kwargs)`` in one unit of work on the run's database; its result."""
        with session_scope(self.db_url) as s:
            return fn(s, *args, **kwargs)

    @staticmethod
    def upsert_send(s: Session, c: Candidate, step: str, **values) -> int:
        """Candidate ``c``'s one ``campaign_sends`` row for ``step`` this cycle, written with ``values``; its id."""
        return campaign_db.upsert_send(s, c.account_id, step, c.cycle, c.phone, **values)

    async def _send_sms(self, send_id: int, phone: str, account_id: str, step: str, body: str,
                        summary: RunSummary) -> str:
        result = await self.sender.send(phone, body)
        if result.sent:
            rasa_status, rasa_detail = await self.rasa.trigger(phone, step, body)
            summary.rasa[rasa_status] += 1
        else:
            rasa_status, rasa_detail = None, None

        def done(s: Session) -> None:
            if result.sent:
                campaign_db.record_sent(s, send_id, at=clock.now(), rasa_status=rasa_status, rasa_detail=rasa_detail,
                                        message_id=result.message_id, intent=f"campaign_{step}",
                                        account_id=account_id)
            elif result.status == "blocked_opt_out":
                campaign_db.update_send(s, send_id, status="dropped", reason=guard.OPTED_OUT)
            else:
                campaign_db.update_send(s, send_id, status="failed", reason=SEND_FAILED, detail=result.error)

        self.write(done)
        if result.sent:
            return "sent"
        return "dropped" if result.status == "blocked_opt_out" else "failed"

    # -- the run ------------------------------------------------------------

    async def run(self, now: Optional[datetime] = None, dry_run: bool = False) -> RunSummary:
        now = (now or clock.now()).astimezone(clock.SHANGHAI)
        today = now.date()
        summary = RunSummary(dry_run=dry_run, now=now)
        if not dry_run:
            summary.reconciled = self.write(reconcile_open_promises, today, self.settings.reconcile)
            # Issue 13: accounts that entered another delinquency stage are rescored before the steps.
            from bot.assessment.campaign_hook import rescore_band_crossings

            self.write(rescore_band_crossings, today)
        with session_scope(self.db_url) as s:
            p = load_portfolio(s, now, self.cfg)
        due_queued = [q for q in p.queued if q.retry_at is not None and q.retry_at <= now]
        summary.accounts = len(p.candidates)
        bar = ProgressBar(len(due_queued) + len(p.candidates), self.progress)
        extra: Counter = Counter()  # contacts made to each phone during this run
        try:
            for q in due_queued:
                await self._flush_one(q, p, now, dry_run, extra, summary)
                bar.advance()
            for c in p.candidates:
                await self._one(c, p, now, today, dry_run, extra, summary)
                bar.advance()
        finally:
            bar.close()
            await self.rasa.close()
        return summary

    async def _flush_one(self, q: SendRow, p: Portfolio, now: datetime, dry_run: bool,
                         extra: Counter, summary: RunSummary) -> None:
        c = p.account_by_id.get(q.account_id)
        if c is None or c.balance <= 0 or c.cycle != q.cycle:
            reason = PAID if c is not None and c.balance <= 0 else SUPERSEDED
            summary.flushed["dropped"] += 1
            if not dry_run:
                self.write(campaign_db.update_send, q.id, status="dropped", reason=reason)
            return
        if q.reason == IN_FLIGHT and q.retry_at and now - q.retry_at < timedelta(minutes=10):
            return  # another run is sending it right now
        outbound = guard.Outbound(text=q.body or "", channel=q.channel)
        decision = guard.check_outbound(outbound, contact_facts(p, c.account_id, c.phone, now, extra[c.phone]), now,
                                        self.settings.guard)
        if decision.allowed:
            extra[c.phone] += 1
            if dry_run:
                summary.flushed["sent"] += 1
                return
            self.write(campaign_db.update_send, q.id, reason=IN_FLIGHT, retry_at=now)
            outcome = await self._send_sms(q.id, c.phone, c.account_id, q.stage, q.body, summary)
            summary.flushed[outcome] += 1
            if outcome == "sent":
                summary.by_step[q.stage] += 1
            return
        summary.blocked[decision.reason] += 1
        summary.flushed["requeued" if decision.retry_at else "dropped"] += 1
        if dry_run:
            return

        def unit(s: Session) -> None:
            log_block(s, account_id=c.account_id, phone=c.phone, channel=q.channel, source="campaign",
                      decision=decision, stage=q.stage, text=q.body)
            if decision.retry_at:
                campaign_db.update_send(s, q.id, reason=decision.reason, detail=decision.detail or None,
                                        retry_at=decision.retry_at)
            else:
                campaign_db.update_send(s, q.id, reason=decision.reason, detail=decision.detail or None,
                                        status="dropped")

        self.write(unit)

    async def _one(self, c: Candidate, p: Portfolio, now: datetime, today: date, dry_run: bool,
                   extra: Counter, summary: RunSummary) -> None:
        decision = rules.due_step(
            rules.AccountFacts(
                account_id=c.account_id, days_past_due=c.days_past_due, balance=c.balance, cycle=c.cycle,
                has_active_arrangement=c.has_active_arrangement, done_steps=c.done_steps,
                final_approved=c.final_approved,
            ),
            self.cfg,
        )
        if decision.action in rules_skip_actions():
            summary.skipped[decision.action] += 1
            return
        step = decision.step
        if decision.action == "await_approval":
            summary.outcomes["awaiting_approval"] += 1
            if not dry_run and step not in c.existing:
                self.write(self.upsert_send, c, step, status="awaiting_approval", channel=self.cfg.channel,
                           reason="awaiting_approval")
            return
        if step in self.settings.voice_steps and decision.action in ("task", "send"):
            # Issue 17: this step is made by phone (bot/voice/campaign.py), guard first.
            from bot.voice.campaign import call_step

            await call_step(self, c, step, now, dry_run, summary)
            return
        facts = contact_facts(p, c.account_id, c.phone, now, extra[c.phone])
        if decision.action == "task":
            text = rules.agent_task_text(c.days_past_due, c.stage)
            # A person will call later, in staffed hours: no quiet-hour or cap
            # check now, but never to a wrong number, an opted-out or disputing cardholder.
            verdict = guard.check_outbound(guard.Outbound(text=text, channel="phone", starts_contact=False),
                                           facts, now, self.settings.guard)
            if not verdict.allowed:
                self._record_drop(c, step, "phone", text, verdict, dry_run, summary)
                return
            summary.outcomes["task_created"] += 1
            if dry_run:
                return

            def unit(s: Session) -> None:
                self.upsert_send(s, c, step, status="task_created", channel="agent", body=text)
                campaign_db.open_call_task(s, c.account_id, c.cycle, c.stage, text)

            self.write(unit)
            return

        body = self._message(c, step, today)
        verdict = guard.check_outbound(guard.Outbound(text=body, channel=self.cfg.channel), facts, now,
                                       self.settings.guard)
        if not verdict.allowed:
            self._record_drop(c, step, self.cfg.channel, body, verdict, dry_run, summary)
            return
        extra[c.phone] += 1
        if not dry_run:
            # Issue 13: the assessed segment's treatment may add an agent call (bot/assessment/campaign_hook.py).
            from bot.assessment.campaign_hook import treatment_task

            self.write(treatment_task, c.account_id, c.cycle, c.stage, today)
        if dry_run:
            summary.outcomes["sent"] += 1
            summary.by_step[step] += 1
            return
        send_id = self.write(self.upsert_send, c, step, status="queued", channel=self.cfg.channel, body=body,
                             reason=IN_FLIGHT, retry_at=now)
        outcome = await self._send_sms(send_id, c.phone, c.account_id, step, body, summary)
        summary.outcomes[outcome] += 1
        if outcome == "sent":
            summary.by_step[step] += 1

    def _record_drop(self, c: Candidate, step: str, channel: str, text: str, verdict: guard.GuardDecision,
                     dry_run: bool, summary: RunSummary) -> None:
        queued = verdict.retry_at is not None
        summary.blocked[verdict.reason] += 1
        summary.outcomes["queued" if queued else "dropped"] += 1
        if dry_run:
            return

        def unit(s: Session) -> None:
            log_block(s, account_id=c.account_id, phone=c.phone, channel=channel, source="campaign",
                      decision=verdict, stage=step, text=text)
            self.upsert_send(
                s, c, step, status="queued" if queued else "dropped", channel=channel, body=text,
                reason=verdict.reason, detail=verdict.detail or None, retry_at=verdict.retry_at,
            )

        self.write(unit)


def rules_skip_actions() -> frozenset:
    return frozenset({"not_due", "paid", "active_arrangement", "already_done"})


# --------------------------------------------------------------------------
# Approval, tasks, scheduling
# --------------------------------------------------------------------------


class ApprovalError(ValueError):
    pass


def approve_final_notice(s: Session, account_id: str, approved_by: str, today: date,
                         cfg: rules.CampaignConfig, note: Optional[str] = None) -> Tuple[int, bool]:
    """Approve the final notice for the account's current cycle; (id, created)."""
    due_date = campaign_db.account_due_date(s, account_id)
    if due_date is None:
        raise ApprovalError(f"未找到账户：{account_id}")
    if not approved_by or not approved_by.strip():
        raise ApprovalError("必须注明审批人")
    dpd = days_past_due(due_date, today)
    if dpd < cfg.final_notice_dpd:
        raise ApprovalError(
            f"账户 {account_id} 逾期 {dpd} 天，未到正式通知阶段（需逾期 {cfg.final_notice_dpd} 天及以上）"
        )
    cycle = cycle_of(due_date)
    existing = campaign_db.final_notice_approval_id(s, account_id, cycle)
    if existing is not None:
        return existing, False
    return campaign_db.add_final_notice_approval(s, account_id, cycle, approved_by.strip(), note), True


def pending_final_approvals(s: Session) -> List[Dict[str, Any]]:
    return [
        {"account_id": account_id, "cycle": cycle, "since": since}
        for account_id, cycle, since in campaign_db.awaiting_approval(s, rules.FINAL_NOTICE)
    ]


SCHEDULE_HOUR, SCHEDULE_MINUTE = 9, 30


def cron_line(repo_root: str, python_bin: Optional[str] = None) -> str:
    """The crontab line for a daily run (09:30 Beijing time, inside contact hours)."""
    collectbot = python_bin or os.path.join(repo_root, ".venv", "bin", "collectbot")
    return (
        f"CRON_TZ=Asia/Shanghai\n"
        f"{SCHEDULE_MINUTE} {SCHEDULE_HOUR} * * * cd {repo_root} && {collectbot} campaign run --no-progress "
        f">> {os.path.join(repo_root, 'var', 'campaign.log')} 2>&1"
    )
