"""English and Chinglish entities (issue 18): cardholders who write "I'll pay
3000 tomorrow", "give me 2 more weeks", "split into 12 installments" or
"last 4 is 1234" get the same entities as in Chinese, with the values the
actions book.  And the numbers of ordinary English ("I'm 25", "24/7",
"3 times", "1st time", "3pm") stay no entity.

Each case checks the span find_entities returns and the value the matching
parse_* function gives the actions.
"""
from datetime import date
from decimal import Decimal

import pytest

from bot.core.normalize import find_entities
from tests.unit.entity_support import found


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I'll pay 3000 tomorrow", [("amount", "3000", Decimal("3000.00")), ("date", "tomorrow", date(2026, 11, 26))]),
        ("will pay tonight", [("date", "tonight", date(2026, 11, 25))]),
        ("i paid yesterday", [("date", "yesterday", date(2026, 11, 24))]),
        ("i'll pay tmr", [("date", "tmr", date(2026, 11, 26))]),
        ("the day after tomorrow", [("date", "the day after tomorrow", date(2026, 11, 27))]),
        # next Friday = 下周五, the Friday of next week; on/this Friday = 周五
        ("paying next Friday", [("date", "next Friday", date(2026, 12, 4))]),
        ("will pay on friday", [("date", "friday", date(2026, 11, 27))]),
        ("by next mon", [("date", "next mon", date(2026, 11, 30))]),
        ("will pay next week", [("date", "next week", date(2026, 12, 6))]),
        ("settle it this weekend", [("date", "this weekend", date(2026, 11, 29))]),
        ("will pay on the 15th", [("date", "15th", date(2026, 12, 15))]),
        ("by the end of the month", [("date", "the end of the month", date(2026, 11, 30))]),
        ("end of next month", [("date", "end of next month", date(2026, 12, 31))]),
        ("pay next month", [("date", "next month", date(2026, 12, 31))]),
        ("Dec 10", [("date", "Dec 10", date(2026, 12, 10))]),
        ("10th of January", [("date", "10th of January", date(2027, 1, 10))]),
        ("in two weeks", [("date", "in two weeks", date(2026, 12, 9))]),
        ("on payday", [("date", "payday", None)]),  # a day we cannot know: the bot asks
    ],
)
def test_english_dates(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("give me a month", [("duration", "a month", 30)]),
        ("pls give me one more week", [("duration", "one more week", 7)]),
        ("postpone 2 weeks pls", [("duration", "2 weeks", 14)]),
        ("can I have two more weeks", [("duration", "two more weeks", 14)]),
        ("half a month", [("duration", "half a month", 15)]),
        ("3 months", [("duration", "3 months", 90)]),
        ("another week", [("duration", "another week", 7)]),
    ],
)
def test_english_durations(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("installment plan for 12 months please", [("months", "12 months", 12)]),
        ("split it over six months?", [("months", "six months", 6)]),
        ("12 installments", [("months", "12 installments", 12)]),
        ("split into 6", [("months", "6", 6)]),
        ("can I pay over 3 years", [("months", "3 years", 36)]),
        ("monthly payments over a year ok?", [("months", "a year", 12)]),
    ],
)
def test_english_installment_counts(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3k", [("amount", "3k", Decimal("3000.00"))]),
        ("2K ok", [("amount", "2K", Decimal("2000.00"))]),
        ("RMB 3,000", [("amount", "RMB 3,000", Decimal("3000.00"))]),
        ("pay 3000 yuan", [("amount", "3000 yuan", Decimal("3000.00"))]),
        ("500 kuai ok", [("amount", "500 kuai", Decimal("500.00"))]),
        # the number as written: no exchange rate
        ("$500", [("amount", "$500", Decimal("500.00"))]),
        ("salary 5000 a month", [("amount", "5000", Decimal("5000.00"))]),
        ("I can pay at most 500 per month", [("amount", "500", Decimal("500.00"))]),
    ],
)
def test_english_amounts(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("last 4 is 1234", [("id_last4", "1234", "1234")]),
        ("last four is 4019", [("id_last4", "4019", "4019")]),
        ("ID ends in 532x", [("id_last4", "532x", "532X")]),
        ("my ID ends with 0311", [("id_last4", "0311", "0311")]),
        ("ID last 4: 4416", [("id_last4", "4416", "4416")]),
        ("hou si wei 8842", [("id_last4", "8842", "8842")]),
    ],
)
def test_english_id_digits(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I'm 25",
        "I am 25 years old",
        "24/7",
        "3 times",
        "you called me 10 times",
        "1st time",
        "the 1st time",
        "3pm",
        "at 3 pm",
        "call me at 10",
        "10am",
        "I have 2 kids",
        "is there an installment option",
        "pay once a month",
        "I sat down",
        "sat down for a minute",
        "Sun is too hot",
        "what's the weather today",
        "I have been unemployed 3 years",
    ],
)
def test_ordinary_english_numbers_are_no_entities(text):
    assert find_entities(text) == []


def test_a_month_after_a_sum_is_a_rate_not_a_duration():
    assert [(s.entity, s.value) for s in find_entities("I earn 4000 a month")] == [("amount", "4000")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("verify then I pay 1500", [("amount", "1500")]),  # an ID word elsewhere, money before the number
        ("no 2000 is too much", [("amount", "2000")]),
        ("身份证 1234 还 3000", [("id_last4", "1234"), ("amount", "3000")]),  # across a space
    ],
)
def test_money_right_before_the_number_keeps_it_a_sum(text, expected):
    assert [(s.entity, s.value) for s in find_entities(text)] == expected
