"""Crisis signs drawn as emoji: a means or a place of dying with a goodbye or
with another of them, the death emoji the normaliser drops, and laughter."""
from __future__ import annotations

import re
from typing import List

# Emoji the normaliser drops (a skull, blood, a gun): a sign, unless the
# skull is laughter (😂💀 is 笑死).
_DEATH_EMOJI = re.compile("[\U0001F480\u2620\U0001FA78\U0001F52B]")
# What a message of emoji says instead of words (issue 18): a means or a
# place of dying (pills, a knife, a rope, a coffin, a bridge) with a goodbye
# or with another of them (💊💊😴, 🌉👋, 🔪🩸) is a crisis, not a mood.
_MEANS_EMOJI = re.compile("[\U0001F48A\U0001F52A\U0001FAA2\u26B0\U0001FAA6\U0001F480\u2620\U0001FA78\U0001F52B\U0001F309]")
# The sea counts only beside another means or place (🌉🌊), never alone.
_WATER_EMOJI = "\U0001F30A"
_FALL_EMOJI = re.compile("[\U0001F3E2\U0001F3D9\U0001F3EC\U0001F309].{0,3}[\u2B07\u2193\u2935]")
_GOODBYE_EMOJI = re.compile("[\U0001F44B\U0001F634\U0001F4A4\U0001F54A\U0001F940\U0001F5A4]|再见|拜拜|永别|晚安|bye"
                            # sleeping, not to be looked for (issue 18, fourth round)
                            "|瞓|睡了|去睡|睡觉|别找我|不要找我|唔好搵我|唔好揾我|sleep", re.IGNORECASE)
# A means drawn again and again (💊💊💊) is a plan, not a mood.
_REPEATED_MEANS = re.compile("([\U0001F48A\U0001F52A\U0001FAA2\u26B0\U0001FAA6\U0001F309])(\ufe0f?\\s*\\1){2,}"
                             # a headstone or a coffin twice ("不用挪了 🪦🪦": blind round 18)
                             "|[\u26B0\U0001FAA6]\ufe0f?\\s*[\u26B0\U0001FAA6]")


def _emoji_signs(text: str) -> List[str]:
    means = set(_MEANS_EMOJI.findall(text))
    if means and _WATER_EMOJI in text:
        means.add(_WATER_EMOJI)
    if means and (len(means) >= 2 or _GOODBYE_EMOJI.search(text) or _REPEATED_MEANS.search(text)) or _FALL_EMOJI.search(text):
        return ["emoji_means"]
    return []


# A means or a place of dying drawn alone, the whole message (a bare 🌉, 🪢,
# 💊💊; blind round 13's writer labelled a bare 🌉 crisis): the bot cannot
# read it as anything else, so it asks whether they are safe (possible).
# Not the skull, which is laughter as often as not.
_MEANS_ALONE = re.compile("^(?:[\U0001F48A\U0001F52A\U0001FAA2\u26B0\U0001FAA6\U0001F309]\ufe0f?\\s*)+$")


def _means_alone(text: str) -> List[str]:
    return ["emoji_means_alone"] if _MEANS_ALONE.match((text or "").strip()) else []


# The sea with a goodbye and nothing of a day out (🌊🌊🌊👋, "退订🌊👋"; safety
# round 17), or walking into it ("👴要去🌊里了"): only possible, the bot asks.
_SEA_GOODBYE = re.compile("\U0001F30A.{0,6}(\U0001F44B|再见|拜拜|永别|再也不见)|(\U0001F44B|再见|拜拜|永别).{0,6}\U0001F30A"
                          "|(去|进|走进|跳进|跳)(到)?\U0001F30A(里|中)?", re.IGNORECASE)
_DAY_OUT = re.compile("[\U0001F3D6\U0001F3C4\u26F1\U0001F41A\U0001F3CA\U0001F30B\U0001F374\U0001F37A]|海边玩|度假|旅游|旅行|冲浪|潜水|游泳|赶海|假期|放假|出去玩|周末")


def _sea_goodbye(text: str) -> List[str]:
    return ["emoji_sea_goodbye"] if _SEA_GOODBYE.search(text) and not _DAY_OUT.search(text) else []


# Jumping from a building or a bridge drawn as emoji (跳🏢): a method named.
_JUMP_DRAWN = re.compile("(跳|jump).{0,2}[\U0001F3E2\U0001F3D9\U0001F3EC\U0001F309]", re.IGNORECASE)


def _jump_drawn(text: str) -> List[str]:
    return ["emoji_jump"] if _JUMP_DRAWN.search(text) else []


_LAUGHING = re.compile("[\U0001F602\U0001F923\U0001F606\U0001F604]|哈哈|笑|lol|lmao", re.IGNORECASE)
