"""Staged outreach: which step an overdue account is due for, and its SMS.

Plain Python (no Rasa, web or database imports). The runner
(bot/campaign/runner.py) gathers the facts, asks `due_step` what to do for
each account, renders the SMS with `render_sms` and passes every message
through the compliance guard (bot/core/guard.py) before anything leaves.

The steps, by days past due (thresholds configurable, see CampaignConfig):

1. ``reminder`` - a friendly first reminder: amount, due date, how to pay;
2. ``notice`` - firmer: the effect on the credit record, and the options
   (installment, deferral);
3. ``agent_call`` - no SMS: a task for a person to contact the cardholder;
4. ``final_notice`` - the formal notice that legal steps may follow; only
   after a supervisor approved it for this account and cycle.

An account gets the highest step it has reached and never the same step
twice in one delinquency *cycle* (the cycle is the statement's due date: a
new statement starts a new cycle). Lower steps that were skipped (an account
imported already 45 days past due) are not sent afterwards.

No amount, name or card digits go to a number the bank has not confirmed as
the cardholder's own (``phone_verified``): the same right-party rule as in
chat. The unverified variants only say there is something to settle and how
to reach the bank.

Every template ends with how to stop SMS reminders (``回T退订``,
bot/core/sms.py), and rendered with long but realistic values it fits in
``sms_max_segments`` segments (70 UCS-2 characters for one SMS, 67 per part
when concatenated); a template that does not is refused when the config is
loaded, and again by the runner with the bank's own name and hotline.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

from bot.core import call_guard, guard
from bot.core.compliance import find_forbidden
from bot.core.money import fmt_yuan
from bot.core.sms import OPT_OUT_LINE, has_opt_out_line, segment_count

REMINDER = "reminder"
NOTICE = "notice"
AGENT_CALL = "agent_call"
FINAL_NOTICE = "final_notice"
STEPS: Tuple[str, ...] = (REMINDER, NOTICE, AGENT_CALL, FINAL_NOTICE)
SMS_STEPS = (REMINDER, NOTICE, FINAL_NOTICE)

# What supervisors and agents read.
STEP_LABELS = {
    REMINDER: "首次提醒",
    NOTICE: "二次通知",
    AGENT_CALL: "人工联系",
    FINAL_NOTICE: "正式通知",
}

# Why the runner did not send a step's SMS: the guard's reasons
# (bot/core/guard.py) and the runner's own. Stable codes: the
# ``outbound_blocks`` table and the KPI reports count by them.
PAID = "paid"
SUPERSEDED = "superseded"
SEND_FAILED = "send_failed"
BLOCK_REASON_LABELS = {
    guard.QUIET_HOURS: "免打扰时段",
    guard.DAILY_CAP: "超过每日联系上限",
    guard.WEEKLY_CAP: "超过每周联系上限",
    guard.OPTED_OUT: "客户已退订该渠道",
    guard.OPEN_DISPUTE: "账户有未结争议",
    guard.THIRD_PARTY: "号码为第三方/错号",
    guard.FORBIDDEN_WORDING: "含禁用措辞",
    guard.MISSING_OPT_OUT: "短信缺少退订提示",
    PAID: "已结清",
    SUPERSEDED: "已进入新的账单周期",
    SEND_FAILED: "发送失败",
    # Phone calls (issue 17: bot/core/call_guard.py, bot/voice/calls.py).
    call_guard.UNANSWERED_CALL_CAP: "今日未接通电话已达上限",
    call_guard.NOT_CONFIGURED: "未配置电话外呼（缺少Twilio语音设置）",
}
# Why an account got no step in a run (not a block: nothing was due).
SKIP_LABELS = {
    "not_due": "未到提醒时间",
    "paid": "已结清",
    "active_arrangement": "有有效还款安排",
    "already_done": "本周期已处理",
}

# Template placeholders. The verified variants may use all of them; the
# unverified ones only the first two (nothing that identifies the debt).
SAFE_FIELDS = frozenset({"bank", "hotline"})
ALL_FIELDS = SAFE_FIELDS | frozenset(
    {"name", "card_last4", "balance", "minimum_due", "due_date", "days_past_due", "pay_method", "deadline"}
)

DEFAULT_TEMPLATES: Dict[str, str] = {
    "reminder_verified": (
        "【{bank}】{name}您好，您尾号{card_last4}的信用卡账单已于{due_date}到期，"
        "最低还款额{minimum_due}尚未还清。可通过{pay_method}还款，已还款请忽略；"
        "还款有困难可直接回复本短信。" + OPT_OUT_LINE
    ),
    # One SMS (70 characters) with the default bank name and hotline.
    "reminder_unverified": (
        "【{bank}】您好，您的信用卡账户有一笔还款待处理，回复本短信核实身份可查看详情，"
        "或致电{hotline}。已处理请忽略。" + OPT_OUT_LINE
    ),
    "notice_verified": (
        "【{bank}】{name}您好，您尾号{card_last4}的信用卡已逾期{days_past_due}天，欠款{balance}。"
        "逾期记录将按规定报送征信，影响您的信用记录。一次还清有困难的，可回复本短信申请分期或延期还款，"
        "或致电{hotline}。" + OPT_OUT_LINE
    ),
    "notice_unverified": (
        "【{bank}】尊敬的客户您好，您的信用卡账户已逾期，逾期记录将按规定报送征信、影响信用记录。"
        "回复本短信并核实身份后可申请分期或延期还款，或致电{hotline}。" + OPT_OUT_LINE
    ),
    "final_notice_verified": (
        "【{bank}】正式通知：{name}您好，您尾号{card_last4}的信用卡已逾期{days_past_due}天，"
        "欠款{balance}。请于{deadline}前还款或与我们协商还款方案；仍未处理的，本行可能依法通过诉讼等"
        "法律途径处理。咨询请致电{hotline}。" + OPT_OUT_LINE
    ),
    "final_notice_unverified": (
        "【{bank}】正式通知：尊敬的客户，您的信用卡账户逾期较久且多次提醒未能解决。"
        "请尽快致电{hotline}或回复本短信核实身份后协商还款方案；仍未处理的，本行可能依法通过法律途径处理。"
        + OPT_OUT_LINE
    ),
}

AGENT_TASK_TEXT = "逾期{days_past_due}天，短信提醒后仍未还款，请人工电话联系持卡人（阶段：{stage}）。"


class CampaignConfigError(ValueError):
    """A campaign override (YAML) is malformed."""


def _template_fields(template: str) -> List[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


@dataclass(frozen=True)
class CampaignConfig:
    # First day past due on which each step is due.
    reminder_dpd: int = 3
    notice_dpd: int = 31
    agent_call_dpd: int = 61
    final_notice_dpd: int = 91
    # The final notice gives this many days to pay before legal steps.
    final_notice_deadline_days: int = 15
    # An account with a live arrangement (promise, installment, deferral …)
    # is left alone: the cardholder is doing what was agreed.
    skip_active_arrangements: bool = True
    channel: str = "twilio_sms"
    #: Segments one campaign SMS may take, opt-out line included (2 = 134
    #: Chinese characters), checked with long but realistic values.
    sms_max_segments: int = 2
    templates: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TEMPLATES))

    def __post_init__(self) -> None:
        thresholds = [self.reminder_dpd, self.notice_dpd, self.agent_call_dpd, self.final_notice_dpd]
        for name, value in zip(("reminder_dpd", "notice_dpd", "agent_call_dpd", "final_notice_dpd"), thresholds):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise CampaignConfigError(f"{name} must be a positive integer, got {value!r}")
        if thresholds != sorted(thresholds) or len(set(thresholds)) != len(thresholds):
            raise CampaignConfigError(
                "thresholds must increase: reminder_dpd < notice_dpd < agent_call_dpd < final_notice_dpd"
            )
        if not isinstance(self.final_notice_deadline_days, int) or self.final_notice_deadline_days < 1:
            raise CampaignConfigError("final_notice_deadline_days must be a positive integer")
        if not isinstance(self.sms_max_segments, int) or isinstance(self.sms_max_segments, bool) \
                or self.sms_max_segments < 1:
            raise CampaignConfigError(f"sms_max_segments must be a positive integer, got {self.sms_max_segments!r}")
        merged = dict(DEFAULT_TEMPLATES)
        merged.update(self.templates or {})
        unknown = sorted(set(merged) - set(DEFAULT_TEMPLATES))
        if unknown:
            raise CampaignConfigError(f"unknown template keys: {', '.join(unknown)}")
        for key, template in merged.items():
            if not isinstance(template, str) or not template.strip():
                raise CampaignConfigError(f"template {key} must be non-empty text")
            allowed = SAFE_FIELDS if key.endswith("_unverified") else ALL_FIELDS
            bad = sorted(set(_template_fields(template)) - allowed)
            if bad:
                raise CampaignConfigError(f"template {key} uses placeholders not allowed there: {', '.join(bad)}")
            terms = find_forbidden(template)
            if terms:
                raise CampaignConfigError(f"template {key} contains forbidden wording: {'、'.join(terms)}")
            if not has_opt_out_line(template):
                raise CampaignConfigError(
                    f"template {key} must end with how to stop SMS reminders: “{OPT_OUT_LINE}”"
                )
        object.__setattr__(self, "templates", merged)
        problems = over_budget(self)
        if problems:
            raise CampaignConfigError("; ".join(problems))

    @classmethod
    def from_mapping(cls, data: Optional[Mapping]) -> "CampaignConfig":
        """From YAML (``COLLECTBOT_CAMPAIGN_FILE``); unknown keys fail loudly."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise CampaignConfigError(f"campaign config must be a mapping, not {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            raise CampaignConfigError(f"unknown campaign keys: {', '.join(unknown)}")
        return cls(**dict(data))

    def threshold(self, step: str) -> int:
        return {
            REMINDER: self.reminder_dpd,
            NOTICE: self.notice_dpd,
            AGENT_CALL: self.agent_call_dpd,
            FINAL_NOTICE: self.final_notice_dpd,
        }[step]


@dataclass(frozen=True)
class AccountFacts:
    """What step selection needs to know about one account."""

    account_id: str
    days_past_due: int
    balance: Decimal
    cycle: str
    has_active_arrangement: bool = False
    #: Steps already taken in this cycle (any outcome but awaiting approval).
    done_steps: frozenset = frozenset()
    final_approved: bool = False


@dataclass(frozen=True)
class StepDecision:
    step: Optional[str]
    #: "send" (an SMS), "task" (agent call), "await_approval" (final notice
    #: not yet approved), or why nothing is done: "not_due", "paid",
    #: "active_arrangement", "already_done".
    action: str


def highest_step(days_past_due: int, cfg: CampaignConfig) -> Optional[str]:
    reached = [s for s in STEPS if days_past_due >= cfg.threshold(s)]
    return reached[-1] if reached else None


def due_step(facts: AccountFacts, cfg: CampaignConfig) -> StepDecision:
    """The campaign step to take for this account now (idempotent per cycle)."""
    step = highest_step(facts.days_past_due, cfg)
    if step is None:
        return StepDecision(None, "not_due")
    if facts.balance <= 0:
        return StepDecision(step, "paid")
    if step in facts.done_steps:
        return StepDecision(step, "already_done")
    if cfg.skip_active_arrangements and facts.has_active_arrangement:
        return StepDecision(step, "active_arrangement")
    if step == AGENT_CALL:
        return StepDecision(step, "task")
    if step == FINAL_NOTICE and not facts.final_approved:
        return StepDecision(step, "await_approval")
    return StepDecision(step, "send")


@dataclass(frozen=True)
class MessageFacts:
    """What a template may say (only the verified variants use the account's figures)."""

    bank: str
    hotline: str
    phone_verified: bool
    name: str = ""
    card_last4: str = ""
    balance: Decimal = Decimal("0")
    minimum_due: Decimal = Decimal("0")
    due_date: Optional[date] = None
    days_past_due: int = 0
    pay_method: str = ""


def _fmt_date(d: Optional[date]) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def render_sms(step: str, facts: MessageFacts, cfg: CampaignConfig, today: date) -> str:
    """The SMS for ``step``; raises ValueError for a step without SMS."""
    if step not in SMS_STEPS:
        raise ValueError(f"step {step!r} sends no SMS")
    variant = "verified" if facts.phone_verified else "unverified"
    template = cfg.templates[f"{step}_{variant}"]
    values = {"bank": facts.bank, "hotline": facts.hotline}
    if facts.phone_verified:
        values.update(
            name=facts.name,
            card_last4=facts.card_last4,
            balance=fmt_yuan(facts.balance),
            minimum_due=fmt_yuan(facts.minimum_due),
            due_date=_fmt_date(facts.due_date),
            days_past_due=str(facts.days_past_due),
            pay_method=facts.pay_method,
            deadline=_fmt_date(today + timedelta(days=cfg.final_notice_deadline_days)),
        )
    text = template.format(**values)
    terms = find_forbidden(text)
    if terms:  # a name or bank setting could in theory introduce one
        raise ValueError(f"rendered {step} SMS contains forbidden wording: {'、'.join(terms)}")
    return text


# Long but realistic values for the segment budget: the default bank name,
# hotline and first payment method (bot/settings.py, bot/core/policy.py), a
# four-character name, seven-figure amounts, a three-digit days past due.
BUDGET_BANK = "星河银行"
BUDGET_HOTLINE = "400-800-9588"
BUDGET_PAY_METHOD = "手机银行App“还款”页面"
BUDGET_TODAY = date(2026, 12, 31)


def over_budget(
    cfg: "CampaignConfig", bank: str = BUDGET_BANK, hotline: str = BUDGET_HOTLINE,
    pay_method: str = BUDGET_PAY_METHOD,
) -> List[str]:
    """Why a template would exceed ``cfg.sms_max_segments`` (empty: all fit)."""
    problems = []
    for verified in (True, False):
        facts = MessageFacts(
            bank=bank, hotline=hotline, phone_verified=verified, name="欧阳娜娜", card_last4="8888",
            balance=Decimal("1234567.89"), minimum_due=Decimal("123456.78"), due_date=date(2026, 12, 31),
            days_past_due=999, pay_method=pay_method,
        )
        for step in SMS_STEPS:
            text = render_sms(step, facts, cfg, BUDGET_TODAY)
            segments = segment_count(text)
            if segments > cfg.sms_max_segments:
                key = f"{step}_{'verified' if verified else 'unverified'}"
                problems.append(
                    f"template {key} takes {segments} SMS segments ({len(text)} characters with long values), "
                    f"more than sms_max_segments={cfg.sms_max_segments}"
                )
    return problems


def agent_task_text(days_past_due: int, stage: str) -> str:
    return AGENT_TASK_TEXT.format(days_past_due=days_past_due, stage=stage)


# --------------------------------------------------------------------------
# Counting contacts for the guard's caps
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactEvent:
    """One contact-log row of a phone/account: direction "in" or "out"."""

    at: datetime
    direction: str
    conversation_id: str = ""


@dataclass(frozen=True)
class ContactCountRules:
    #: An outbound message within this time after the cardholder wrote is a
    #: reply, not a new contact.
    reply_window: timedelta = timedelta(hours=24)
    #: Outbound messages closer together than this are one contact (a reply
    #: split into several SMS, an agent following the bot's message).
    merge_window: timedelta = timedelta(minutes=30)


def count_contacts(
    events: Iterable[ContactEvent], now: datetime, rules: ContactCountRules = ContactCountRules()
) -> Tuple[int, int]:
    """(contacts today, contacts this week) initiated by the bank.

    "Today" is the Shanghai calendar day of ``now``; "this week" the seven
    days ending now (a rolling window, so no Monday reset allows a burst).
    """
    ordered = sorted(events, key=lambda e: e.at)
    last_in: Optional[datetime] = None
    last_contact: Optional[datetime] = None
    starts: List[datetime] = []
    for event in ordered:
        if event.at > now:
            continue
        if event.direction == "in":
            last_in = event.at
            continue
        if last_in is not None and event.at - last_in <= rules.reply_window:
            continue
        if last_contact is not None and event.at - last_contact < rules.merge_window:
            continue
        last_contact = event.at
        starts.append(event.at)
    local_today = now.date()
    week_start = now - timedelta(days=7)
    today_count = sum(1 for at in starts if at.astimezone(now.tzinfo).date() == local_today)
    week_count = sum(1 for at in starts if at > week_start)
    return today_count, week_count

