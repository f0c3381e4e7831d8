"""Wording a debt collector must never use.

Chinese rules for card collection (《商业银行信用卡业务监督管理办法》 and the
industry's 催收自律公约) forbid threats of violence or arrest, humiliation,
and disclosing the debt to third parties (family, employer, phone
contacts). Every sentence the assistant sends is checked against this list,
so a template edit or generated text cannot slip one through.

The terms are the *threatening* forms, not their topics: the assistant must
still be able to say calmly "我们不会因此与您以外的任何人讨论您的账户". So
"通知你家人" is listed, "家人" is not; "去死"/"弄死你" are listed, the bare
character "死" is not (it would also block legitimate phrases about a
deceased cardholder, 持卡人身故/死亡, which collections teams do handle).
Third-party threats are listed in the blunt 你 form in which they are
typically made; a calm denial should still prefer neutral wording like the
sentence above rather than "不会联系你的家人".
"""
from __future__ import annotations

import unicodedata

FORBIDDEN_TERMS: tuple[str, ...] = (
    # Threats of arrest, prison or police: card debt is a civil matter; only
    # a court can decide otherwise, and a collector must not imply it.
    "坐牢",
    "蹲监狱",
    "进监狱",
    "吃牢饭",
    "拘留",
    "刑拘",
    "判刑",
    "逮捕",
    "抓你",
    "抓起来",
    "警察上门",
    "报警抓",
    # Visits and third-party disclosure.
    "上门催收",
    "上门找你",
    "去你家找",
    "去你单位",
    "通知你家人",
    "通知你的家人",
    "通知你单位",
    "通知你的单位",
    "联系你的家人",
    "联系你家人",
    "联系你的单位",
    "联系你单位",
    "告诉你家人",
    "告诉你的家人",
    "告诉你领导",
    "找你家人",
    "找你领导",
    "找你同事",
    "通讯录",
    "曝光",
    "黑名单",  # no such list exists in the credit reference system; misleading
    # Humiliation and insults.
    "老赖",
    "骗子",
    "无赖",
    "废物",
    "不要脸",
    "人渣",
    "穷鬼",
    "丢人现眼",
    "混蛋",
    "王八蛋",
    "白痴",
    "脑残",
    "傻逼",
    # Intimidation.
    "后果自负",
    "走着瞧",
    "等着瞧",
    "你等着",
    "让你好看",
    "吃不了兜着走",
    "身败名裂",
    "死定了",
    "去死",
    "找死",
    "弄死你",
    "打死你",
    "不得好死",
    "死全家",
)

# Unicode general categories skipped when matching: separators (Z*),
# punctuation (P*), symbols (S*, which also covers emoji) and format
# characters (Cf, e.g. zero-width spaces), plus control characters such as
# \n and \t. Letters, digits and CJK ideographs are kept.
_SKIPPED_CATEGORY_PREFIXES = ("Z", "P", "S")
_SKIPPED_CATEGORIES = frozenset({"Cc", "Cf"})


def _compact(text: str) -> str:
    """Remove everything that can be wedged between characters to dodge a match.

    NFKC first folds full-width forms (＊, ！, Ａ) into their ASCII
    counterparts, so one rule covers both widths.
    """
    normalized = unicodedata.normalize("NFKC", text or "")
    return "".join(
        ch
        for ch in normalized
        if not ch.isspace()
        and unicodedata.category(ch) not in _SKIPPED_CATEGORIES
        and not unicodedata.category(ch).startswith(_SKIPPED_CATEGORY_PREFIXES)
    )


_COMPACT_TERMS: tuple[tuple[str, str], ...] = tuple((term, _compact(term)) for term in FORBIDDEN_TERMS)


def find_forbidden(text: str) -> list[str]:
    """The forbidden terms in ``text``, in FORBIDDEN_TERMS order, each once.

    Matching ignores whitespace and punctuation inserted between characters,
    so "坐 牢", "坐*牢" and "坐，牢" are all caught.
    """
    compact = _compact(text)
    return [term for term, needle in _COMPACT_TERMS if needle in compact]


def is_clean(text: str) -> bool:
    return not find_forbidden(text)
