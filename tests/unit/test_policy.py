from dataclasses import FrozenInstanceError
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.core.policy import (
    AccountFacts,
    Decision,
    InstallmentQuote,
    PolicyConfig,
    PolicyConfigError,
    PromiseCheck,
    check_deferral,
    check_installment,
    check_promise,
    days_past_due,
    installment_options,
    installment_quote,
    offers_summary,
    stage_for,
)

D = Decimal
CFG = PolicyConfig()
TODAY = date(2026, 1, 10)


def facts(balance="3500", minimum="350", dpd=10, **kw):
    return AccountFacts(
        balance=D(balance),
        minimum_due=D(minimum),
        due_date=TODAY - timedelta(days=dpd),
        days_past_due=dpd,
        **kw,
    )


def assert_quote_consistent(q: InstallmentQuote):
    assert q.monthly_payment == q.monthly_principal + q.monthly_fee
    assert q.total_fee == q.monthly_fee * q.months
    assert q.total_repayment == q.principal + q.total_fee
    assert q.monthly_payment * (q.months - 1) + q.last_payment == q.total_repayment
    for amount in (q.monthly_principal, q.monthly_fee, q.monthly_payment, q.last_payment,
                   q.total_fee, q.total_repayment, q.principal):
        assert isinstance(amount, Decimal)
        assert amount.as_tuple().exponent == -2


# --------------------------------------------------------------------------
# Stages
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "dpd, stage",
    [(0, "M0"), (1, "M1"), (30, "M1"), (31, "M2"), (60, "M2"), (61, "M3"), (90, "M3"),
     (91, "M3+"), (400, "M3+")],
)
def test_stage_boundaries(dpd, stage):
    assert stage_for(dpd) == stage
    assert facts(dpd=dpd).stage == stage


def test_stage_for_rejects_negative_and_non_int():
    with pytest.raises(ValueError):
        stage_for(-1)
    with pytest.raises(TypeError):
        stage_for(1.0)


@pytest.mark.parametrize(
    "due, today, expected",
    [
        (date(2026, 1, 10), date(2026, 1, 5), 0),  # not yet due
        (date(2026, 1, 10), date(2026, 1, 10), 0),  # due today
        (date(2026, 1, 10), date(2026, 1, 11), 1),
        (date(2025, 12, 31), date(2026, 3, 1), 60),  # across a year end
    ],
)
def test_days_past_due(due, today, expected):
    assert days_past_due(due, today) == expected


# --------------------------------------------------------------------------
# AccountFacts
# --------------------------------------------------------------------------

def test_facts_normalise_money_and_kinds():
    f = AccountFacts(balance=D("100.005"), minimum_due="10", due_date=TODAY, days_past_due=0,
                     active_arrangement_kinds={"installment"})
    assert f.balance == D("100.01")
    assert f.minimum_due == D("10.00")
    assert f.active_arrangement_kinds == frozenset({"installment"})
    assert isinstance(f.active_arrangement_kinds, frozenset)
    with pytest.raises(FrozenInstanceError):
        f.balance = D("1")


def test_facts_reject_float_and_negative():
    with pytest.raises(TypeError):
        AccountFacts(balance=100.0, minimum_due=D("10"), due_date=TODAY, days_past_due=0)
    with pytest.raises(ValueError):
        AccountFacts(balance=D("-1"), minimum_due=D("0"), due_date=TODAY, days_past_due=0)
    with pytest.raises(ValueError):
        AccountFacts(balance=D("1"), minimum_due=D("0"), due_date=TODAY, days_past_due=-1)


def test_stale_minimum_above_balance_is_capped():
    f = facts(balance="200", minimum="500")
    assert f.minimum_due == D("200.00")


# --------------------------------------------------------------------------
# Quotes
# --------------------------------------------------------------------------

def test_quote_10000_over_12_months():
    q = installment_quote(D("10000"), 12, CFG)
    assert q.months == 12
    assert q.principal == D("10000.00")
    assert q.monthly_fee_rate == D("0.006")
    assert q.monthly_fee == D("60.00")
    assert q.monthly_principal == D("833.33")
    assert q.monthly_payment == D("893.33")
    assert q.last_payment == D("893.37")
    assert q.total_fee == D("720.00")
    assert q.total_repayment == D("10720.00")
    assert q.needs_approval is False
    assert_quote_consistent(q)


