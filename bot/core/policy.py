"""Collection policy: what a cardholder may be offered, and at what price.

Plain Python on purpose: these rules decide what the bank promises in
writing, so they must be testable without Rasa, a database or a clock.
All amounts are ``Decimal`` quantized to the fen (see ``bot.core.money``);
``today`` is always passed in, never read here.

Reasons and alternatives are shown to the cardholder verbatim, so they are
in Simplified Chinese, polite and factual: a refusal always says why and,
where one exists, what the nearest thing we *can* do is.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Mapping, Optional

from bot.core.money import FEN, fmt_yuan, to_money

# Delinquency buckets in order of severity. "M3+" is everything past 90
# days; banks usually treat it as one bucket (legal/charge-off review).
STAGES: tuple[str, ...] = ("M0", "M1", "M2", "M3", "M3+")

# Last day past due that still belongs to each bucket (M3+ is open-ended).
_STAGE_MAX_DPD = {"M0": 0, "M1": 30, "M2": 60, "M3": 90}

# Names of arrangements recorded on an account (AccountFacts.active_arrangement_kinds).
ARRANGEMENT_INSTALLMENT = "installment"
ARRANGEMENT_HARDSHIP = "hardship"
ARRANGEMENT_DEFERRAL = "deferral"
ARRANGEMENT_PROMISE = "promise"

# A hardship plan is an instalment plan too: the balance is already being
# repaid over months, so a second (standard) plan on top would re-split
# money that is already scheduled.
_INSTALLMENT_LIKE = frozenset({ARRANGEMENT_INSTALLMENT, ARRANGEMENT_HARDSHIP})

# Terms of this length or longer are "long terms" and need the larger
# balance in PolicyConfig.min_principal_for_24. Written as a threshold rather
# than "== 24" so that a bank adding a 36-month term via config does not
# accidentally make it available to small balances.
_LONG_TERM_MONTHS = 24


class PolicyConfigError(ValueError):
    """A policy override (YAML/env) is malformed. Subclass of ValueError."""


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class PolicyConfig:
    installment_terms: tuple[int, ...] = (3, 6, 12, 24)
    monthly_fee_rate: Decimal = Decimal("0.006")  # 0.6 % of principal per month
    min_installment_principal: Decimal = Decimal("600")
    min_principal_for_24: Decimal = Decimal("5000")  # long terms only for larger balances
    max_deferral_days: int = 30
    deferral_max_stage: str = "M2"  # deferral only for M1/M2 accounts
    promise_horizon_days: int = 30  # a promise date must be within this many days
    hardship_max_months: int = 60
    # Monthly fee rate of a hardship (personalised) plan. 0 by default: a
    # plan for someone who cannot afford the standard ones is defeated by
    # charging them the standard fees on top.
    hardship_fee_rate: Decimal = Decimal("0")
    # After this many broken promises (bot/core/reconcile.py marks them when
    # payments are imported) the bot asks for more: a new promise must cover
    # the minimum due within a shorter horizon, and no deferral is offered
    # (the cardholder is steered to an installment plan or a person). 0 = off.
    broken_promise_limit: int = 1
    promise_horizon_after_broken_days: int = 7
    payment_methods: tuple[str, ...] = (
        "手机银行App“还款”页面",
        "支付宝/微信搜索“信用卡还款”",
        "银行柜台或ATM转账",
    )

    def __post_init__(self) -> None:
        # Validate even direct construction: a bad config must fail at start
        # up, not when the first cardholder asks for a quote.
        terms = self.installment_terms
        if not isinstance(terms, tuple) or not terms:
            raise ValueError("installment_terms must be a non-empty tuple of ints")
        if not all(_is_int(t) and t > 0 for t in terms):
            raise ValueError(f"installment_terms must be positive ints, got {terms!r}")
        if len(set(terms)) != len(terms):
            raise ValueError(f"installment_terms has duplicates: {terms!r}")
        # Options are listed to cardholders shortest first; keep one order.
        object.__setattr__(self, "installment_terms", tuple(sorted(terms)))

        for name in ("monthly_fee_rate", "hardship_fee_rate", "min_installment_principal", "min_principal_for_24"):
            value = getattr(self, name)
            if not isinstance(value, Decimal):
                raise TypeError(f"{name} must be Decimal, not {type(value).__name__}")
            if not value.is_finite():
                raise ValueError(f"{name} must be finite")
        if not (Decimal(0) <= self.monthly_fee_rate < Decimal(1)):
            raise ValueError(f"monthly_fee_rate must be in [0, 1), got {self.monthly_fee_rate}")
        # A hardship plan costing more than a standard one would punish the
        # cardholders it exists for.
        if not (Decimal(0) <= self.hardship_fee_rate <= self.monthly_fee_rate):
            raise ValueError(
                f"hardship_fee_rate must be in [0, monthly_fee_rate={self.monthly_fee_rate}], "
                f"got {self.hardship_fee_rate}"
            )
        if self.min_installment_principal <= 0:
            raise ValueError("min_installment_principal must be positive")
        if self.min_principal_for_24 < 0:
            raise ValueError("min_principal_for_24 must not be negative")
        # Thresholds are compared with fen amounts; store them as money.
        object.__setattr__(self, "min_installment_principal", to_money(self.min_installment_principal))
        object.__setattr__(self, "min_principal_for_24", to_money(self.min_principal_for_24))

        for name, minimum in (
            ("max_deferral_days", 1),
            ("promise_horizon_days", 0),
            ("hardship_max_months", 1),
            ("broken_promise_limit", 0),
            ("promise_horizon_after_broken_days", 0),
        ):
            value = getattr(self, name)
            if not _is_int(value):
                raise TypeError(f"{name} must be int, not {type(value).__name__}")
            if value < minimum:
                raise ValueError(f"{name} must be >= {minimum}, got {value}")
        # A hardship plan is the fallback when no standard term is affordable,
        # so it must be able to run at least as long as the longest standard one.
        if self.hardship_max_months < max(self.installment_terms):
            raise ValueError(
                f"hardship_max_months ({self.hardship_max_months}) must be >= "
                f"the longest installment term ({max(self.installment_terms)})"
            )

        if self.deferral_max_stage not in STAGES:
            raise ValueError(f"deferral_max_stage must be one of {STAGES}, got {self.deferral_max_stage!r}")

        methods = self.payment_methods
        if not isinstance(methods, tuple) or not methods:
            raise ValueError("payment_methods must be a non-empty tuple of strings")
        if not all(isinstance(m, str) and m.strip() for m in methods):
            raise ValueError(f"payment_methods must be non-empty strings, got {methods!r}")

    @classmethod
    def from_mapping(cls, data: Optional[Mapping]) -> "PolicyConfig":
        """Build a config from YAML/env overrides; missing keys keep defaults.

        Conversions are deliberately lenient about *representation* (YAML
        gives ``0.006`` as a float, env vars give everything as strings) but
        strict about *meaning*: unknown keys, non-numbers, fractional day
        counts and the like raise ``PolicyConfigError`` (a ``ValueError``).
        """
        if data is None:  # an empty YAML document loads as None
            return cls()
        if not isinstance(data, Mapping):
            raise PolicyConfigError(f"policy overrides must be a mapping, not {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            # A typo such as "max_deferal_days" must not silently fall back to
            # the default: the bank would believe its rule is in force.
            raise PolicyConfigError(f"unknown policy keys: {', '.join(unknown)}")

        converters = {
            "installment_terms": _conv_terms,
            "monthly_fee_rate": _conv_rate,
            "hardship_fee_rate": _conv_rate,
            "min_installment_principal": _conv_money,
            "min_principal_for_24": _conv_money,
            "max_deferral_days": _conv_int,
            "deferral_max_stage": _conv_stage,
            "promise_horizon_days": _conv_int,
            "hardship_max_months": _conv_int,
            "broken_promise_limit": _conv_int,
            "promise_horizon_after_broken_days": _conv_int,
            "payment_methods": _conv_methods,
        }
        kwargs = {}
        for key, raw in data.items():
            try:
                kwargs[key] = converters[key](raw)
            except PolicyConfigError:
                raise
            except (TypeError, ValueError) as exc:
                raise PolicyConfigError(f"policy key {key!r}: {exc}") from exc
        try:
            return cls(**kwargs)
        except (TypeError, ValueError) as exc:
            raise PolicyConfigError(str(exc)) from exc


def _conv_decimal(raw) -> Decimal:
    if isinstance(raw, bool):
        raise TypeError("expected a number, got a boolean")
    if isinstance(raw, float):
        # YAML turns "0.006" into a float. repr() gives the shortest string
        # that round-trips, i.e. exactly the literal the operator wrote, so
        # going through str() recovers it without binary noise. This is the
        # only place a float is accepted, and only for configuration.
        raw = repr(raw)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, str):
        try:
            value = Decimal(raw.strip().replace(",", ""))
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {raw!r}") from exc
    else:
        raise TypeError(f"expected a number, got {type(raw).__name__}")
    if not value.is_finite():
        raise ValueError(f"not a finite number: {raw!r}")
    return value


def _conv_rate(raw) -> Decimal:
    # Not quantized to the fen: a rate of 0.006 is a ratio, not an amount.
    return _conv_decimal(raw)


def _conv_money(raw) -> Decimal:
    return to_money(_conv_decimal(raw))


def _conv_int(raw) -> int:
    if isinstance(raw, bool):
        raise TypeError("expected an integer, got a boolean")
    if _is_int(raw):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("+-").isdigit():
        return int(raw.strip())
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    raise ValueError(f"expected an integer, got {raw!r}")


def _conv_stage(raw) -> str:
    if not isinstance(raw, str):
        raise TypeError(f"expected a stage name, got {type(raw).__name__}")
    stage = raw.strip().upper()
    if stage not in STAGES:
        raise ValueError(f"expected one of {', '.join(STAGES)}, got {raw!r}")
    return stage


def _conv_terms(raw) -> tuple[int, ...]:
    if isinstance(raw, str):  # env var style: "3,6,12"
        items = [part for part in raw.replace("，", ",").split(",") if part.strip()]
    elif isinstance(raw, (list, tuple)):
        items = list(raw)
    else:
        raise TypeError(f"expected a list of months, got {type(raw).__name__}")
    return tuple(_conv_int(item) for item in items)


def _conv_methods(raw) -> tuple[str, ...]:
    # A bare string is rejected rather than wrapped: iterating it would give
    # one "method" per character, and guessing a separator could split a
    # method description that itself contains commas.
    if not isinstance(raw, (list, tuple)):
        raise TypeError(f"expected a list of strings, got {type(raw).__name__}")
    if not all(isinstance(item, str) for item in raw):
        raise TypeError("every payment method must be a string")
    return tuple(item.strip() for item in raw)


# --------------------------------------------------------------------------
# Delinquency stage
# --------------------------------------------------------------------------

def stage_for(days_past_due: int) -> str:
    """0 -> "M0", 1-30 "M1", 31-60 "M2", 61-90 "M3", 91+ "M3+"."""
    if not _is_int(days_past_due):
        raise TypeError(f"days_past_due must be int, not {type(days_past_due).__name__}")
    if days_past_due < 0:
        raise ValueError(f"days_past_due must not be negative, got {days_past_due}")
    for stage in ("M0", "M1", "M2", "M3"):
        if days_past_due <= _STAGE_MAX_DPD[stage]:
            return stage
    return "M3+"


def days_past_due(due_date: date, today: date) -> int:
    """Whole days since the due date; 0 on or before it."""
    return max(0, (today - due_date).days)


def stage_rank(stage: str) -> int:
    """Severity order of a stage, for comparisons ("beyond M2")."""
    try:
        return STAGES.index(stage)
    except ValueError:
        raise ValueError(f"unknown stage {stage!r}; expected one of {STAGES}") from None


# --------------------------------------------------------------------------
# Account facts and results
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class AccountFacts:
    balance: Decimal
    minimum_due: Decimal
    due_date: date
    days_past_due: int
    open_dispute: bool = False
    broken_promises: int = 0
    active_arrangement_kinds: frozenset[str] = frozenset()  # e.g. {"installment"} if one is already booked

    def __post_init__(self) -> None:
        # Normalise once so every rule below can compare fen amounts; floats
        # are rejected by to_money rather than rounded.
        balance = to_money(self.balance)
        minimum_due = to_money(self.minimum_due)
        if balance < 0 or minimum_due < 0:
            raise ValueError("balance and minimum_due must not be negative")
        # After a partial payment the statement's minimum can exceed what is
        # left to pay; nobody can owe more as a minimum than in total, and
        # quoting the stale figure would ask for money not owed.
        minimum_due = min(minimum_due, balance)
        if not _is_int(self.days_past_due) or self.days_past_due < 0:
            raise ValueError(f"days_past_due must be a non-negative int, got {self.days_past_due!r}")
        if not _is_int(self.broken_promises) or self.broken_promises < 0:
            raise ValueError(f"broken_promises must be a non-negative int, got {self.broken_promises!r}")
        object.__setattr__(self, "balance", balance)
        object.__setattr__(self, "minimum_due", minimum_due)
        object.__setattr__(self, "active_arrangement_kinds", frozenset(self.active_arrangement_kinds))

    @property
    def stage(self) -> str:
        return stage_for(self.days_past_due)

    @property
    def has_installment(self) -> bool:
        return bool(self.active_arrangement_kinds & _INSTALLMENT_LIKE)

    @property
    def has_deferral(self) -> bool:
        return ARRANGEMENT_DEFERRAL in self.active_arrangement_kinds


@dataclass(frozen=True)
class InstallmentQuote:
    months: int
    principal: Decimal
    monthly_fee_rate: Decimal
    monthly_principal: Decimal  # principal / months rounded to fen
    monthly_fee: Decimal  # principal * rate rounded to fen
    monthly_payment: Decimal  # monthly_principal + monthly_fee (regular instalment)
    last_payment: Decimal  # last instalment absorbs the rounding residue so that the sum is exact
    total_fee: Decimal  # monthly_fee * months
    total_repayment: Decimal  # principal + total_fee == (months-1)*monthly_payment + last_payment exactly
    needs_approval: bool = False  # True for hardship plans


@dataclass(frozen=True)
class Decision:
    ok: bool
    reason: str = ""  # Chinese, polite, factual, shown to the cardholder when not ok
    alternative: str = ""  # Chinese: the nearest eligible alternative, when not ok
    value: object = None  # e.g. the quote, the new due date


@dataclass(frozen=True)
class PromiseCheck:
    ok: bool
    partial: bool  # amount < minimum_due
    amount: Decimal
    pay_date: date
    reason: str = ""  # Chinese, why the promise cannot be recorded (empty when ok)
    note: str = ""  # Chinese, shown with an *accepted* partial promise


def fmt_date(d: date) -> str:
    """Chinese calendar date as cardholders write it: 2026年1月5日."""
    return f"{d.year}年{d.month}月{d.day}日"


# --------------------------------------------------------------------------
# Installments
# --------------------------------------------------------------------------

def installment_quote(
    principal: Decimal, months: int, config: PolicyConfig, *, hardship: bool = False
) -> InstallmentQuote:
    """Price an instalment plan at the standard fee rate. Pure arithmetic:
    eligibility is check_installment's job.

    The fee is charged monthly on the *original* principal (the usual
    Chinese bill-installment model, 每期手续费 = 本金 × 月费率), so it is the
    same every month. The regular principal part is rounded to the fen and
    the last instalment absorbs the residue, which keeps the sum of all
    instalments exactly equal to principal + total fee.

    ``hardship=True`` marks a plan that needs approval but keeps the standard
    rate (a person pricing an exception); ``hardship_quote`` prices a plan at
    the policy's hardship rate.
    """
    return _price(principal, months, config.monthly_fee_rate, needs_approval=hardship)


def hardship_quote(principal: Decimal, months: int, config: PolicyConfig) -> InstallmentQuote:
    """A personalised plan at ``hardship_fee_rate``, for a specialist to approve."""
    return _price(principal, months, config.hardship_fee_rate, needs_approval=True)


def _price(principal: Decimal, months: int, rate: Decimal, *, needs_approval: bool) -> InstallmentQuote:
    principal = to_money(principal)
    if principal <= 0:
        raise ValueError(f"principal must be positive, got {principal}")
    if not _is_int(months) or months < 1:
        raise ValueError(f"months must be a positive int, got {months!r}")
    monthly_principal = (principal / months).quantize(FEN, rounding=ROUND_HALF_UP)
    monthly_fee = (principal * rate).quantize(FEN, rounding=ROUND_HALF_UP)
    monthly_payment = monthly_principal + monthly_fee
    total_fee = monthly_fee * months
    total_repayment = principal + total_fee
    last_payment = total_repayment - monthly_payment * (months - 1)
    if monthly_payment <= 0 or last_payment <= 0:
        # Only possible for a few yuan spread over many months: instalments
        # round to 0.00, or rounding each month up overshoots the principal.
        # Such a plan makes no sense to offer.
        raise ValueError(f"principal {principal} is too small to split into {months} instalments")
    return InstallmentQuote(
        months=months,
        principal=principal,
        monthly_fee_rate=rate,
        monthly_principal=monthly_principal,
        monthly_fee=monthly_fee,
        monthly_payment=monthly_payment,
        last_payment=last_payment,
        total_fee=total_fee,
        total_repayment=total_repayment,
        needs_approval=needs_approval,
    )


def _quote_phrase(quote: InstallmentQuote) -> str:
    text = f"{quote.months}期（每期{fmt_yuan(quote.monthly_payment)}"
    if quote.last_payment != quote.monthly_payment:
        text += f"，末期{fmt_yuan(quote.last_payment)}"
    return text + f"，总手续费{fmt_yuan(quote.total_fee)}）"


def account_blocks_installment(
    facts: AccountFacts, config: PolicyConfig, *, hardship: bool = False
) -> Optional[Decision]:
    """Refusals that do not depend on the term asked for, most fundamental first.

    ``hardship=True``: for a personalised plan a person books (the console),
    which has no minimum principal; nothing to pay, a dispute and a plan
    already running refuse it all the same.
    """
    if facts.balance <= 0:
        return Decision(False, reason="您的账户当前没有待还金额，无需办理分期。")
    if facts.open_dispute:
        # Booking a plan on a disputed bill would have the cardholder
        # acknowledge the very amount they contest.
        return Decision(
            False,
            reason="您的账户有账单异议正在核实中，核实完成前暂时无法办理分期。",
            alternative="核实完成后我们可以再为您评估分期方案；在此期间，无异议部分可按正常方式还款。",
        )
    if facts.has_installment:
        return Decision(
            False,
            reason="您的账户已有一笔分期正在进行中，暂时无法重复办理分期。",
            alternative="请按现有分期计划按期还款；如每期金额有压力，可以告诉我们您每月能承担的金额，我们为您评估个性化还款方案。",
        )
    if not hardship and facts.balance < config.min_installment_principal:
        return Decision(
            False,
            reason=(
                f"分期办理要求应还金额不低于{fmt_yuan(config.min_installment_principal)}，"
                f"您当前的应还金额为{fmt_yuan(facts.balance)}，暂不满足条件。"
            ),
            alternative=_minimum_payment_alternative(facts),
        )
    return None


def _minimum_payment_alternative(facts: AccountFacts) -> str:
    if 0 < facts.minimum_due < facts.balance:
        return f"您可以先按最低还款额{fmt_yuan(facts.minimum_due)}还款，避免逾期情况加重。"
    return f"您可以直接还清全部应还金额{fmt_yuan(facts.balance)}。"


def _term_allowed_for_balance(facts: AccountFacts, months: int, config: PolicyConfig) -> bool:
    return months < _LONG_TERM_MONTHS or facts.balance >= config.min_principal_for_24


def check_installment(facts: AccountFacts, months: int, config: PolicyConfig) -> Decision:
    """May this account book a standard plan of ``months``? value = InstallmentQuote when ok.

    Order of checks: account-level blockers first (nothing to split,
    dispute, existing plan, balance too small), then the term. That way a
    cardholder is never told "try 6 months instead" only to be refused again
    for a reason that applied to every term.
    """
    if not _is_int(months):
        raise TypeError(f"months must be int, not {type(months).__name__}")
    blocked = account_blocks_installment(facts, config)
    if blocked is not None:
        return blocked

    eligible = [t for t in config.installment_terms if _term_allowed_for_balance(facts, t, config)]
    if months not in config.installment_terms:
        allowed = "、".join(f"{t}期" for t in config.installment_terms)
        return Decision(
            False,
            reason=f"暂不支持分{months}期，可选的分期期数为{allowed}。",
            alternative=_nearest_terms_alternative(facts, months, eligible, config),
        )
    if not _term_allowed_for_balance(facts, months, config):
        shorter = [t for t in eligible if t < months]
        # The longest eligible shorter term is the closest thing to what was
        # asked: the lowest monthly payment the balance qualifies for.
        best = installment_quote(facts.balance, max(shorter), config) if shorter else None
        return Decision(
            False,
            reason=(
                f"分{months}期要求应还金额不低于{fmt_yuan(config.min_principal_for_24)}，"
                f"您当前的应还金额为{fmt_yuan(facts.balance)}。"
            ),
            alternative=(f"您可以选择分{_quote_phrase(best)}。" if best else _minimum_payment_alternative(facts)),
        )
    return Decision(True, value=installment_quote(facts.balance, months, config))


def _nearest_terms_alternative(
    facts: AccountFacts, months: int, eligible: list[int], config: PolicyConfig
) -> str:
    if not eligible:
        return _minimum_payment_alternative(facts)
    best_distance = min(abs(t - months) for t in eligible)
    # On a tie (9 months: 6 and 12 are equally near) name both and let the
    # cardholder choose between a lower total fee and a lower monthly payment.
    nearest = [t for t in eligible if abs(t - months) == best_distance]
    phrases = [f"分{_quote_phrase(installment_quote(facts.balance, t, config))}" for t in nearest]
    return f"与您所选最接近的是：{'或'.join(phrases)}。"


def installment_options(facts: AccountFacts, config: PolicyConfig) -> list[InstallmentQuote]:
    """Every standard term this account qualifies for, shortest first."""
    options = []
    for months in config.installment_terms:  # sorted in PolicyConfig.__post_init__
        decision = check_installment(facts, months, config)
        if decision.ok:
            options.append(decision.value)
    return options


def check_hardship_plan(facts: AccountFacts, months: int, config: PolicyConfig) -> Decision:
    """May a person book a personalised plan of ``months`` on this account?
    value = the plan priced at ``hardship_fee_rate`` (``hardship_quote``) when ok.

    The same account-level blockers as a standard plan (no minimum
    principal), a term from 1 to ``hardship_max_months``, and a balance
    that can be split that finely.
    """
    if not _is_int(months):
        raise TypeError(f"months must be int, not {type(months).__name__}")
    if months < 1 or months > config.hardship_max_months:
        return Decision(False, reason=f"个性化还款方案期数需在1至{config.hardship_max_months}期之间。")
    blocked = account_blocks_installment(facts, config, hardship=True)
    if blocked is not None:
        return blocked
    try:
        quote = hardship_quote(facts.balance, months, config)
    except ValueError:
        return Decision(
            False,
            reason=f"应还金额{fmt_yuan(facts.balance)}过小，无法分{months}期。",
            alternative=_minimum_payment_alternative(facts),
        )
    return Decision(True, value=quote)


def _installment_alternative(facts: AccountFacts, config: PolicyConfig) -> str:
    """Best next offer when a deferral is refused."""
    options = installment_options(facts, config)
    if options:
        phrases = "；".join(f"分{_quote_phrase(q)}" for q in options)
        return f"您可以考虑办理分期：{phrases}。"
    if facts.has_installment:
        return "请按现有分期计划按期还款；如仍有困难，可以告诉我们您每月能承担的金额，我们为您评估个性化还款方案。"
    return _minimum_payment_alternative(facts)


# --------------------------------------------------------------------------
# Deferral
# --------------------------------------------------------------------------

def promises_broken(facts: AccountFacts, config: PolicyConfig) -> bool:
    """Has the cardholder broken enough promises for the stricter offers?"""
    return config.broken_promise_limit > 0 and facts.broken_promises >= config.broken_promise_limit


def deferral_eligibility(facts: AccountFacts, config: PolicyConfig) -> Decision:
    """Whether the account may defer at all, independent of the length asked.

    An open dispute does not block a deferral: unlike an instalment plan it
    does not acknowledge or re-price the debt, it only gives time, and
    giving time while a dispute is checked is in the cardholder's favour.
    """
    if facts.balance <= 0:
        return Decision(False, reason="您的账户当前没有待还金额，无需办理延期。")
    if facts.has_deferral:
        # One deferral per delinquency: repeated deferrals only postpone the
        # same problem and regulators read them as hiding delinquency.
        return Decision(
            False,
            reason="您的账户已办理过延期还款，暂时无法再次延期。",
            alternative=_installment_alternative(facts, config),
        )
    if promises_broken(facts, config):
        return Decision(
            False,
            reason="由于此前的还款承诺未能按时兑现，暂时无法办理延期还款。",
            alternative=_installment_alternative(facts, config),
        )
    if stage_rank(facts.stage) > stage_rank(config.deferral_max_stage):
        limit = _STAGE_MAX_DPD.get(config.deferral_max_stage)
        return Decision(
            False,
            reason=(
                f"延期还款仅适用于逾期{limit}天以内的账户，您的账户目前已逾期{facts.days_past_due}天。"
            ),
            alternative=_installment_alternative(facts, config),
        )
    return Decision(True)


def check_deferral(facts: AccountFacts, days: int, today: date, config: PolicyConfig) -> Decision:
    """May the due date move to ``today + days``? value = the new due date when ok.

    Account-level refusals come before the length checks so a cardholder is
    not asked to pick another length that would be refused anyway.
    """
    if not _is_int(days):
        raise TypeError(f"days must be int, not {type(days).__name__}")
    eligibility = deferral_eligibility(facts, config)
    if not eligibility.ok:
        return eligibility
    max_days = config.max_deferral_days
    longest = today + timedelta(days=max_days)
    if days <= 0:
        return Decision(
            False,
            reason=f"延期天数需在1至{max_days}天之间。",
            alternative=f"最长可为您延期{max_days}天，新的还款日为{fmt_date(longest)}。",
        )
    if days > max_days:
        return Decision(
            False,
            reason=f"延期还款最长为{max_days}天，无法延期{days}天。",
            alternative=f"我们可以为您延期{max_days}天，新的还款日为{fmt_date(longest)}。",
        )
    return Decision(True, value=today + timedelta(days=days))


# --------------------------------------------------------------------------
# Promise to pay
# --------------------------------------------------------------------------

def check_promise(
    facts: AccountFacts, amount: Decimal, pay_date: date, today: date, config: PolicyConfig
) -> PromiseCheck:
    """Validate a promise to pay ``amount`` by ``pay_date``.

    A promise below the minimum due is still recorded (any payment helps
    the cardholder and the bank) but flagged ``partial`` so the reply can
    say plainly that the account stays overdue.
    """
    amount = to_money(amount)
    partial = amount < facts.minimum_due

    def refuse(reason: str) -> PromiseCheck:
        return PromiseCheck(ok=False, partial=partial, amount=amount, pay_date=pay_date, reason=reason)

    if amount <= 0:
        return refuse("承诺还款金额需要大于0元。")
    if amount > facts.balance:
        return refuse(
            f"承诺还款金额{fmt_yuan(amount)}超过了您当前的应还总额{fmt_yuan(facts.balance)}，请确认金额。"
        )
    if pay_date < today:
        return refuse("承诺还款日期不能早于今天，请重新选择日期。")
    strict = promises_broken(facts, config)
    if strict and partial:
        return refuse(
            f"由于此前的还款承诺未能按时兑现，本次承诺金额需不低于最低还款额{fmt_yuan(facts.minimum_due)}。"
        )
    horizon = config.promise_horizon_after_broken_days if strict else config.promise_horizon_days
    latest = today + timedelta(days=horizon)
    if pay_date > latest:
        because = "由于此前的还款承诺未能按时兑现，" if strict else ""
        return refuse(f"{because}承诺还款日期需在{horizon}天内，即不晚于{fmt_date(latest)}。")
    note = ""
    if partial:
        note = f"该金额低于本期最低还款额{fmt_yuan(facts.minimum_due)}，还款后账户仍会处于逾期状态。"
    return PromiseCheck(ok=True, partial=partial, amount=amount, pay_date=pay_date, note=note)


# --------------------------------------------------------------------------
# Affordability and summary
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class BudgetPlan:
    """What fits the monthly budget a cardholder states (``plan_for_budget``).

    ``offer`` is the one plan to put to the cardholder for confirmation; it
    is never above the budget. Everything else is there to say plainly what
    can and cannot be done.
    """

    budget: Decimal
    balance: Decimal
    # Standard plans whose regular monthly payment fits, cheapest first.
    fitting: tuple[InstallmentQuote, ...] = ()
    # When no standard plan fits: the shortest personalised plan within
    # hardship_max_months, at hardship_fee_rate, for a specialist to approve.
    hardship: Optional[InstallmentQuote] = None
    # When nothing within policy fits: the lowest monthly payment policy
    # allows (above the budget: a comparison, never "the plan") ...
    nearest: Optional[InstallmentQuote] = None
    # ... and the longer plan at the budget, beyond policy, for a specialist
    # to review. None when the budget does not even cover a month's fee.
    review: Optional[InstallmentQuote] = None
    # When nothing within policy fits: what can be paid now (at most the budget).
    partial_now: Decimal = Decimal("0.00")
    # Why no plan can be arranged at all (an open dispute), with the alternative.
    blocked: str = ""

    @property
    def pays_in_full(self) -> bool:
        """The budget covers the whole balance at once: no plan, no fee."""
        return self.budget >= self.balance

    @property
    def offer(self) -> Optional[InstallmentQuote]:
        if self.blocked or self.pays_in_full:
            return None
        return (self.fitting[0] if self.fitting else None) or self.hardship or self.review

    @property
    def within_policy(self) -> bool:
        """A standard or hardship plan fits; otherwise only a specialist can help."""
        return bool(self.fitting or self.hardship)


def plan_for_budget(facts: AccountFacts, budget: Decimal, config: PolicyConfig) -> BudgetPlan:
    """The plans that fit what the cardholder says they can pay each month.

    1. Every eligible standard plan whose regular ``monthly_payment`` is at
       most the budget, cheapest (least total repayment) first.
    2. Otherwise the personalised plan with the fewest months, from the
       shortest standard term up to ``hardship_max_months``, priced at
       ``hardship_fee_rate``, that fits (a specialist approves it).
    3. Otherwise nothing within policy fits: ``nearest`` (the lowest payment
       policy allows, for comparison), ``review`` (the plan at the budget
       beyond the policy's term, for a specialist to review) and
       ``partial_now`` (a payment now of at most the budget).

    "Fits" compares the regular payment; the last instalment may differ from
    it by a few fen of rounding residue. A budget covering the balance means
    paying in full (``pays_in_full``): no plan, no fee. An open dispute
    blocks every plan (``blocked``): booking one would acknowledge the
    contested amount. An existing plan rules out a standard plan but not a
    personalised one, which is how an unaffordable plan is restructured.
    """
    budget = to_money(budget)
    if budget < 0:
        raise ValueError(f"the monthly budget must not be negative, got {budget}")
    if facts.balance <= 0:
        raise ValueError("nothing to arrange: the balance is zero")
    if facts.open_dispute:
        refusal = account_blocks_installment(facts, config)
        return BudgetPlan(budget, facts.balance, blocked=refusal.reason + refusal.alternative)

    fitting = sorted(
        (q for q in installment_options(facts, config) if q.monthly_payment <= budget),
        key=lambda q: (q.total_repayment, q.months),
    )
    if fitting:
        return BudgetPlan(budget, facts.balance, fitting=tuple(fitting))

    nearest = None
    for months in range(min(config.installment_terms), config.hardship_max_months + 1):
        try:
            quote = hardship_quote(facts.balance, months, config)
        except ValueError:
            break  # balance too small to split this finely; longer terms are worse
        if quote.monthly_payment <= budget:
            return BudgetPlan(budget, facts.balance, hardship=quote)
        nearest = quote
    return BudgetPlan(
        budget,
        facts.balance,
        nearest=nearest,
        review=_review_plan(facts.balance, budget, config),
        partial_now=min(budget, facts.balance),
    )


def _review_plan(balance: Decimal, budget: Decimal, config: PolicyConfig) -> Optional[InstallmentQuote]:
    """The fewest months at hardship_fee_rate whose payment fits the budget,
    beyond the policy's term; None when the budget does not cover the fee."""
    monthly_fee = (balance * config.hardship_fee_rate).quantize(FEN, rounding=ROUND_HALF_UP)
    room = budget - monthly_fee  # what is left each month for the principal
    if room <= 0:
        return None
    months = max(int((balance / room).to_integral_value(rounding=ROUND_CEILING)), config.hardship_max_months + 1)
    try:
        quote = hardship_quote(balance, months, config)
    except ValueError:
        return None
    # balance / months <= room, and room is whole fen, so rounding cannot
    # push the payment over the budget; checked anyway, the figure is a promise.
    return quote if quote.monthly_payment <= budget else None


def offers_summary(facts: AccountFacts, config: PolicyConfig) -> list[str]:
    """Chinese one-liners of everything the account may choose, for chat replies.

    Empty when there is nothing to pay. The minimum payment line is omitted
    when it equals the full balance, where it would only repeat it.
    """
    if facts.balance <= 0:
        return []
    lines = [f"全额还款：{fmt_yuan(facts.balance)}"]
    if 0 < facts.minimum_due < facts.balance:
        lines.append(f"最低还款：{fmt_yuan(facts.minimum_due)}")
    for quote in installment_options(facts, config):
        line = f"分{quote.months}期：每期{fmt_yuan(quote.monthly_payment)}"
        if quote.last_payment != quote.monthly_payment:
            line += f"（末期{fmt_yuan(quote.last_payment)}）"
        lines.append(line + f"，总手续费{fmt_yuan(quote.total_fee)}")
    if deferral_eligibility(facts, config).ok:
        lines.append(f"延期还款：最长可延期{config.max_deferral_days}天")
    return lines
