"""The entity annotations in the NLU training data are exactly what the rule
extractor finds (bot.core.normalize.find_entities, which RuleEntityExtractor
wraps): an example annotated differently would teach a wrong contract and
make the data's entity counts lie.  safety.yml is checked by its own owner.
"""
import re
from pathlib import Path

import pytest

from bot.core.normalize import find_entities

DATA = Path(__file__).resolve().parents[2] / "bot" / "data" / "nlu"
FILES = ["core.yml", "escalation.yml", "payment.yml", "plans.yml", "registers.yml", "replies.yml", "people.yml",
         "english_long.yml", "people_more.yml", "colloquial_more.yml", "replies_more.yml",
         "colloquial_round3.yml", "registers_pinyin_english.yml"]
# The safety files' crisis and opt-out examples are written as people say
# them, without entity markup (no form reads an amount from a crisis); their
# look-alikes under other intents are annotated like any other example.
SAFETY_FILES = ["safety.yml", "safety_people.yml", "safety_more.yml", "safety_round5.yml", "safety_rounds_blind.yml", "safety_round6.yml",
                "blind_rounds_dev.yml", "replies_to_bot.yml"]
# Every other file of the folder is checked the same way: a file added
# later (replies_bank_messages.yml, the sixth session's helper files) is
# never left out by forgetting to list it.
OTHER_FILES = sorted(p.name for p in DATA.glob("*.yml") if p.name not in FILES + SAFETY_FILES)
SAFETY_INTENTS = ("crisis", "stop_contact")
_ANNOTATION = re.compile(r"\[([^\]]+)\]\(([a-z_0-9]+)\)")


def _examples(path: Path):
    intent = None
    for line in path.read_text("utf-8").splitlines():
        m = re.match(r"- intent: (\S+)", line)
        if m:
            intent = m.group(1)
            continue
        m = re.match(r"\s+- (.*)$", line)
        if m and intent:
            yield intent, m.group(1)


def _parse(annotated: str):
    """Plain text and its (entity, value, start) list."""
    plain, spans, pos = [], [], 0
    length = 0
    for m in _ANNOTATION.finditer(annotated):
        before = annotated[pos:m.start()]
        plain.append(before)
        length += len(before)
        spans.append((m.group(2), m.group(1), length))
        plain.append(m.group(1))
        length += len(m.group(1))
        pos = m.end()
    plain.append(annotated[pos:])
    return "".join(plain), spans


@pytest.mark.parametrize("name", FILES + SAFETY_FILES + OTHER_FILES)
def test_annotations_match_the_extractor(name):
    mismatches = []
    for intent, example in _examples(DATA / name):
        if name not in FILES and intent in SAFETY_INTENTS:
            continue
        text, annotated = _parse(example)
        found = [(s.entity, s.value, s.start) for s in find_entities(text)]
        if found != annotated:
            mismatches.append((intent, example, found))
    assert mismatches == []


def test_registers_cover_every_intent_but_the_safety_ones():
    intents = {intent for intent, _ in _examples(DATA / "registers.yml")}
    domain = (DATA.parents[2] / "domain.yml").read_text("utf-8")
    declared = set(re.findall(r"^  - (\w+)$", domain.split("entities:")[0], re.M))
    assert declared - intents == {"crisis", "stop_contact"}