def test_quote_1000_over_3_months_rounding_goes_to_last():
    q = installment_quote(D("1000.00"), 3, CFG)
    assert q.monthly_principal == D("333.33")  # 333.333... rounded down
    assert q.monthly_fee == D("6.00")
    assert q.monthly_payment == D("339.33")
    assert q.last_payment == D("339.34")  # picks up the missing 0.01
    assert q.total_fee == D("18.00")
    assert q.total_repayment == D("1018.00")
    assert_quote_consistent(q)


def test_quote_rounded_up_principal_makes_last_payment_smaller():
    q = installment_quote(D("2000"), 3, CFG)
    assert q.monthly_principal == D("666.67")  # 666.666... rounded up
    assert q.monthly_payment == D("678.67")
    assert q.last_payment == D("678.66")
    assert q.total_repayment == D("2036.00")
    assert_quote_consistent(q)


def test_quote_fee_rounds_half_up():
    # 1234.25 * 0.006 = 7.4055 -> 7.41
    q = installment_quote(D("1234.25"), 6, CFG)
    assert q.monthly_fee == D("7.41")
    assert q.monthly_principal == D("205.71")  # 205.708...
    assert q.monthly_payment == D("213.12")
    assert q.last_payment == D("213.11")
    assert_quote_consistent(q)


def test_quote_24_months():
    q = installment_quote(D("5000"), 24, CFG)
    assert q.monthly_principal == D("208.33")
    assert q.monthly_fee == D("30.00")
    assert q.monthly_payment == D("238.33")
    assert q.last_payment == D("238.41")
    assert q.total_fee == D("720.00")
    assert q.total_repayment == D("5720.00")
    assert_quote_consistent(q)


def test_hardship_quote_needs_approval_and_same_arithmetic():
    q = installment_quote(D("10000"), 30, CFG, hardship=True)
    assert q.needs_approval is True
    assert q.monthly_payment == D("393.33")
    assert q.last_payment == D("393.43")
    assert q.total_fee == D("1800.00")
    assert_quote_consistent(q)


@pytest.mark.parametrize("principal", ["50", "599.99", "600", "1000", "3500", "12345.67", "99999.99"])
@pytest.mark.parametrize("months", [3, 6, 12, 24, 37, 60])
def test_quote_sum_is_always_exact(principal, months):
    q = installment_quote(D(principal), months, CFG)
    assert_quote_consistent(q)
    # The residue is at most half a fen per instalment.
    assert abs(q.last_payment - q.monthly_payment) <= D("0.005") * months


@pytest.mark.parametrize(
    "principal, months",
    [("0.02", 6),  # every instalment would be 0.00
     ("1", 60)],  # 0.02 + 0.01 per month overshoots: last instalment negative
)
def test_quote_rejects_principal_too_small_to_split(principal, months):
    with pytest.raises(ValueError):
        installment_quote(D(principal), months, CFG)


def test_quote_rejects_bad_input():
    with pytest.raises(ValueError):
        installment_quote(D("0"), 3, CFG)
    with pytest.raises(ValueError):
        installment_quote(D("100"), 0, CFG)
    with pytest.raises(ValueError):
        installment_quote(D("100"), 3.0, CFG)
    with pytest.raises(TypeError):
        installment_quote(100.0, 3, CFG)


def test_quote_uses_config_rate():
    cfg = PolicyConfig(monthly_fee_rate=D("0"))
    q = installment_quote(D("1000"), 3, cfg)
    assert q.total_fee == D("0.00")
    assert q.total_repayment == D("1000.00")


# --------------------------------------------------------------------------
# check_installment: every branch
# --------------------------------------------------------------------------

def test_installment_ok_returns_quote():
    d = check_installment(facts(balance="10000", minimum="1000"), 12, CFG)
    assert isinstance(d, Decision)
    assert d.ok and d.reason == "" and d.alternative == ""
    assert d.value == installment_quote(D("10000"), 12, CFG)


def test_installment_zero_balance():
    d = check_installment(facts(balance="0", minimum="0", dpd=0), 3, CFG)
    assert not d.ok
    assert "没有待还金额" in d.reason


def test_installment_open_dispute():
    d = check_installment(facts(open_dispute=True), 6, CFG)
    assert not d.ok and d.value is None
    assert "异议" in d.reason
    assert d.alternative


@pytest.mark.parametrize("kind", ["installment", "hardship"])
def test_installment_already_active(kind):
    d = check_installment(facts(active_arrangement_kinds=frozenset({kind})), 6, CFG)
    assert not d.ok
    assert "已有一笔分期" in d.reason
    assert "现有分期计划" in d.alternative


