"""The spaCy variant of the entity extractor (issue 18), kept for measurement.

A blank ``zh`` pipeline (no pretrained model: none can be downloaded here)
segmented by jieba with our collection dictionary, and a spaCy ``Matcher``
over its tokens for amounts, dates, durations, installment counts and ID
digits. It reads the normalised text, as the rule extractor does.

It lost to the rule extractor (``bot.nlu.rule_entities``) on every set, so
config.yml does not use it; the numbers are in config.yml's comments and
docs/reports/nlu_tuning.md. The structural reason: spaCy matches whole
tokens, and jieba's tokens do not follow entity boundaries in this domain
(昨天下午 is one token but only 昨天 is the date; 12月31日前 ends in 日前;
两 | 千五 splits an amount), while the rule grammar works on characters.
``scripts/nlu_entity_compare.py`` re-runs the comparison.

spaCy is a development dependency (requirements-dev.txt): this module is
imported only when a pipeline names it or the comparison runs.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

DICTIONARY = Path(__file__).resolve().parent / "dictionary"

_CN = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
# A number token: 300, 1.5, 2k, 1w2, 两千五百, 十八.
NUM = r"^(\d+(\.\d+)?([wWkK]\d?)?|[" + _CN + r"]+)$"
# Chinese numerals with a magnitude (四千, 一万二, 六千多) are amounts alone.
CN_AMOUNT = r"^[" + _CN + r"]*[百千万][" + _CN + r"]*多?$|^\d+(\.\d+)?[wWkK]\d?$"
CURRENCY = ["元", "块", "块钱", "蚊", "圆", "文", "万", "千", "百", "w", "k", "W", "K", "万块", "千块"]
ABOUT = ["左右", "多", "多块", "来块"]
AMOUNT_REF = ["全部", "全额", "全款", "最低还款额", "最低还款"]
DATE_WORDS = [
    "今天", "明天", "后天", "大后天", "昨天", "前天", "大前天", "今日", "明日", "听日", "琴日", "后日",
    "月底", "月初", "月中", "月尾", "月末", "年底", "年尾", "下月初", "下月底", "下月中", "这个月底",
    "本月底", "月底前", "下个月初", "下个月底",
]
WEEKDAY = r"^([下上]{1,2}个?|这个?|本)?(周|星期|礼拜)[一二三四五六日天]$"
DAY_UNIT = ["号", "日"]
DURATION_TOKEN = r"^([" + _CN + r"]+|\d+)个?(天|周|星期|礼拜|月)$|^半个月$"
DURATION_UNIT = ["天", "周", "星期", "礼拜", "个月", "月"]
ID_TOKEN = r"^\d{3}[\dxX]$"
ID_CONTEXT = {"尾号", "后四位", "末四位", "身份证", "卡号", "最后", "后4位", "位是", "末尾"}
MONEY_CONTEXT = re.compile(r"还|付|转|打|欠|存|交|凑|借|元|块|钱|工资|收入|到手|每月|一个月")
SPLIT_WORDS = {"分", "分期", "分成", "拆成", "分为"}


def _n(regex: str = NUM) -> Dict[str, Any]:
    return {"TEXT": {"REGEX": regex}}


def _in(words) -> Dict[str, Any]:
    return {"TEXT": {"IN": list(words)}}


PATTERNS: Dict[str, List[List[Dict[str, Any]]]] = {
    "amount": [
        [_n(), _in(CURRENCY), dict(_in(ABOUT), OP="?"), dict(_in(["块", "元", "蚊"]), OP="?")],
        [_n(CN_AMOUNT), dict(_in(ABOUT), OP="?")],
        [_n(r"^[一二两三四五六七八九]$"), _n(r"^[千万][一二三四五六七八九]?$")],
        [_in(AMOUNT_REF)],
        [_n(r"^\d{3,6}$")],
    ],
    "date": [
        [_in(DATE_WORDS)],
        [_n(WEEKDAY)],
        [_in(["下", "上", "这", "本", "下个", "上个", "这个"]), _n(r"^(周|星期|礼拜)[一二三四五六日天]$")],
        [dict(_in(["下个月", "下月", "上个月", "这个月", "本月"]), OP="?"), _n(), _in(DAY_UNIT)],
        [_n(), _in(["月"]), _n(), _in(DAY_UNIT)],
        [_n(r"^\d{1,2}[号日]$")],
        [_n(), dict(_in(["个"]), OP="?"), _in(["天", "周", "星期", "礼拜"]), _in(["后", "以后", "之后"])],
    ],
    "duration": [
        [_n(DURATION_TOKEN)],
        [_n(r"^([" + _CN + r"]+|\d+)个?$"), _in(DURATION_UNIT)],
        [_n(), _in(["个"]), _in(DURATION_UNIT)],
    ],
    "months": [
        [_n(r"^([" + _CN + r"]+|\d+)期$")],
        [_n(), _in(["期"])],
    ],
    "id_last4": [
        [_n(ID_TOKEN)],
    ],
}

# Which label wins when two overlap with the same span length.
_PRIORITY = {"months": 0, "date": 1, "duration": 2, "id_last4": 3, "amount": 4}


@lru_cache(maxsize=1)
def pipeline():
    """The blank zh pipeline and its matcher (built once per process)."""
    import jieba
    import spacy
    from spacy.matcher import Matcher

    for path in sorted(DICTIONARY.glob("*.txt")):
        jieba.load_userdict(str(path))
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    matcher = Matcher(nlp.vocab)
    for label, patterns in PATTERNS.items():
        matcher.add(label, patterns)
    return nlp, matcher


def _keep(label: str, doc, start: int, end: int) -> bool:
    """Context checks that token patterns cannot express."""
    before = {t.text for t in doc[max(0, start - 4):start]}
    text = doc.text
    if label == "id_last4":
        if before & ID_CONTEXT or len(doc) <= 3:
            return True
        return not MONEY_CONTEXT.search(text)
    if label == "amount" and re.fullmatch(r"\d{4}", doc[start:end].text):
        # Four bare digits are ID digits unless money is being talked about.
        return bool(MONEY_CONTEXT.search(text)) and not before & ID_CONTEXT
    if label == "duration" and doc[start:end].text in ("一个月", "一个 月") and doc[end:end + 3].text[:2] in ("到手", "收入", "工资", "能还", "也就"):
        return False
    return True


def find_entities(text: str) -> List[Tuple[int, int, str, str]]:
    """(start, end, entity, value) character spans found in ``text``."""
    if not text:
        return []
    nlp, matcher = pipeline()
    doc = nlp(text)
    found = []
    for match_id, start, end in matcher(doc):
        label = nlp.vocab.strings[match_id]
        if label == "months" or label == "duration":
            # N个月 after 分/分期 counts installments, otherwise time.
            split = bool({t.text for t in doc[max(0, start - 2):start]} & SPLIT_WORDS)
            if doc[start:end].text.endswith("月") and "半" not in doc[start:end].text:
                label = "months" if split else "duration"
        if _keep(label, doc, start, end):
            found.append((start, end, label))
    # Longest first, then the label's priority; no overlaps.
    found.sort(key=lambda f: (-(f[1] - f[0]), _PRIORITY[f[2]], f[0]))
    taken: List[Tuple[int, int]] = []
    spans = []
    for start, end, label in found:
        if any(start < b and a < end for a, b in taken):
            continue
        taken.append((start, end))
        span = doc[start:end]
        spans.append((span.start_char, span.end_char, label, span.text))
    return sorted(spans)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class SpacyEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Entities from spaCy's Matcher over a blank, jieba-segmented zh pipeline."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SpacyEntityExtractor":
        pipeline()  # fail at load time, not on the first message
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = [
                {"entity": label, "start": start, "end": end, "value": value, "confidence_entity": 1.0}
                for start, end, label, value in find_entities(message.get(TEXT) or "")
            ]
            entities = self.add_extractor_name(entities)
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
