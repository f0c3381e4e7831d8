"""Stated income, expenses and budget, told apart by the wording around each
amount (issue 13).

A cardholder answering "how much can you pay each month?" (the
``inform_income`` intent) says one of three different things, often several
in one message:

- **income**: "我一个月工资4500", "每月到手五千", "月入1w", "退休金一千八";
- **expenses**: "房租加生活费要3000", "房贷要四千", "开销两千";
- **budget** (what they can put towards the card): "每个月最多还1000",
  "能拿出八百", "一个月还三百行不行".

Treating every figure as the budget put the cardholder's whole salary to
them as a monthly instalment. Here each amount gets the kind of the nearest
cue word: first in its own clause (before the amount, then after it:
"两千块工资"), then in the clauses before it, never past another amount
("工资4500 每个月1000" - the 1000 is not a salary). An amount with no cue
anywhere answers the question the bot asked (what they can pay each month):
a budget.

Plain Python, no Rasa: the action passes the message text and the amount
entities (with their character offsets when the NLU gave them).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import List, Optional, Sequence, Tuple

INCOME = "income"
EXPENSES = "expenses"
BUDGET = "budget"
KINDS = (INCOME, EXPENSES, BUDGET)
KIND_LABELS = {INCOME: "月收入", EXPENSES: "每月开销", BUDGET: "每月可还"}

# Cue words per kind (simplified and traditional, some Cantonese). Longer
# cues are tried first by the regex alternation's order of length.
_CUES = {
    BUDGET: (
        "能还", "可以还", "可還", "能還", "可以還", "最多还", "最多還", "顶多还", "頂多還", "只能还", "只能還",
        "还得起", "還得起", "还款", "還款", "来还", "來還", "拿出", "挤出", "擠出", "凑出", "湊出", "匀出",
        "省出", "最多", "顶多", "頂多", "至多", "每月还", "每月還", "每个月还", "每個月還", "一个月还", "一個月還",
        "月供", "能剩", "剩下", "剩", "存下", "结余", "結餘", "承受", "承担", "承擔",
    ),
    INCOME: (
        "工资", "工資", "收入", "月薪", "薪水", "薪资", "薪資", "底薪", "月入", "挣", "掙", "赚", "賺", "到手",
        "人工", "出粮", "出糧", "salary", "退休金", "养老金", "養老金", "提成", "打工", "打零工", "纯利", "純利",
        "流水", "进账", "進賬", "领", "領",
        # Work named in the clause before the figure ("我跑外卖 一个月五六千").
        "兼职", "兼職", "零工", "上班", "干活", "幹活", "外卖", "外賣", "网约车", "網約車", "摆摊", "擺攤",
        "地摊", "地攤", "保洁", "保潔", "快递", "快遞", "送货", "送貨", "司机", "司機",
    ),
    EXPENSES: (
        "房租", "租金", "开销", "開銷", "开支", "開支", "支出", "生活费", "生活費", "要花", "花销", "花銷",
        "花费", "花費", "花掉", "房贷", "房貸", "车贷", "車貸", "水电", "水電", "油钱", "油錢", "学费", "學費",
        "医药费", "醫藥費", "伙食", "吃饭", "吃飯", "养家", "養家", "寄回家", "交租",
    ),
}
_CUE_KIND = {cue.lower(): kind for kind, cues in _CUES.items() for cue in cues}
# "At most" alone leans to a budget but yields to a plainer word before it
# ("收入最多三千" is an income).
_WEAK = {"最多", "顶多", "頂多", "至多"}
_CUE_RE = re.compile("|".join(re.escape(c) for c in sorted(_CUE_KIND, key=len, reverse=True)), re.IGNORECASE)
# "还" right before the amount ("每个月还500", "一个月还三百") is a budget;
# elsewhere it is as often the adverb ("还有房贷", "还要寄回家").
_PAY_BEFORE = re.compile(r"[还還]\s*$")
# Where a clause ends: punctuation, spaces, and "but" that turns to another figure.
_CLAUSE_END = re.compile(r"[，,。.；;！!？?、\s]+|但是|可是")


@dataclass(frozen=True)
class StatedAmount:
    kind: str
    amount: Decimal
    cue: Optional[str] = None  # the word that decided it; None: the default (budget)


def _clauses(text: str) -> List[Tuple[int, int]]:
    spans, start = [], 0
    for m in _CLAUSE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _cues_in(text: str, lo: int, hi: int) -> List[Tuple[int, str]]:
    return [(m.start() + lo, m.group(0).lower()) for m in _CUE_RE.finditer(text[lo:hi])]


def _nearest_before(found: List[Tuple[int, str]]) -> str:
    strong = [c for _p, c in found if c not in _WEAK]
    return strong[-1] if strong else found[-1][1]


def _kind_at(text: str, start: int, end: int, others: Sequence[Tuple[int, int]]) -> Tuple[str, Optional[str]]:
    if _PAY_BEFORE.search(text[:start]):
        return BUDGET, text[start - 1]
    clauses = _clauses(text)
    index = next((i for i, (lo, hi) in enumerate(clauses) if lo <= start < hi), None)
    if index is None:
        return BUDGET, None
    lo, hi = clauses[index]
    # Not past another amount in the same clause ("月薪6k房租2k").
    before_lo = max([lo] + [e for s, e in others if e <= start and s >= lo])
    after_hi = min([hi] + [s for s, e in others if s >= end and s < hi])
    before = _cues_in(text, before_lo, start)
    if before:
        cue = _nearest_before(before)
        return _CUE_KIND[cue], cue
    after = _cues_in(text, end, after_hi)
    if after:
        cue = after[0][1]
        return _CUE_KIND[cue], cue
    # Earlier clauses, nearest first, stopping at the first one with an amount.
    for c_lo, c_hi in reversed(clauses[:index]):
        if any(c_lo <= s < c_hi for s, _e in others):
            break
        found = _cues_in(text, c_lo, c_hi)
        if found:
            cue = _nearest_before(found)
            return _CUE_KIND[cue], cue
    return BUDGET, None


def _locate(text: str, raw: Optional[str], start: Optional[int], end: Optional[int],
            taken: List[Tuple[int, int]]) -> Optional[Tuple[int, int]]:
    """Where the amount is in the text: the NLU's offsets when they fit the
    text, else the first free occurrence of its words."""
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return start, end
    if raw:
        for m in re.finditer(re.escape(raw), text):
            if all(m.end() <= s or m.start() >= e for s, e in taken):
                return m.start(), m.end()
    return None


def classify(text: str, amounts: Sequence[Tuple[Decimal, Optional[str], Optional[int], Optional[int]]]) -> List[StatedAmount]:
    """Each amount of a message with its kind.

    ``amounts``: (value, raw words, start, end) per amount entity, in the
    message's order; the offsets may be None. An amount that cannot be
    found in the text gets the kind of the whole message's only cue kind,
    else budget."""
    text = text or ""
    spans: List[Optional[Tuple[int, int]]] = []
    taken: List[Tuple[int, int]] = []
    for _value, raw, start, end in amounts:
        span = _locate(text, raw, start, end, taken)
        spans.append(span)
        if span is not None:
            taken.append(span)
    out = []
    for (value, _raw, _s, _e), span in zip(amounts, spans):
        if span is None:
            kinds = {_CUE_KIND[c] for _p, c in _cues_in(text, 0, len(text))}
            kind = kinds.pop() if len(kinds) == 1 else BUDGET
            out.append(StatedAmount(kind, value))
            continue
        others = [t for t in taken if t != span]
        kind, cue = _kind_at(text, span[0], span[1], others)
        out.append(StatedAmount(kind, value, cue))
    return out


def latest_of(stated: Sequence[StatedAmount], kind: str) -> Optional[Decimal]:
    """The last amount of ``kind`` in a message (a correction comes last)."""
    found = [s.amount for s in stated if s.kind == kind]
    return found[-1] if found else None


# A bare figure in answer to "how much can you pay each month?": "150",
# "1000", "８００元", "每月1200". The NLU reads four digits alone as the ID's
# last four (inform_identity) and gives no amount; after the budget question
# (bot/data/rules/forms.yml) the figure is the answer.
_BARE_AMOUNT = re.compile(
    r"^\s*(每个?月|一个月|月)?\s*(最多|大概|差不多)?\s*(\d{1,6}(?:\.\d{1,2})?)\s*(元|块钱|块|蚊|rmb|RMB)?\s*(吧|左右|的样子|啦)?\s*[。.!！~～]*\s*$")


def bare_amount(text: str) -> Optional[Tuple[Decimal, str, int, int]]:
    """(value, raw, start, end) when the whole message is one figure, else None."""
    text = unicodedata.normalize("NFKC", text or "")
    m = _BARE_AMOUNT.match(text)
    if not m:
        return None
    value = Decimal(m.group(3))
    return (value, m.group(3), m.start(3), m.end(3)) if value > 0 else None