def test_other_arrangements_do_not_block_installment():
    d = check_installment(facts(active_arrangement_kinds=frozenset({"deferral", "promise"})), 6, CFG)
    assert d.ok


def test_installment_below_minimum_principal_offers_minimum_payment():
    d = check_installment(facts(balance="599.99", minimum="60"), 3, CFG)
    assert not d.ok
    assert d.reason == "分期办理要求应还金额不低于600.00元，您当前的应还金额为599.99元，暂不满足条件。"
    assert d.alternative == "您可以先按最低还款额60.00元还款，避免逾期情况加重。"


def test_installment_exactly_minimum_principal_is_ok():
    d = check_installment(facts(balance="600", minimum="60"), 3, CFG)
    assert d.ok
    assert d.value.monthly_payment == D("203.60")  # 200.00 + 3.60


def test_below_minimum_is_reported_before_invalid_term():
    # Suggesting "6 months instead" would be refused again for the balance.
    d = check_installment(facts(balance="300", minimum="300"), 5, CFG)
    assert "不低于600.00元" in d.reason
    assert d.alternative == "您可以直接还清全部应还金额300.00元。"


def test_installment_term_not_offered_names_nearest():
    d = check_installment(facts(balance="3500"), 5, CFG)
    assert not d.ok
    assert d.reason == "暂不支持分5期，可选的分期期数为3期、6期、12期、24期。"
    assert d.alternative == "与您所选最接近的是：分6期（每期604.33元，末期604.35元，总手续费126.00元）。"


def test_installment_term_tie_names_both():
    d = check_installment(facts(balance="3500"), 9, CFG)
    assert not d.ok
    assert "分6期（" in d.alternative and "或分12期（" in d.alternative


def test_nearest_term_skips_terms_the_balance_does_not_qualify_for():
    # 18 is as near to 12 as to 24, but 24 needs 5,000.00元.
    d = check_installment(facts(balance="3500"), 18, CFG)
    assert "分12期" in d.alternative and "24期" not in d.alternative
    d = check_installment(facts(balance="10000", minimum="1000"), 18, CFG)
    assert "分12期" in d.alternative and "分24期" in d.alternative


def test_installment_24_needs_larger_balance():
    d = check_installment(facts(balance="4999.99", minimum="500"), 24, CFG)
    assert not d.ok
    assert d.reason == "分24期要求应还金额不低于5,000.00元，您当前的应还金额为4,999.99元。"
    assert d.alternative.startswith("您可以选择分12期（每期")


def test_installment_24_at_threshold_is_ok():
    d = check_installment(facts(balance="5000", minimum="500"), 24, CFG)
    assert d.ok
    assert d.value.last_payment == D("238.41")


def test_installment_allowed_at_any_stage():
    # Installments are the alternative offered when deferral is refused.
    assert check_installment(facts(dpd=120), 6, CFG).ok


def test_installment_months_must_be_int():
    with pytest.raises(TypeError):
        check_installment(facts(), "6", CFG)


def test_installment_options_ascending_and_filtered():
    assert [q.months for q in installment_options(facts(balance="3500"), CFG)] == [3, 6, 12]
    assert [q.months for q in installment_options(facts(balance="5000", minimum="500"), CFG)] == [3, 6, 12, 24]
    assert installment_options(facts(balance="500", minimum="50"), CFG) == []
    assert installment_options(facts(open_dispute=True), CFG) == []


# --------------------------------------------------------------------------
# check_deferral: every branch
# --------------------------------------------------------------------------

def test_deferral_ok_value_is_today_plus_days():
    d = check_deferral(facts(dpd=10), 15, TODAY, CFG)
    assert d.ok and d.value == date(2026, 1, 25)


def test_deferral_max_days_is_ok():
    d = check_deferral(facts(dpd=10), 30, TODAY, CFG)
    assert d.ok and d.value == date(2026, 2, 9)


def test_deferral_over_max_offers_max():
    d = check_deferral(facts(dpd=10), 31, TODAY, CFG)
    assert not d.ok and d.value is None
    assert d.reason == "延期还款最长为30天，无法延期31天。"
    assert d.alternative == "我们可以为您延期30天，新的还款日为2026年2月9日。"


