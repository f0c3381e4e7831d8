"""Stated income, expenses and budget told apart by their wording (issue 13,
bot/core/stated_means.py): the phrasings of the inform_income intent."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from bot.core.stated_means import BUDGET, EXPENSES, INCOME, classify, latest_of


def kinds(text):
    """Amounts marked [like this] in ``text``, classified with the NLU's offsets."""
    amounts, plain, pos = [], "", 0
    for m in re.finditer(r"\[(.+?)\]", text):
        plain += text[pos:m.start()]
        start = len(plain)
        plain += m.group(1)
        amounts.append((Decimal(len(amounts) + 1), m.group(1), start, len(plain)))
        pos = m.end()
    plain += text[pos:]
    return [s.kind for s in classify(plain, amounts)]


@pytest.mark.parametrize("text, expected", [
    ("我一个月工资[4500]", [INCOME]),
    ("每月到手[五千块左右] 房租就要一半", [INCOME]),
    ("我月薪才[2800]", [INCOME]),
    ("我月入[1w] 但是要还好几家", [INCOME]),
    ("我一月就[2k]的工资", [INCOME]),  # the word after the amount
    ("我一个月就[两千块]工资", [INCOME]),
    ("我每个月退休金[两千多]", [INCOME]),
    ("我收入不稳定 一个月[两三千]", [INCOME]),  # the clause before
    ("每個月收入[四千五]", [INCOME]),
    ("salary每月[4k5]", [INCOME]),
    ("我人工[四千蚊]", [INCOME]),
    ("收入最多也就[三千]", [INCOME]),  # "at most" yields to a plainer word
    ("我跑外卖 一个月大概[五六千] 油钱还要自己出", [INCOME]),  # the work named before it
    ("兼职一个月[九百]", [INCOME]),
    ("每个月除去开销 能剩[五百左右]", [BUDGET]),  # what is left is what can be paid
    ("我一个月能存下[一千多]", [BUDGET]),
    ("房租加生活费要[3000]", [EXPENSES]),
    ("每个月开销[两千]", [EXPENSES]),
    ("每个月最多还[1000]", [BUDGET]),
    ("每个月能挤出[八百]来还", [BUDGET]),
    ("一个月能拿出[1k]", [BUDGET]),
    ("一个月还[三百]行不行 我只有这么多", [BUDGET]),
    ("最多一个月[1500]", [BUDGET]),
    ("每月能還[800]", [BUDGET]),
    ("每月[400]", [BUDGET]),  # no cue: the answer to "how much can you pay"
    ("月薪[6k] 房租就要[2k]", [INCOME, EXPENSES]),
    ("月薪[八千] 房贷要[四千]", [INCOME, EXPENSES]),
    ("工资[4500]，房租加生活费要[3000]，每个月最多还[1000]", [INCOME, EXPENSES, BUDGET]),
    # A cue before another amount does not reach past it.
    ("工资[4500] 每个月[1000]", [INCOME, BUDGET]),
])
def test_each_amount_gets_the_kind_of_its_wording(text, expected):
    assert kinds(text) == expected


def test_without_offsets_the_amount_is_found_by_its_words():
    stated = classify("工资4500，每个月最多还1000", [(Decimal("4500"), "4500", None, None),
                                                (Decimal("1000"), "1000", None, None)])
    assert [(s.kind, s.amount) for s in stated] == [(INCOME, Decimal("4500")), (BUDGET, Decimal("1000"))]
    assert latest_of(stated, INCOME) == Decimal("4500") and latest_of(stated, EXPENSES) is None


def test_an_amount_not_in_the_text_takes_the_only_kind_the_message_names():
    # A normalised value ("4500" for "四千五") without offsets.
    (stated,) = classify("我工资四千五", [(Decimal("4500"), "4500", None, None)])
    assert stated.kind == INCOME
    (stated,) = classify("每月四百", [(Decimal("400"), "400", None, None)])
    assert stated.kind == BUDGET
