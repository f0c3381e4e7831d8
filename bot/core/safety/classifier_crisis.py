"""Whether a crisis only the classifier saw is explained away: a figure of
speech (笑死, 跳楼价) or an everyday context the net knows."""
from __future__ import annotations

import re

from bot.core.safety.checkin import SAFE, SAYS_SAFE, checkin_answer
from bot.core.safety.crisis import assess_crisis
from bot.core.safety.crisis_rules import (
    CRISIS_CERTAIN,
    CRISIS_ENGLISH_CERTAIN,
    CRISIS_ENGLISH_POSSIBLE,
    CRISIS_POSSIBLE,
)
from bot.core.safety.explain import _DEBT_ENDLESS, _EVERYDAY, _EVERYDAY_SHORT, _OWN_WISH, _SHORT_MESSAGE
from bot.core.safety.optout import STOP_ENGLISH
from bot.core.safety.views import _english, _matching, _views, compact_text, normalize

# Words with 死 or a method in them that say nothing about dying (笑死,
# 死机, 煤气费, 跳楼价), and ordinary words with 活 in them.
_FIGURES = re.compile(
    # blind round 20: "医生让我别整天累死累活的" (toiling), first so that 累死 alone does not take it
    r"累死累活|(笑|忙|累|攰|烦|气|吓|热|冷|困|饿|渴|急|穷|丑|美|帅|馋|撑|疼|痛|懒|卡|堵|愁|闷|挤|坑)(得|到)?(我)?(要|想)?死|死(了)?机|死贵|死板|死心|死活|死定"
    r"|死循环|死账|呆账|死期|死皮赖脸|煤气费|燃气费|跳楼价|跳楼甩卖|跳楼大甩卖|棺材本|去世|过世|逝世|身故|(?<!我的)(?<!我)遗产|钓鱼|药费|医药费|买药|吃药"
    # medicine as a cost or a cold, fate as a sigh, English idioms (issue 18)
    r"|什么药|降压药|感冒药|胃药|中药|西药|药店|药房|开药|拿药|配药|医药|药钱|药太贵|命苦|命不好|认命|拼命|要命"
    r"|dyingto|deadtired|killingme|killtime|todiefor"
    # 跳楼机 (the amusement ride) and 跳楼价 typed in pinyin (safety round 22)
    r"|tiaolouji|tiaoloujia"
    # issue 18, fifth round: crushed by debt, not spared even in death (an
    # insult), a life saved by a plan, banging one's head, a deadline, skydiving
    # safety round 19: "想死你了" (missed you), however typed
    r"|想(死|4)(你|您)(们)?(了|啦|咯|喽)(?![解结断])"
    # blind round 22: the bank's "last chance" quoted back, a bare "nothing
    # more" to "anything else?", the lying-flat and running-away memes denied
    # (not 躺平 itself: "躺平躺够了，想换个姿势，永远躺着不起来那种", safety round 7)
    r"|最后(的)?(一次)?机会|^(没|没有|木有|冇)(了|啦|咯|哦)+$|躺平不了|润不了|润不出去"
    # blind round 23: "这账单谁看了不想死" (anyone would), "往死里轰炸" (all out)
    r"|谁(看了|听了|见了|碰上|遇到)(都|能|会)?(不)?想死|往死里"
    r"|压(得|到)?(我)?(快)?(要)?死|死(了)?都不(会)?放过|救了我一(条)?命|救命之恩|命都(快)?(要)?搭进去|搭上(半条|一条)?命|撞墙|死线|跳伞|蹦极|godie|dieinafire|(打死|杀了|砍了|宰了)我(也|都)"
)
# Ordinary words with 活 in them: not death-like, but no figure of speech
# either, so they explain nothing ("学费加生活费我刷了信用卡…我已经决定了日子"
# is still the classifier's crisis).
_TITLE = re.compile(r"《[^《》]{1,24}》")
_ORDINARY = re.compile(r"生活|活动|干活|快活|灵活|激活|活期|活儿|复活")
_DEATHLIKE = re.compile(r"[死亡杀跳刀绳炭命葬坟墓药活]|die|dead|dying|kill|suicid|overdose")


def figure_of_speech_only(text: str) -> bool:
    """Whether everything death-like in the text is a figure of speech.

    For a crisis the classifier found alone (笑死我了, 这个月煤气费都交不起了):
    the net saw no sign, and without its figures of speech the text has no
    death-like word left.
    """
    # The fully normalised view only: traditional and Cantonese figures
    # (死咗機 → 死了机) are only recognisable there, and normalising never
    # removes a death-like word.
    seen = compact_text(normalize(text or ""))
    if bool(_FIGURES.search(seen)) and not _death_like_left(seen):
        return True
    # A book or a film named ("在跟学生讨论余华的《活着》": blind round 22):
    # its title taken out, nothing death-like may be left.
    untitled = _TITLE.sub("", text or "")
    return untitled != (text or "") and not _death_like_left(compact_text(normalize(untitled)))


def _death_like_left(seen: str) -> bool:
    """A death-like word in ``seen`` once figures of speech and ordinary 活 words are gone."""
    return bool(_DEATHLIKE.search(_ORDINARY.sub("", _FIGURES.sub("", seen))))