@pytest.mark.parametrize("days", [0, -5])
def test_deferral_non_positive_days(days):
    d = check_deferral(facts(dpd=10), days, TODAY, CFG)
    assert not d.ok
    assert d.reason == "延期天数需在1至30天之间。"
    assert "30天" in d.alternative


@pytest.mark.parametrize("dpd", [0, 1, 30, 31, 60])
def test_deferral_allowed_up_to_m2(dpd):
    assert check_deferral(facts(dpd=dpd), 10, TODAY, CFG).ok


@pytest.mark.parametrize("dpd", [61, 90, 91])
def test_deferral_beyond_m2_offers_installments(dpd):
    d = check_deferral(facts(dpd=dpd), 10, TODAY, CFG)
    assert not d.ok
    assert d.reason == f"延期还款仅适用于逾期60天以内的账户，您的账户目前已逾期{dpd}天。"
    assert d.alternative.startswith("您可以考虑办理分期：分3期（每期1,187.67元")
    assert "分6期" in d.alternative and "分12期" in d.alternative


def test_deferral_stage_refusal_without_installments_falls_back_to_minimum():
    d = check_deferral(facts(balance="500", minimum="50", dpd=70), 10, TODAY, CFG)
    assert not d.ok
    assert d.alternative == "您可以先按最低还款额50.00元还款，避免逾期情况加重。"


def test_deferral_max_stage_from_config():
    cfg = PolicyConfig(deferral_max_stage="M1")
    assert check_deferral(facts(dpd=30), 5, TODAY, cfg).ok
    d = check_deferral(facts(dpd=31), 5, TODAY, cfg)
    assert not d.ok and "逾期30天以内" in d.reason


def test_deferral_already_deferred():
    d = check_deferral(facts(active_arrangement_kinds=frozenset({"deferral"})), 5, TODAY, CFG)
    assert not d.ok
    assert d.reason == "您的账户已办理过延期还款，暂时无法再次延期。"
    assert "分期" in d.alternative


def test_deferral_already_deferred_with_installment_points_to_plan():
    f = facts(active_arrangement_kinds=frozenset({"deferral", "installment"}))
    d = check_deferral(f, 5, TODAY, CFG)
    assert not d.ok and "现有分期计划" in d.alternative


def test_account_refusal_comes_before_length_refusal():
    d = check_deferral(facts(dpd=61), 45, TODAY, CFG)
    assert "逾期60天以内" in d.reason


def test_deferral_zero_balance():
    d = check_deferral(facts(balance="0", minimum="0", dpd=0), 5, TODAY, CFG)
    assert not d.ok and "没有待还金额" in d.reason


def test_deferral_not_blocked_by_dispute():
    assert check_deferral(facts(open_dispute=True), 5, TODAY, CFG).ok


def test_deferral_days_must_be_int():
    with pytest.raises(TypeError):
        check_deferral(facts(), 5.0, TODAY, CFG)


# --------------------------------------------------------------------------
# check_promise: boundaries
# --------------------------------------------------------------------------

def promise(amount="350", pay_date=TODAY, f=None, cfg=CFG):
    return check_promise(f or facts(), D(amount), pay_date, TODAY, cfg)


def test_promise_today_ok():
    p = promise(pay_date=TODAY)
    assert isinstance(p, PromiseCheck)
    assert p.ok and not p.partial and p.reason == "" and p.note == ""
    assert p.amount == D("350.00") and p.pay_date == TODAY


def test_promise_at_horizon_ok():
    assert promise(pay_date=TODAY + timedelta(days=30)).ok


def test_promise_past_horizon_refused():
    p = promise(pay_date=TODAY + timedelta(days=31))
    assert not p.ok
    assert p.reason == "承诺还款日期需在30天内，即不晚于2026年2月9日。"


def test_promise_yesterday_refused():
    p = promise(pay_date=TODAY - timedelta(days=1))
    assert not p.ok
    assert p.reason == "承诺还款日期不能早于今天，请重新选择日期。"


def test_promise_partial_is_ok_but_flagged():
    p = promise(amount="349.99")
    assert p.ok and p.partial
    assert p.reason == ""
    assert p.note == "该金额低于本期最低还款额350.00元，还款后账户仍会处于逾期状态。"


def test_promise_exact_minimum_and_full_balance_not_partial():
    assert not promise(amount="350").partial
    full = promise(amount="3500")
    assert full.ok and not full.partial


@pytest.mark.parametrize("amount", ["0", "-1"])
def test_promise_non_positive_amount_refused(amount):
    p = promise(amount=amount)
    assert not p.ok and p.reason == "承诺还款金额需要大于0元。"


