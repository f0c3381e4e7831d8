"""The crisis assessment of a message: the signs the rules and emoji show,
less those the rest of the message explains, as a tier."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import FrozenSet, Optional, Tuple

from bot.core import textnorm
from bot.core.safety.crisis_rules import (
    CRISIS_CERTAIN,
    CRISIS_ENGLISH_CERTAIN,
    CRISIS_ENGLISH_POSSIBLE,
    CRISIS_POSSIBLE,
    CRISIS_SPACED_CERTAIN,
)
from bot.core.safety.emoji import _DEATH_EMOJI, _LAUGHING, _emoji_signs, _jump_drawn, _means_alone, _sea_goodbye
from bot.core.safety.explain import (
    _ASKS_FOR_TIME,
    _ASKS_FOR_WAIVER,
    _BACK_LATER,
    _BILL_WORDS,
    _BOUGHT_ON_THE_CARD,
    _BREAK_UP,
    _BY_THE_WATER_FOR,
    _CARD_GOODBYE,
    _CHILDHOOD,
    _CHORE_RULES,
    _CHORE_USE,
    _CLEAR_OUT,
    _CLOSED_ACCOUNT,
    _CLOSED_IN,
    _CURSE_AT_THEM,
    _CUT_ON_PURPOSE,
    _DAY_CANCELLED,
    _DEAD_END,
    _DEBT_ENDLESS,
    _DEBT_FREE,
    _EVERYDAY,
    _EVERYDAY_SIGN_RULES,
    _FEE_WORDS,
    _FIRST_PERSON_WISH,
    _GAME_LEFT_EN,
    _GAME_ROUND,
    _HOTPOT_OR_BRAZIER,
    _INSURANCE_RULES,
    _INSURED_FOR_OTHER,
    _INSURED_OTHER,
    _IN_A_GAME,
    _KITCHEN_CUT,
    _KITCHEN_STRAIN,
    _LAST_BECAUSE_PAID,
    _LEAVING_OR_JOKING,
    _MONEY_GOODBYE,
    _MONEY_TOO_HEAVY,
    _MOVING_HOUSE,
    _MOVING_ON,
    _NEW_NUMBER_GIVEN,
    _NOT_LIVE_HERE,
    _NOT_SERIOUS,
    _NO_ANSWER,
    _NUMBER_NOW_MINE,
    _ORDINARY_ILLNESS,
    _OTHER_KIN_DIED,
    _OUTDOOR_COOKING,
    _OUTING,
    _OWN_ACT,
    _OWN_AFFAIRS,
    _OWN_RISK_EN,
    _OWN_WISH,
    _OWN_WISH_EN,
    _PAID_ALL,
    _PAID_BEFORE_PAYDAY,
    _PAID_FOR_RELATIVE,
    _PAID_IN_FULL_EN,
    _PAID_OFF,
    _PAID_OFF_EN,
    _PAID_OFF_RULES,
    _PARTED_FROM,
    _PASSWORDS_FOR_A_PARENT,
    _PHONE_AWAY,
    _PILLS_ASKED_OR_SOLD,
    _PILLS_HOARDED,
    _PLACE_AS_ADDRESS,
    _PLACE_RULES,
    _PLAYING,
    _QUOTED_COLLECTOR,
    _RELATIVES_WILL,
    _RELATIVE_DIED,
    _RELATIVE_IN_HOSPITAL,
    _RELATIVE_NAMED_DIED,
    _SAID_OF_SOMETHING_ELSE,
    _SAID_OF_THE_DEAD,
    _SEE_YOU,
    _SKULL_SLANG,
    _SOMEONE_ELSE_WENT,
    _SOMEONE_PAYS,
    _SPOUSE_AWAY,
    _STRONG_MEANS,
    _STUDY_EN,
    _TASK_DONE,
    _TEACHING,
    _THEIR_AFFAIRS,
    _TOLD_AS_A_JOKE,
    _TRADE_GIVEN_UP,
    _TRADE_GOODS,
    _TRIP_BOUNDED,
    _UP_THERE_FOR,
    _VISITING_THE_LIVING,
    _WILL_HOLD_ON,
    _WISHES,
    _english_everyday,
    _explained_possible,
    _only_about_others,
)
from bot.core.safety.findings import CERTAIN, POSSIBLE, CrisisFinding
from bot.core.safety.romanised import romanised_crisis
from bot.core.safety.views import _english, _matching, _spaced, _views


def assess_crisis(text: str) -> Optional[CrisisFinding]:
    """The crisis tier of a message, or None when nothing points to one."""
    views = _views(text)
    english = _english(text)
    certain = (_matching(CRISIS_CERTAIN, views) + _matching(CRISIS_SPACED_CERTAIN, (_spaced(text),))
               + _matching(CRISIS_ENGLISH_CERTAIN, (english,)))
    certain = list(dict.fromkeys(certain))
    possible = _matching(CRISIS_POSSIBLE, views) + _matching(CRISIS_ENGLISH_POSSIBLE, (english,))
    # pinyin, Jyutping, POJ and Wu as typed (bot.core.safety.romanised)
    romanised_certain, romanised_possible = romanised_crisis(text or "")
    certain += ["romanised"] if romanised_certain else []
    possible += ["romanised_possible"] if romanised_possible and not romanised_certain else []
    if not certain and not possible and _written_backwards(views):
        certain.append("reversed")
    if _DEATH_EMOJI.search(text or "") and not _LAUGHING.search(text or ""):
        possible.append("emoji")
    if not _LAUGHING.search(text or ""):
        certain += _emoji_signs(text or "")
    # "哈哈我是认真的 想去跳🏢": jumping from a drawn building is no laughter.
    certain += _jump_drawn(text or "")
    if not _LAUGHING.search(text or ""):
        possible += _sea_goodbye(text or "")
    if not certain and not possible:
        # the emoji alone, when nothing else read it (the normaliser's words
        # for 💊 and 🔪 already do): one sign, not two
        possible += _means_alone(text)
    if (certain or possible) and _only_about_others(text, certain, possible):
        return None
    signs = set(certain) | set(possible)
    own_wish = any(_OWN_WISH.search(v) for v in views)
    if _english_everyday(english, signs):
        return None
    if signs == {"english"} and _STUDY_EN.search(english) and not _OWN_WISH_EN.search(english):
        return None
    if signs <= {"english", "english_means"} and signs and re.search(r" (final|last) (bye|goodbye) to (this|my|the) card ", english) and _PAID_OFF_EN.search(english):
        # "final goodbye to this card! just paid everything off"
        return None
    if signs == {"emoji"} and set(_DEATH_EMOJI.findall(text or "")) == {"\U0001F480"} and _SKULL_SLANG.search(english):
        # "ur so mid, trash bank 💀", "💀 bro the bot said what": a jeer or a laugh.
        return None
    if not own_wish and not any(_FIRST_PERSON_WISH.search(v) or _OWN_ACT.search(v) for v in views):
        if signs == {"method_word"} and any(_TRADE_GOODS.search(v) for v in views):
            # "我是批发绳子麻袋的": the goods of a trade.
            return None
        if signs == {"method_more"} and any(_KITCHEN_STRAIN.search(v) for v in views):
            # "我在饭店切配，天天拿刀，手腕腱鞘炎犯了": a kitchen job's wrist.
            return None
        if signs and signs <= {"method", "method_word"} and any(_RELATIVE_IN_HOSPITAL.search(v) for v in views):
            # "我妈吃错药住院洗胃，我在医院陪床": a relative's hospital stay.
            return None
        if signs and signs <= {"method", "explicit"} and any(_TOLD_AS_A_JOKE.search(v) for v in views):
            # "讲个笑话 我的钱包跳楼了": a joke about a wallet.
            return None
    if (signs == {"emoji"} and set(_DEATH_EMOJI.findall(text or "")) == {"\U0001F480"}
            and (_BILL_WORDS.search((text or "").lower()) or any(_FEE_WORDS.search(v) for v in views))):
        # "this bill is giving me a heart attack 💀 12k??"
        return None
    if (signs and signs <= {"method", "want_die", "hyperbole"} and any(_CURSE_AT_THEM.search(v) for v in views)
            and not own_wish and not any(_FIRST_PERSON_WISH.search(v) for v in views)):
        return None
    if (not certain and possible and set(possible) <= {"farewell_word", "burden_anyone", "leaving"}
            and any(_ASKS_FOR_WAIVER.search(v) or _ASKS_FOR_TIME.search(v) for v in views) and not own_wish):
        return None
    if certain == ["farewell"] and not possible and any(_SEE_YOU.search(v) for v in views):
        # "先溜了，永别了各位（不是），明天见": a joke goodbye taken back.
        return None
    if signs <= {"want_die"} and signs and any(_QUOTED_COLLECTOR.search(v) for v in (text,) + views):
        # "催收员说我'不还钱不如去死'，我要投诉": the collector's words, quoted.
        return None
    if signs and signs <= {"english", "farewell"} and _PAID_IN_FULL_EN.search(english):
        # "I'll pay the full amount on the 20th. After that you'll never hear from me."
        return None
    if signs and signs <= _PLACE_RULES and any(_UP_THERE_FOR.search(v) for v in views) and not own_wish:
        # "楼上天台的水管漏水了", "在天台晒衫": a chore up there.
        return None
    if signs and signs <= {"farewell_word", "give_away"} and any(_SOMEONE_PAYS.search(v) for v in views):
        # "摩托车送给我弟了，他帮我把这个月的还了": a sale or swap to pay.
        return None
    if signs == {"gone_before"} and any(_NUMBER_NOW_MINE.search(v) for v in views):
        # "你们找的是我妈吧，她已经去世两年了，这个号现在是我在用".
        return None
    if signs and signs <= {"farewell_word", "arrangements_more"} and any(_RELATIVES_WILL.search(v) for v in views):
        # "我奶奶的遗嘱里写了把房子留给我".
        return None
    if signs == {"old_ways"} and any(_SOMEONE_ELSE_WENT.search(v) for v in views):
        # "俺家那口子去年去见祖宗了": a spouse who died, not the writer.
        return None
    if (signs and signs <= _CHORE_RULES and any(_CHORE_USE.search(v) for v in views) and not own_wish
            and not any(_STRONG_MEANS.search(v) or _CLOSED_IN.search(v) for v in views)):
        # "周末去江边烧烤，炭和烤架能兑换吗": charcoal for the grill.
        return None
    # A relative who died explains their payout, never one's own policy.
    insured_other = _INSURED_FOR_OTHER if "insurance_mine" in signs else _INSURED_OTHER
    if signs and signs <= _INSURANCE_RULES and any(insured_other.search(v) for v in views) and not own_wish:
        # "被保人是我妈，受益人能写我吗": somebody else's policy.
        return None
    if (not certain and set(possible) <= _PAID_OFF_RULES
            and any(_PAID_OFF.search(v) for v in views)):
        return None
    if (certain and set(certain) <= {"farewell", "english", "want_die"} and not possible
            and any(_PAID_OFF.search(v) or _PAID_ALL.search(v) for v in views) and any(_CARD_GOODBYE.search(v) for v in views)):
        # "永别了我的信用卡，最后一笔今早还清": goodbye to the card, paid off.
        return None
    if (set(certain) <= {"give_away", "farewell", "english_give_away", "goodbyes_said", "r25_things_given"} and set(possible) <= {"farewell_word", "no_need", "final_acts", "leaving", "r32_belongings_off"} and (certain or possible)
            and any(_MOVING_ON.search(v) for v in views)):
        # "东西都送人了，搬家了": things given away for an everyday reason.
        return None
    if certain == ["farewell"] and not possible and any(_MONEY_GOODBYE.search(v) for v in views):
        # "年终奖全转给你们了，永别了我的钱": goodbye to the money.
        return None
    relative_died = _RELATIVE_NAMED_DIED if "if_something_happens" in possible else _RELATIVE_DIED
    if (not certain and possible and set(possible) <= {"debt_after_death_question", "if_something_happens"}
            and any(relative_died.search(v) or _OTHER_KIN_DIED.search(v) for v in views)):
        # "人死了信用卡谁还，我爸的卡": a question about a relative's debt.
        return None
    if (not certain and set(possible) == {"final_acts"} and not own_wish
            and any(_PAID_FOR_RELATIVE.search(v) for v in views)):
        # "我爸走之前一直惦记这笔账，我替他还清了": a relative's last wish, paid.
        return None
    if not certain and possible and _explained_possible(text, views, set(possible)):
        return None
    if (set(certain) == {"want_die"} and not possible and any(_PLAYING.search(v) for v in views)
            and any(_NOT_SERIOUS.search(v) for v in views)):
        # "玩游戏输了 好想死 哈哈 不是说真的": a game and a disclaimer.
        return None
    if (not certain and possible and set(possible) <= _EVERYDAY_SIGN_RULES
            and any(_EVERYDAY.search(v) for v in views)):
        # "正在切菜，刀在手上": a knife or blood in the kitchen, a bridge at rush hour.
        return None
    if _explained_since_r22(text, views, set(certain), set(possible), own_wish):
        return None
    if certain:
        return CrisisFinding(CERTAIN, tuple(certain + possible))
    if len(set(possible)) >= 2:
        # Two different ambiguous signs (撑不下去了 + 一切都结束吧) are no
        # longer ambiguous.
        return CrisisFinding(CERTAIN, tuple(possible))
    if possible:
        return CrisisFinding(POSSIBLE, tuple(possible))
    return None


# A short message typed backwards ("了活想不", "了见再远永们你", "楼跳去要我":
# safety rounds of the development sets, which only the classifier read):
# read the other way round, a certain sign. Only short ones, and only when
# the text shows it runs backwards, opening on a sentence-final particle or
# closing on its subject: read backwards, an ordinary text can spell a sign
# ("在塔吊上" holds 上吊, "死活想不起来" holds 不想活).
_BACKWARDS_AT_MOST = 16
_RUNS_BACKWARDS = re.compile(r"^[了吧啊呢嘛啦咯]|我$")


def _written_backwards(views) -> bool:
    short = [v for v in views if 2 < len(v) <= _BACKWARDS_AT_MOST and not v.isascii() and _RUNS_BACKWARDS.search(v)]
    return bool(short) and bool(_matching(CRISIS_CERTAIN, tuple(v[::-1] for v in short)))


_INVISIBLE = re.compile("[" + "".join(sorted(textnorm._INVISIBLE)) + "\u200d]")


def _closed_up(text: str) -> str:
    """The text without invisible characters ("想\u200b死\u200b你\u200b了":
    safety round 19) and with escapes decoded, spaces and punctuation kept
    (closing up "我想死 你们了解吗" would make it "missed you")."""
    return textnorm.unescaped(_INVISIBLE.sub("", text))


@dataclass(frozen=True)
class _Explanation:
    """Signs explained away: the message's signs are ``signs`` (``exact``) or
    among them, every pattern of ``because`` is found in some view, and no
    pattern of ``unless`` is."""
    signs: FrozenSet[str]
    exact: bool
    because: Tuple["re.Pattern[str]", ...]
    unless: Tuple["re.Pattern[str]", ...] = ()

    def explains(self, signs: set, views) -> bool:
        fits = signs == self.signs if self.exact else signs <= self.signs
        return (fits and all(any(p.search(v) for v in views) for p in self.because)
                and not any(p.search(v) for p in self.unless for v in views))


def _signs(*names: str) -> FrozenSet[str]:
    return frozenset(names)


# The explanations of the twenty-second round (blind round 14) onwards, each
# with the message it was written for.
_EXPLANATIONS_SINCE_R22 = (
    # "搬家了 钥匙给了邻居 这边的事就这样了": a move, settled (blind round 17).
    _Explanation(_signs("r24_affairs_settled"), True, (_MOVING_ON,)),
    # "我在给学生讲氰化物 上课呢": a lesson's subject (blind round 17).
    _Explanation(_signs("method", "method_word"), False, (_TEACHING,), (_PILLS_HOARDED,)),
    # "那个调休日没有那一天了 假期取消了 我改成周一还": a day off cancelled (safety round 18).
    _Explanation(_signs("r24_time_no_use"), True, (_DAY_CANCELLED,)),
    # "切菜划了一道口子 打字慢": a kitchen accident, not one on purpose (safety round 18).
    _Explanation(_signs("method", "method_word", "method_more"), False, (_KITCHEN_CUT,),
                 (_PILLS_HOARDED, _CUT_ON_PURPOSE)),
    # "买剃须刀片刷的卡 这笔在不在本期账单里": a purchase asked about (safety round 18).
    _Explanation(_signs("method_word"), True, (_BOUGHT_ON_THE_CARD,)),
    # "最后一次和你们联系了，因为下月就全部结清了": paid off (safety round 18).
    _Explanation(_signs("farewell"), True, (_LAST_BECAUSE_PAID,)),
    # "摊子和推车都送给我表哥了 … 不摆了": a trade given up (blind round 17).
    _Explanation(_signs("farewell_word", "give_away"), False, (_TRADE_GIVEN_UP,)),
    # "给我妈把所有密码写在一张纸上了，她老记不住" (safety round 17).
    _Explanation(_signs("r13_left_for_family"), True, (_PASSWORDS_FOR_A_PARENT,)),
    # "出差一周 手机没信号 接不到" (blind round 15): a trip or a shift keeps the phone unanswered.
    _Explanation(_signs("unreachable"), True, (_PHONE_AWAY, _NO_ANSWER)),
    # "医生开的安眠药吃了能睡好不 哦发错了", "药店上班呢 安眠药今天卖断货了" (blind round 14).
    _Explanation(_signs("method", "method_word"), False, (_PILLS_ASKED_OR_SOLD,), (_PILLS_HOARDED,)),
    # "不想活在这种城市了 准备回老家" (blind round 14): a place, not living.
    _Explanation(_signs("not_live"), False, (_NOT_LIVE_HERE, _LEAVING_OR_JOKING)),
    # "感冒了想喝药 明天还钱" (safety round 20): medicine for a cold.
    _Explanation(_signs("method", "method_word", "r25_regional_possible"), False, (_ORDINARY_ILLNESS,),
                 (_PILLS_HOARDED,)),
    # "我今天去江边那个网点还的款，就是过了大桥右手边那个" (safety round 20): an address.
    _Explanation(_signs("place_word", "r13_place", "places_passing"), False, (_PLACE_AS_ADDRESS,)),
    # "卡已经全部还清并且注销了 … 系统里已经没有我这个人了" (safety round 20).
    _Explanation(_signs("farewell", "farewell_more"), False, (_CLOSED_ACCOUNT, _PAID_OFF)),
    # "以后打这个号联系不上我了 换号了 新号微信同号" (blind round 14; safety round 19).
    _Explanation(_signs("farewell_more", "farewell", "r20_possible_more", "r22_possible_more", "r25_nobody_uses_it",
                          "unreachable"), False, (_NEW_NUMBER_GIVEN,)),
    # "利息真的扛不住了 求减免" (blind round 19): the interest, with relief asked for.
    _Explanation(_signs("cannot_go_on"), True, (_MONEY_TOO_HEAVY, _ASKS_FOR_TIME)),
    # "看不到希望 但我会撑着 就是现在真没钱" (blind round 19): holding on.
    _Explanation(_signs("no_future"), True, (_WILL_HOLD_ON,)),
    # "人走了卡上的钱谁还 我舅舅上个月去世了" (safety round 18): a relative's card.
    _Explanation(_signs("r26_debt_when_gone"), True, (_OTHER_KIN_DIED,)),
    # "周末去河边烧炭烤肉 哪里买炭便宜" (blind round 21): a barbecue by the river.
    _Explanation(_signs("method", "method_word", "place_word"), False, (_OUTDOOR_COOKING,),
                 (_CLOSED_IN, _STRONG_MEANS, _PILLS_HOARDED)),
    # "我看不到任何出路 这债这辈子都还不完了" (blind round 21): the debt's despair.
    _Explanation(_signs("no_future"), True, (_DEBT_ENDLESS,)),
    # "我是真的走投无路了 债一层压一层 不知道怎么办" (blind round 22): the same.
    _Explanation(_signs("cannot_go_on"), True, (_DEAD_END, _DEBT_ENDLESS)),
    # "在天台烧炭烤肉呢，中秋快乐" (blind round 22): a rooftop barbecue.
    _Explanation(_signs("method", "place"), True, (_OUTDOOR_COOKING,), (_CLOSED_IN, _STRONG_MEANS, _PILLS_HOARDED)),
    # "去找奶奶吃饭", "周末去陪奶奶" (last session's note): a visit to the living.
    _Explanation(_signs("gone_before"), True, (_VISITING_THE_LIVING,), (_SAID_OF_THE_DEAD,)),
    # "uninstalling this game, bye forever lol 这游戏太氪了" (blind round 23).
    _Explanation(_signs("english"), True, (_GAME_LEFT_EN,), (_OWN_RISK_EN,)),
    # Thirty-second round (blind round 25), each sign alone: clothes or a
    # deposit left at a clear-out or a move, a last post once the debt is
    # paid off, somebody seen walking to the river to fish, "姐妹们都要好好的"
    # as a wish, a game's 紫砂 ("排位又紫砂了 跳崖那个图 队友全在骂").
    _Explanation(_signs("r32_belongings_off"), True, (_CLEAR_OUT,)),
    _Explanation(_signs("r32_last_post"), True, (_DEBT_FREE,)),
    _Explanation(_signs("r32_seen_heading"), True, (_OUTING,)),
    _Explanation(_signs("r32_take_care_all"), True, (_WISHES,)),
    _Explanation(_signs("method_forms"), True, (_IN_A_GAME,)),
    # "我爸上个月走了 破产申请是我们处理他身后事的时候交的": a relative's affairs.
    _Explanation(_signs("farewell", "give_away"), False, (_THEIR_AFFAIRS,), (_OWN_AFFAIRS,)),
    # Thirty-fourth round (blind round 27): charcoal for a hotpot or a
    # brazier; fishing or herding by the river, back later; "跟他永别了"
    # after a break-up; a husband away trading who does not come back.
    _Explanation(_signs("method", "method_word"), False, (_HOTPOT_OR_BRAZIER,), (_CLOSED_IN, _STRONG_MEANS, _PILLS_HOARDED)),
    _Explanation(_signs("place_intent", "place_word", "place"), False, (_BY_THE_WATER_FOR, _BACK_LATER)),
    _Explanation(_signs("farewell"), True, (_PARTED_FROM, _BREAK_UP)),
    _Explanation(_signs("leaving"), True, (_SPOUSE_AWAY,)),
    # "周末去水库钓鱼 很安静": a quiet place by the water for an outing, not
    # one remembered from childhood ("我小时候学游泳的那个水库，很安静").
    _Explanation(_signs("r35_quiet_by_the_water", "r35_watched_the_water"), False, (_OUTING,), (_CHILDHOOD,)),
    _Explanation(_signs("no_time_left", "r15_possible"), False, (_PAID_BEFORE_PAYDAY,)),
    # "搬新家了 旧书都送人了 房产证交给我老婆收着": a clear-out before a move
    # (not 整理 alone: "在整理东西，衣服捐了，存折给我女儿了" is a crisis).
    _Explanation(_signs("r32_belongings_off", "r35_things_and_savings_given"), False, (_MOVING_HOUSE,)),
    _Explanation(_signs("r35_ends_tonight", "end_everything"), False, (_TASK_DONE,)),
    _Explanation(_signs("r35_not_coming_back"), True, (_TRIP_BOUNDED,)),
)


def _explained_since_r22(text: str, views, certain: set, possible: set, own_wish: bool) -> bool:
    """The explanations of the twenty-second round (blind round 14, read)
    onwards (``_EXPLANATIONS_SINCE_R22``); a phrase said of something else
    (a number laid to rest, a line asked about as a song, "想死你了", a
    film's scene: ``_SAID_OF_SOMETHING_ELSE``), taken out, leaving no sign;
    a skull emoji in a game."""
    signs = certain | possible
    if not signs or own_wish:
        return False
    if any(e.explains(signs, views) for e in _EXPLANATIONS_SINCE_R22):
        return True
    plain = _closed_up(text or "")
    if _SAID_OF_SOMETHING_ELSE.search(plain):
        # Taken out, the rest must show no sign of its own.
        return assess_crisis(_SAID_OF_SOMETHING_ELSE.sub("，", plain)) is None
    return (signs == {"emoji"} and set(_DEATH_EMOJI.findall(text or "")) == {"\U0001F480"}
            and any(_GAME_ROUND.search(v) for v in views + (text.lower(),)))
