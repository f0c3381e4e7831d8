"""Why the console refused a booking, written for the agent.

The policy's own reasons (bot/core/policy.py) are sentences for the
cardholder ("您的账户已有一笔分期…"). An agent needs the rule, the limits
and what the account can have instead, naming only arrangements that
exist on the account and options the policy would accept now.

The checks run in the policy's order (account-level blockers first), so the
reason given here is the one that refused the booking.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import List

from bot.core import policy
from bot.core.money import fmt_yuan

ARRANGEMENT_NAMES = {
    policy.ARRANGEMENT_INSTALLMENT: "标准分期",
    policy.ARRANGEMENT_HARDSHIP: "个性化还款方案",
    policy.ARRANGEMENT_DEFERRAL: "延期还款",
    policy.ARRANGEMENT_PROMISE: "承诺还款",
}

INSTALLMENT_LIKE = frozenset({policy.ARRANGEMENT_INSTALLMENT, policy.ARRANGEMENT_HARDSHIP})


def _existing(facts: policy.AccountFacts, kinds: frozenset) -> str:
    names = [ARRANGEMENT_NAMES.get(k, k) for k in sorted(facts.active_arrangement_kinds & kinds)]
    return "、".join(names)


def allowed_now(facts: policy.AccountFacts, today: date, cfg: policy.PolicyConfig) -> str:
    """What the policy would book on this account today."""
    if facts.balance <= 0:
        return "无需办理（账户没有待还金额）"
    parts: List[str] = []
    options = policy.installment_options(facts, cfg)
    if options:
        parts.append("分期 " + "、".join(f"{q.months}期（每期{fmt_yuan(q.monthly_payment)}）" for q in options))
    if policy.deferral_eligibility(facts, cfg).ok:
        parts.append(f"延期还款（最长{cfg.max_deferral_days}天，至{today + timedelta(days=cfg.max_deferral_days)}）")
    strict = policy.promises_broken(facts, cfg)
    horizon = cfg.promise_horizon_after_broken_days if strict else cfg.promise_horizon_days
    floor = f"，金额不低于最低还款额{fmt_yuan(facts.minimum_due)}" if strict else ""
    parts.append(f"承诺还款（{horizon}天内{floor}）")
    return "；".join(parts)


def _text(what: str, reason: str, facts: policy.AccountFacts, today: date, cfg: policy.PolicyConfig) -> str:
    return f"不能办理{what}：{reason}。该账户当前可办理：{allowed_now(facts, today, cfg)}。"


def installment(facts: policy.AccountFacts, months: int, today: date, cfg: policy.PolicyConfig) -> str:
    what = f"{months}期分期"
    terms = "、".join(f"{t}期" for t in cfg.installment_terms)
    if facts.balance <= 0:
        reason = "账户没有待还金额"
    elif facts.open_dispute:
        reason = "账户有未结的债务争议；争议核实完成前不办理分期类方案（办理即等于让客户确认有争议的金额）"
    elif facts.has_installment:
        reason = (f"账户已有进行中的{_existing(facts, INSTALLMENT_LIKE)}，"
                  "同一时间只能有一个分期类方案；如需调整，请主管处理现有方案")
    elif facts.balance < cfg.min_installment_principal:
        reason = f"分期要求应还金额不低于{fmt_yuan(cfg.min_installment_principal)}，本账户应还{fmt_yuan(facts.balance)}"
    elif months not in cfg.installment_terms:
        reason = f"标准分期期数只有{terms}"
    else:
        reason = (f"{months}期要求应还金额不低于{fmt_yuan(cfg.min_principal_for_24)}，"
                  f"本账户应还{fmt_yuan(facts.balance)}")
    return _text(what, reason, facts, today, cfg)


def deferral(facts: policy.AccountFacts, days: int, today: date, cfg: policy.PolicyConfig) -> str:
    what = f"延期{days}天"
    if facts.balance <= 0:
        reason = "账户没有待还金额"
    elif facts.has_deferral:
        reason = "本次逾期已办理过延期，每次逾期只能延期一次"
    elif policy.promises_broken(facts, cfg):
        reason = f"客户已有{facts.broken_promises}次违约承诺（达到上限{cfg.broken_promise_limit}次后不再办理延期）"
    elif policy.stage_rank(facts.stage) > policy.stage_rank(cfg.deferral_max_stage):
        reason = f"延期只适用于{cfg.deferral_max_stage}及以内的账户，本账户逾期{facts.days_past_due}天（{facts.stage}）"
    else:
        reason = f"延期最长为{cfg.max_deferral_days}天（至少1天）"
    return _text(what, reason, facts, today, cfg)


def promise(
    facts: policy.AccountFacts, amount: Decimal, pay_date: date, today: date, cfg: policy.PolicyConfig
) -> str:
    what = f"承诺还款{fmt_yuan(amount)}（{pay_date}）"
    strict = policy.promises_broken(facts, cfg)
    horizon = cfg.promise_horizon_after_broken_days if strict else cfg.promise_horizon_days
    if amount <= 0:
        reason = "承诺金额须大于0元"
    elif amount > facts.balance:
        reason = f"承诺金额超过应还总额{fmt_yuan(facts.balance)}"
    elif pay_date < today:
        reason = "还款日期早于今天"
    elif strict and amount < facts.minimum_due:
        reason = (f"客户已有{facts.broken_promises}次违约承诺，承诺金额须不低于最低还款额"
                  f"{fmt_yuan(facts.minimum_due)}")
    else:
        because = f"客户已有{facts.broken_promises}次违约承诺，" if strict else ""
        reason = f"{because}还款日期须在{horizon}天内（不晚于{today + timedelta(days=horizon)}）"
    return _text(what, reason, facts, today, cfg)