def test_promise_over_balance_refused():
    p = promise(amount="3500.01")
    assert not p.ok
    assert p.reason == "承诺还款金额3,500.01元超过了您当前的应还总额3,500.00元，请确认金额。"


def test_promise_amount_quantized_and_float_rejected():
    assert promise(amount="100.005").amount == D("100.01")
    with pytest.raises(TypeError):
        check_promise(facts(), 100.0, TODAY, TODAY, CFG)


def test_promise_horizon_from_config():
    cfg = PolicyConfig(promise_horizon_days=7)
    assert promise(pay_date=TODAY + timedelta(days=7), cfg=cfg).ok
    assert not promise(pay_date=TODAY + timedelta(days=8), cfg=cfg).ok


# --------------------------------------------------------------------------
# offers_summary
# --------------------------------------------------------------------------

def test_offers_summary_m1_account():
    assert offers_summary(facts(balance="3500", minimum="350", dpd=10), CFG) == [
        "全额还款：3,500.00元",
        "最低还款：350.00元",
        "分3期：每期1,187.67元（末期1,187.66元），总手续费63.00元",
        "分6期：每期604.33元（末期604.35元），总手续费126.00元",
        "分12期：每期312.67元（末期312.63元），总手续费252.00元",
        "延期还款：最长可延期30天",
    ]


def test_offers_summary_m3_large_balance():
    lines = offers_summary(facts(balance="6000", minimum="600", dpd=75), CFG)
    assert lines[0] == "全额还款：6,000.00元"
    assert "分24期：每期286.00元，总手续费864.00元" in lines  # 250.00 + 36.00, no residue
    assert not any(line.startswith("延期") for line in lines)


def test_offers_summary_small_disputed_and_empty():
    assert offers_summary(facts(balance="500", minimum="500"), CFG) == [
        "全额还款：500.00元",
        "延期还款：最长可延期30天",
    ]
    lines = offers_summary(facts(open_dispute=True), CFG)
    assert not any(line.startswith("分") for line in lines)
    assert offers_summary(facts(balance="0", minimum="0"), CFG) == []


# --------------------------------------------------------------------------
# PolicyConfig
# --------------------------------------------------------------------------

def test_defaults():
    assert CFG.installment_terms == (3, 6, 12, 24)
    assert CFG.monthly_fee_rate == D("0.006")
    assert CFG.min_installment_principal == D("600.00")
    assert CFG.min_principal_for_24 == D("5000.00")
    assert CFG.max_deferral_days == 30
    assert CFG.deferral_max_stage == "M2"
    assert CFG.promise_horizon_days == 30
    assert CFG.hardship_max_months == 60
    assert len(CFG.payment_methods) == 3
    with pytest.raises(FrozenInstanceError):
        CFG.max_deferral_days = 5


def test_from_mapping_happy_path_yaml_and_env_styles():
    cfg = PolicyConfig.from_mapping({
        "installment_terms": [12, 3, 6],  # YAML list, any order
        "monthly_fee_rate": 0.0075,  # YAML float -> exact Decimal of the literal
        "min_installment_principal": "1,000",
        "min_principal_for_24": 8000,
        "max_deferral_days": "15",  # env var string
        "deferral_max_stage": "m1",
        "promise_horizon_days": 14,
        "hardship_max_months": 48,
        "payment_methods": ["手机银行App", " 银行柜台 "],
    })
    assert cfg.installment_terms == (3, 6, 12)
    assert cfg.monthly_fee_rate == D("0.0075")
    assert isinstance(cfg.monthly_fee_rate, Decimal)
    assert cfg.min_installment_principal == D("1000.00")
    assert cfg.min_principal_for_24 == D("8000.00")
    assert cfg.max_deferral_days == 15
    assert cfg.deferral_max_stage == "M1"
    assert cfg.promise_horizon_days == 14
    assert cfg.hardship_max_months == 48
    assert cfg.payment_methods == ("手机银行App", "银行柜台")
    assert installment_quote(D("10000"), 12, cfg).monthly_fee == D("75.00")


def test_from_mapping_partial_and_empty_keep_defaults():
    assert PolicyConfig.from_mapping({}) == PolicyConfig()
    assert PolicyConfig.from_mapping(None) == PolicyConfig()
    cfg = PolicyConfig.from_mapping({"max_deferral_days": 20})
    assert cfg == PolicyConfig(max_deferral_days=20)


