"""The budget rule (bot.core.policy.plan_for_budget): what fits the monthly
amount a cardholder says they can pay, across balances, budgets and policy
limits. The one plan it offers is never above the budget."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.core.policy import (
    AccountFacts,
    PolicyConfig,
    PolicyConfigError,
    hardship_quote,
    installment_quote,
    plan_for_budget,
)

D = Decimal
CFG = PolicyConfig()
CHARGED = PolicyConfig(hardship_fee_rate=D("0.006"))  # hardship plans at the full standard rate
TODAY = date(2026, 11, 25)


def facts(balance="90000", minimum="9000", **kw):
    return AccountFacts(
        balance=D(balance), minimum_due=D(minimum), due_date=TODAY - timedelta(days=40), days_past_due=40, **kw
    )


# ------------------------------------------------------------------ the reported case


def test_ninety_thousand_at_one_thousand_a_month_fits_nothing_within_policy():
    plan = plan_for_budget(facts(), D("1000"), CFG)
    assert plan.fitting == () and plan.hardship is None and not plan.within_policy
    # The lowest payment policy allows, shown only for comparison: 60 months, fee-free.
    assert (plan.nearest.months, plan.nearest.monthly_payment, plan.nearest.total_fee) == (60, D("1500.00"), D("0.00"))
    # What a specialist can review: 1,000.00 a month over 90 months, nothing more.
    assert plan.offer is plan.review
    assert (plan.review.months, plan.review.monthly_payment, plan.review.last_payment) == (
        90, D("1000.00"), D("1000.00"))
    assert plan.review.total_repayment == D("90000.00") and plan.review.needs_approval
    assert plan.partial_now == D("1000.00")


def test_the_old_answer_was_twice_the_budget():
    # 60 months at the standard rate is what the bot used to submit unasked.
    assert installment_quote(D("90000"), 60, CFG, hardship=True).monthly_payment == D("2040.00")
    assert plan_for_budget(facts(), D("1000"), CFG).offer.monthly_payment <= D("1000")


# ------------------------------------------------------------------ standard plans first


def test_fitting_standard_plans_cheapest_first():
    plan = plan_for_budget(facts("10000", "1000"), D("5000"), CFG)
    assert [q.months for q in plan.fitting] == [3, 6, 12, 24]
    totals = [q.total_repayment for q in plan.fitting]
    assert totals == sorted(totals)
    assert plan.offer is plan.fitting[0] and not plan.offer.needs_approval
    assert plan.hardship is None and plan.review is None


def test_a_payment_exactly_equal_to_the_budget_fits():
    # 12 months of 10,000.00: 833.33 + 60.00 = 893.33.
    assert [q.months for q in plan_for_budget(facts("10000", "1000"), D("893.33"), CFG).fitting] == [12, 24]
    assert [q.months for q in plan_for_budget(facts("10000", "1000"), D("893.32"), CFG).fitting] == [24]


def test_standard_plans_are_not_offered_on_top_of_an_existing_plan():
    plan = plan_for_budget(facts("10000", "1000", active_arrangement_kinds={"installment"}), D("5000"), CFG)
    assert plan.fitting == ()
    # Restructuring is what a personalised plan is for.
    assert plan.hardship is not None and plan.hardship.monthly_payment <= D("5000")


# ------------------------------------------------------------------ personalised plans


def test_a_fee_free_personalised_plan_with_the_fewest_months_that_fit():
    # 24 standard months would be 476.67; fee-free, 25 months of 400.00 fit exactly.
    plan = plan_for_budget(facts("10000", "1000"), D("400"), CFG)
    assert plan.fitting == ()
    q = plan.hardship
    assert (q.months, q.monthly_payment, q.total_fee, q.total_repayment) == (25, D("400.00"), D("0.00"), D("10000.00"))
    assert q.needs_approval and plan.offer is q and plan.within_policy
    assert plan.nearest is None and plan.review is None


def test_a_hardship_fee_rate_makes_the_plan_longer_and_dearer():
    q = plan_for_budget(facts("10000", "1000"), D("400"), CHARGED).hardship
    assert (q.months, q.monthly_payment, q.total_fee) == (30, D("393.33"), D("1800.00"))  # 29 months: 404.83


def test_a_small_balance_without_long_terms_gets_a_personalised_plan():
    # 3,000.00 does not qualify for 24 months; 12 months is 268.00.
    q = plan_for_budget(facts("3000", "300"), D("200"), CFG).hardship
    assert (q.months, q.monthly_payment) == (15, D("200.00"))


def test_the_policy_term_limit_decides_between_a_plan_and_a_review():
    assert plan_for_budget(facts(), D("2000"), CFG).hardship.months == 45
    shorter = PolicyConfig(hardship_max_months=36)
    plan = plan_for_budget(facts(), D("2000"), shorter)
    assert plan.hardship is None and plan.nearest.months == 36
    assert (plan.review.months, plan.review.monthly_payment) == (45, D("2000.00"))


# ------------------------------------------------------------------ nothing fits


def test_a_review_plan_with_a_hardship_fee_still_fits_the_budget():
    plan = plan_for_budget(facts(), D("1000"), CHARGED)
    assert plan.nearest.monthly_payment == D("2040.00")
    # 540.00 of fee each month leaves 460.00 for the balance: 196 months.
    assert (plan.review.months, plan.review.monthly_payment) == (196, D("999.18"))


def test_a_budget_that_does_not_cover_the_monthly_fee_has_no_plan_to_offer():
    plan = plan_for_budget(facts(), D("540"), CHARGED)
    assert plan.review is None and plan.offer is None
    assert plan.partial_now == D("540.00")


def test_zero_budget_offers_no_plan_and_no_payment():
    plan = plan_for_budget(facts(), D("0"), CFG)
    assert plan.offer is None and plan.review is None and plan.fitting == () and plan.hardship is None
    assert plan.partial_now == D("0.00") and not plan.pays_in_full
    assert plan.nearest.months == 60


@pytest.mark.parametrize("bad, error", [(D("-1"), ValueError), (-5, ValueError), (1000.0, TypeError), (True, TypeError)])
def test_bad_budgets_are_refused(bad, error):
    with pytest.raises(error):
        plan_for_budget(facts(), bad, CFG)


def test_nothing_to_arrange_on_a_zero_balance():
    with pytest.raises(ValueError):
        plan_for_budget(facts("0", "0"), D("100"), CFG)


# ------------------------------------------------------------------ full payment, disputes


@pytest.mark.parametrize("budget", ["90000", "90000.00", "120000"])
def test_a_budget_covering_the_balance_means_paying_in_full(budget):
    plan = plan_for_budget(facts(), D(budget), CFG)
    assert plan.pays_in_full and plan.offer is None


def test_a_small_balance_within_the_budget_is_paid_not_split():
    # 500.00 is below the standard minimum; a "plan" would only add a wait.
    plan = plan_for_budget(facts("500", "50"), D("600"), CFG)
    assert plan.pays_in_full and plan.offer is None


def test_an_open_dispute_blocks_every_plan():
    plan = plan_for_budget(facts(open_dispute=True), D("1000"), CFG)
    assert plan.offer is None and "异议" in plan.blocked


# ------------------------------------------------------------------ never above the budget


@pytest.mark.parametrize("balance", ["1", "599.99", "3000", "10000", "12345.67", "90000", "999999.99"])
@pytest.mark.parametrize("budget", ["0", "0.01", "1", "99.99", "400", "1000", "2040", "5000", "100000"])
@pytest.mark.parametrize("cfg", [CFG, CHARGED, PolicyConfig(hardship_max_months=24, installment_terms=(3, 6))])
def test_the_offer_is_never_above_the_budget(balance, budget, cfg):
    plan = plan_for_budget(facts(balance, "1"), D(budget), cfg)
    offer = plan.offer
    if offer is None:
        return
    assert offer.monthly_payment <= D(budget)
    assert offer.monthly_payment * (offer.months - 1) + offer.last_payment == offer.total_repayment
    if plan.hardship is not None:
        assert offer.months <= cfg.hardship_max_months
    if plan.review is not None:
        assert offer.months > cfg.hardship_max_months


# ------------------------------------------------------------------ the setting


def test_hardship_fee_rate_defaults_to_zero_and_prices_hardship_quotes():
    assert CFG.hardship_fee_rate == D("0")
    assert hardship_quote(D("10000"), 30, CFG).total_fee == D("0.00")
    assert hardship_quote(D("10000"), 30, CHARGED).total_fee == D("1800.00")
    # A person pricing an exception at the standard rate still can.
    assert installment_quote(D("10000"), 30, CFG, hardship=True).total_fee == D("1800.00")


def test_hardship_fee_rate_from_configuration():
    assert PolicyConfig.from_mapping({"hardship_fee_rate": 0.003}).hardship_fee_rate == D("0.003")
    assert PolicyConfig.from_mapping({"hardship_fee_rate": "0"}).hardship_fee_rate == D("0")


@pytest.mark.parametrize(
    "data",
    [
        {"hardship_fee_rate": "abc"},
        {"hardship_fee_rate": "NaN"},
        {"hardship_fee_rate": -0.001},
        {"hardship_fee_rate": True},
        {"hardship_fee_rate": 0.007},  # dearer than a standard plan
        {"monthly_fee_rate": 0.002, "hardship_fee_rate": 0.003},
    ],
)
def test_bad_hardship_fee_rates_are_refused(data):
    with pytest.raises(PolicyConfigError):
        PolicyConfig.from_mapping(data)


def test_direct_construction_rejects_a_float_rate():
    with pytest.raises(TypeError):
        PolicyConfig(hardship_fee_rate=0.0)