# What a person leaves behind, or leaves to the family to settle.
_LEFT_BEHIND = re.compile(r"遗(物|书|言|嘱|产|照)|后事|身后|(家里人|家人|孩子|老婆|老公|爸妈)[^。！!]{0,6}(卖|还|处理|料理)"
                          r"|不在了|走了以后|走了之后|最后(一|的)")


# The chore denied ("最后唱一首就上楼顶 这回不是去晒被子": blind round 22).
_NOT_FOR_A_CHORE = re.compile(r"不是(去|来|为了|要|上去)?(晒|收|晾|浇|修|乘凉|抽烟|看风景|烧烤)")


# Thirty-second round (blind round 25): everyday readings of a crisis only
# the classifier heard, kept apart from _EVERYDAY because the net's own
# signs are not explained by them: fireworks by the river on New Year's Eve,
# a job change, a game (Minecraft's creeper "炸寄了"), the B站 meme "下次一定",
# a prison term served, the debt world's 上岸 ("这辈子怕是上不了岸了" is the
# debt, not the water), a cash collection at the door, and no end in sight
# to the repayments themselves.
_EVERYDAY_R32 = re.compile(
    r"烟花|跨年|跳槽|我的世界|苦力怕|排位|开黑|上分|下次一定"
    r"|出狱|刑满|坐牢|服刑|劳改|(进去|在里面)(那|的)?[几两三四五六七八九十]年"
    r"|上不了岸|上岸|(上门|派人)(来)?收(款|钱|现金)"
    r"|看不到头[^。！!]{0,12}(还款|债|账单|利息|催收|提醒)|(还款|债|账单|利息|催收|提醒)[^。！!]{0,12}看不到头")


def everyday_context_only(text: str) -> bool:
    """Whether a crisis only the classifier saw has an everyday explanation.

    Also when the net itself saw a sign in the text and explained it away
    (a complaint's 逼死人, prescribed sleeping pills, a relative's debt, a
    game and "not serious"): the classifier's crisis has the same explanation.
    """
    views = _views(text)
    if any(_OWN_WISH.search(v) or _NOT_FOR_A_CHORE.search(v) for v in views):
        return False
    # Debt that will never end is the debt's despair (inform_hardship), when
    # the net sees no sign of its own ("看不到头 这账我这辈子都还不完了":
    # blind round 23).
    # Not with what is left behind ("账我还不完了。我的遗物里有一块表…让我家里
    # 人卖了还你们": safety round 16).
    endless_debt = (any(_DEBT_ENDLESS.search(v) for v in views)
                    and not any(_LEFT_BEHIND.search(v) for v in views))
    short = len(compact_text(text or "")) <= _SHORT_MESSAGE and any(_EVERYDAY_SHORT.search(v) for v in views)
    return (endless_debt or short or any(_EVERYDAY.search(v) or _EVERYDAY_R32.search(v) for v in views)
            or _net_explained(text))


def _net_explained(text: str) -> bool:
    """The net matched a crisis pattern and then explained it away."""
    views = _views(text)
    english = _english(text)
    raw = (_matching(CRISIS_CERTAIN, views) + _matching(CRISIS_POSSIBLE, views)
           + _matching(CRISIS_ENGLISH_CERTAIN, (english,)) + _matching(CRISIS_ENGLISH_POSSIBLE, (english,)))
    return bool(raw) and assess_crisis(text) is None


def safe_answer_only(text: str) -> bool:
    """An answer that says the writer is safe, with no death-like word in it.

    "我安全，放心吧", "热线就不用了，我没那么严重": the answer to the check-in
    the classifier heard as crisis, because it talks about safety. With a
    death-like word ("放心，药我扔了") it stays the classifier's crisis, and
    the check-in's looser words (ok, 挺好) are not enough.
    """
    seen = compact_text(normalize(text or ""))
    # Not the check-in's looser "ok", "挺好": "ok 最後一次", "挺好的，可惜我用不上了"
    # are farewells the classifier heard.
    return checkin_answer(text) == SAFE and bool(SAYS_SAFE.search(seen)) and not _death_like_left(seen)


# A means, a farewell or an end said in English: "stop calling la, pills all
# eaten liao" (safety round 16) is a sign the classifier may be reading.
_ENGLISH_RISK = re.compile(r"pill|tablet|overdose|rope|hang|jump|bridge|roof|top floor|charcoal|poison|pesticide|knife|blade"
                           r"|bleed|blood|wrist|goodbye|farewell|forgive|end it|the end|gone|last|sorry|my family|my kids"
                           r"|my mum|my mom|no point|anymore|sleep|eaten|swallow|drank|drink|leave|note|burden|hurt")


def english_opt_out_only(text: str) -> bool:
    """An opt-out the net reads in the message's English, and no death-like
    word anywhere in it.

    "please stop calling my handphone and stop the sms also … cannot tahan
    liao" (blind round 21): the classifier, most of whose English training
    messages are crises, heard one in Singapore English with nothing of dying
    in it. Like a pinyin opt-out (romanised.romanised_opt_out_only), the
    opt-out stands when the classifier is unsure of its crisis.
    """
    english = _english(text)
    if not _matching(STOP_ENGLISH, (english,)):
        return False
    return not _DEATHLIKE.search(compact_text(normalize(text or "")).lower()) and not _ENGLISH_RISK.search(english)