def test_from_mapping_terms_as_comma_string():
    assert PolicyConfig.from_mapping({"installment_terms": "3, 6,12"}).installment_terms == (3, 6, 12)


def test_from_mapping_unknown_key():
    with pytest.raises(ValueError, match="max_deferal_days"):
        PolicyConfig.from_mapping({"max_deferal_days": 10})


@pytest.mark.parametrize(
    "data",
    [
        {"monthly_fee_rate": "abc"},
        {"monthly_fee_rate": "NaN"},
        {"monthly_fee_rate": -0.001},
        {"monthly_fee_rate": 1},
        {"monthly_fee_rate": True},
        {"monthly_fee_rate": [0.006]},
        {"min_installment_principal": "0"},
        {"min_installment_principal": "six hundred"},
        {"max_deferral_days": 1.5},
        {"max_deferral_days": "30天"},
        {"max_deferral_days": True},
        {"max_deferral_days": 0},
        {"promise_horizon_days": -1},
        {"deferral_max_stage": "M9"},
        {"deferral_max_stage": 2},
        {"installment_terms": []},
        {"installment_terms": [3, 0]},
        {"installment_terms": [3, 3]},
        {"installment_terms": ["x"]},
        {"installment_terms": 12},
        {"hardship_max_months": 12},  # shorter than the 24-month standard term
        {"payment_methods": "手机银行"},
        {"payment_methods": []},
        {"payment_methods": ["", "柜台"]},
        {"payment_methods": [1]},
        ["monthly_fee_rate", 0.006],
    ],
)
def test_from_mapping_errors(data):
    with pytest.raises(PolicyConfigError):
        PolicyConfig.from_mapping(data)


def test_config_error_is_value_error():
    assert issubclass(PolicyConfigError, ValueError)


def test_direct_construction_rejects_float_and_sorts_terms():
    with pytest.raises(TypeError):
        PolicyConfig(monthly_fee_rate=0.006)
    with pytest.raises(TypeError):
        PolicyConfig(max_deferral_days=30.0)
    assert PolicyConfig(installment_terms=(12, 3)).installment_terms == (3, 12)


# --- after a broken promise -------------------------------------------------


def test_after_a_broken_promise_a_new_promise_must_cover_the_minimum_soon():
    kept_word = facts(broken_promises=0)
    broke_one = facts(broken_promises=1)
    # A partial promise is fine the first time, refused after a broken one.
    assert check_promise(kept_word, D("100"), TODAY + timedelta(days=3), TODAY, CFG).ok
    refused = check_promise(broke_one, D("100"), TODAY + timedelta(days=3), TODAY, CFG)
    assert not refused.ok and "不低于最低还款额350.00元" in refused.reason
    # 20 days out is within the normal horizon, not within the shorter one.
    assert check_promise(kept_word, D("350"), TODAY + timedelta(days=20), TODAY, CFG).ok
    late = check_promise(broke_one, D("350"), TODAY + timedelta(days=20), TODAY, CFG)
    assert not late.ok and "需在7天内" in late.reason and "2026年1月17日" in late.reason
    assert check_promise(broke_one, D("350"), TODAY + timedelta(days=7), TODAY, CFG).ok


def test_after_a_broken_promise_no_deferral_is_offered_but_installments_are():
    decision = check_deferral(facts(broken_promises=1), 14, TODAY, CFG)
    assert not decision.ok and "还款承诺未能按时兑现" in decision.reason
    assert "分" in decision.alternative  # the nearest eligible alternative: an installment plan
    assert check_deferral(facts(broken_promises=0), 14, TODAY, CFG).ok
    assert check_installment(facts(broken_promises=1), 6, CFG).ok


def test_the_broken_promise_rule_is_configurable_and_can_be_switched_off():
    off = PolicyConfig.from_mapping({"broken_promise_limit": 0})
    assert check_deferral(facts(broken_promises=3), 14, TODAY, off).ok
    two = PolicyConfig.from_mapping({"broken_promise_limit": 2, "promise_horizon_after_broken_days": 3})
    assert check_promise(facts(broken_promises=1), D("100"), TODAY + timedelta(days=20), TODAY, two).ok
    assert not check_promise(facts(broken_promises=2), D("350"), TODAY + timedelta(days=4), TODAY, two).ok
    with pytest.raises(PolicyConfigError):
        PolicyConfig.from_mapping({"broken_promise_limit": -1})
