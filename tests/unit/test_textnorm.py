"""What the classifiers see for what a cardholder wrote (bot.core.textnorm)."""
from __future__ import annotations

import pytest

from bot.core.textnorm import normalize, normalize_with_spans


# --- traditional → simplified ----------------------------------------------


@pytest.mark.parametrize(
    "written, seen",
    [
        ("我們會還錢，幫我辦分期", "我们会还钱，帮我办分期"),
        ("逾期了，電話別再打", "逾期了，电话别再打"),
        ("點解唔可以延後還款", "为什么不可以延后还款"),  # then Cantonese → Mandarin
        ("我已經還清了", "我已经还清了"),
    ],
)
def test_traditional_becomes_simplified(written, seen):
    assert normalize(written) == seen


def test_simplified_text_is_left_alone():
    text = "我下个月15号还5000元，可以吗？"
    assert normalize(text) == text


# --- written Cantonese → Mandarin ------------------------------------------------


@pytest.mark.parametrize(
    "written, seen",
    [
        ("我已經還咗啦", "我已经还了啦"),
        ("我唔想再活落去", "我不想再活下去"),
        ("攞條命嚟還啦", "拿条命来还啦"),
        ("我走咗之後 你哋唔使再搵我", "我走了之后 你们不用再找我"),
        ("我係唔係要還幾多錢", "我是不是要还多少钱"),
        ("聽日出糧就還三百蚊", "明天发工资就还三百块"),
        ("生意蝕晒 而家一蚊都冇", "生意亏完 现在一块都没"),
        ("咪再打嚟", "别再打来"),
        ("你係人嚟嘅咩", "你是人来的吗"),
        ("我唔識呢個人", "我不认识这个人"),
        ("仲欠幾多", "还欠多少"),
        ("呢筆數點還", "这笔数怎么还"),
    ],
)
def test_cantonese_function_words_become_mandarin(written, seen):
    assert normalize(written) == seen


@pytest.mark.parametrize(
    "text",
    [
        "关系 系统 联系 体系",  # 系 in Mandarin words is not 係
        "绳子系好了",  # 系 as "to tie"
        "今后日子不好过",  # 后日 across a word boundary
        "食品 粮食 零食",
        "申请仲裁",
        "明天十二点还",  # a clock time before 还 is not Cantonese 点 ("how")
        "我下午3点还你",
        "两蚊子咬我",  # mosquitoes, not two dollars
        "唔该",  # both "please" and "thanks": kept
        "你呢",  # the Mandarin particle
    ],
)
def test_mandarin_words_that_look_cantonese_stay(text):
    assert normalize(text) == text


def test_cantonese_spans_map_back_onto_what_was_written():
    written = "聽日還三百蚊"
    result = normalize_with_spans(written)
    start = result.text.index("三百块")
    a, b = result.original_span(start, start + 3)
    assert written[a:b] == "三百蚊"


# --- full-width → half-width -------------------------------------------------


def test_full_width_letters_and_digits_become_ascii():
    assert normalize("我下月１５号还５０００元") == "我下月15号还5000元"
    assert normalize("ＯＫ") == "好的"  # then read as the chat word


def test_chinese_sentence_punctuation_stays_and_ideographic_space_is_a_space():
    assert normalize("好的，我知道了！可以吗？（明天）") == "好的，我知道了！可以吗？（明天）"
    assert normalize("身份证\u3000后四位") == "身份证 后四位"


# --- emoji ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, seen",
    [
        ("👌", "好的"),
        ("👍👍👍", "好的"),  # a run of the same emoji says it once
        ("🙏🏻宽限几天吧", "谢谢宽限几天吧"),  # skin tone dropped
        ("😭😭😭", "哭"),
        ("🙅\u200d♀️不还", "不要不还"),  # joiner sequence: its base carries the meaning
        ("❌", "不"),
        ("✅", "好的"),
        ("没💰", "没钱"),
        ("😡😡别再打了", "生气别再打了"),
    ],
)
def test_emoji_with_a_meaning_become_words(written, seen):
    assert normalize(written) == seen


def test_emoji_without_a_meaning_are_dropped():
    assert normalize("好的😀😀🌹") == "好的"
    assert normalize("下个月还🎉") == "下个月还"


def test_a_message_of_decoration_only_is_kept_as_written():
    # An empty message would tell the classifier less than the emoji do.
    assert normalize("🌹🌹") == "🌹🌹"


# --- pinyin abbreviations ----------------------------------------------------


@pytest.mark.parametrize(
    "written, seen",
    [
        ("fq", "分期"),
        ("我想FQ 12期", "我想分期 12期"),
        ("已经hk了", "已经还款了"),
        ("回T退订", "回退订退订"),
        ("TD", "退订"),
        ("td", "退订"),
        ("yq三天了", "逾期三天了"),
        ("zd收到了", "账单收到了"),
        ("ok", "好的"),
        ("Okay 明天还", "好的 明天还"),
    ],
)
def test_pinyin_abbreviations_as_whole_tokens(written, seen):
    assert normalize(written) == seen


@pytest.mark.parametrize(
    "text",
    [
        "fqdn",  # inside an English word
        "hkd",
        "don't",  # the t of an English contraction
        "T+1到账",  # the banking settlement day
        "HK$100",
        "book",
        "5k",  # an amount with a k suffix is the entity extractor's business
        "买了件T恤",
        "我在bj上班",  # 北京, not 本金
    ],
)
def test_abbreviations_never_fire_inside_words(text):
    assert normalize(text) == text


# --- spans back into the original --------------------------------------------


def test_spans_map_normalised_offsets_back_to_what_was_written():
    written = "👌我想fq，５０００元"
    result = normalize_with_spans(written)
    assert result.text == "好的我想分期，5000元"
    start = result.text.index("5000")
    a, b = result.original_span(start, start + 4)
    assert written[a:b] == "５０００"
    start = result.text.index("分期")
    a, b = result.original_span(start, start + 2)
    assert written[a:b] == "fq"
    a, b = result.original_span(0, 2)
    assert written[a:b] == "👌"


def test_normalize_is_idempotent():
    for text in ["👌我想fq，５０００元", "逾期了", "回T退订", "🙅\u200d♀️不还"]:
        once = normalize(text)
        assert normalize(once) == once


# --- IME homophone slips (the generated bot/nlu/homophones.tsv) ---------------


@pytest.mark.parametrize(
    "written, seen",
    [
        ("昨天就换款了", "昨天就还款了"),
        ("罚细能不能免", "罚息能不能免"),
        ("延其一个月行吗", "延期一个月行吗"),
        ("我要投述你们", "我要投诉你们"),  # fuzzy pinyin: s for sh
        ("我要退定", "我要退订"),
        ("帳單多少", "账单多少"),  # OpenCC gives 帐单, the table 账单
    ],
)
def test_homophone_slips_in_key_words_are_repaired(written, seen):
    assert normalize(written) == seen


@pytest.mark.parametrize(
    "text",
    [
        "部分其他的钱下个月还",  # 分其 across 部分|其他
        "关于期限的问题",  # 于期 across 关于|期限
        "这个月账单多少",  # 月账 across 个月|账单
        "我还欠多少",  # 还欠 across 还|欠
        "我早就还完了",
        "我的事业失败了",  # 事业 is a word, not a slip of 失业
        "外公资产",
    ],
)
def test_correct_text_is_not_rewritten_as_a_homophone(text):
    assert normalize(text) == text


def _build_script():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "build_homophones.py"
    spec = importlib.util.spec_from_file_location("build_homophones", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_table_entry_is_a_same_sound_slip_of_its_key_word():
    from pypinyin import Style, pinyin

    from bot.core.textnorm import load_homophones

    fuzzy = _build_script().fuzzy

    def sounds(ch):
        return {fuzzy(r) for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]}

    table = load_homophones()
    assert len(table) > 1000
    for variant, word in table.items():
        assert len(variant) == len(word)
        differing = [(a, b) for a, b in zip(variant, word) if a != b]
        assert len(differing) == 1, (variant, word)
        a, b = differing[0]
        assert sounds(a) & sounds(b), (variant, word)


# --- step 0: letter forms that only decorate (issue 18, fifth session) -------

@pytest.mark.parametrize("written, seen", [
    ("𝐓𝐃", "退订"), ("𝑺𝑻𝑶𝑷", "STOP"), ("ⓉⒹ", "退订"), ("🅃🄳", "退订"), ("ᵀᴰ", "退订"),
    ("ТD", "退订"),  # a Cyrillic Т
    ("退\u200b订", "退订"), ("退\u00ad订", "退订"), ("S\u0336T\u0336O\u0336P\u0336", "STOP"), ("T\u035fD", "退订"),
    ("③⑤⑦⑨", "3579"), ("❶❷❸❹", "1234"), ("分Ⅻ期", "分12期"), ("٣٥٠٠块", "3500块"),
])
def test_decorated_letters_and_digits_become_plain(written, seen):
    assert normalize(written) == seen


def test_emoji_sequences_and_keycaps_are_left_to_the_emoji_step():
    assert normalize("👨\u200d👩\u200d👧 好的") == " 好的"
    assert normalize("🇨🇳 你好") == " 你好"


def test_a_dropped_invisible_character_keeps_the_others_spans():
    result = normalize_with_spans("退\u200b订3000")
    assert result.text == "退订3000"
    assert result.original_span(2, 6) == (3, 7)


@pytest.mark.parametrize("written,seen", [
    ("ㄅ是我", "不是我"), ("好ㄉ", "好的"), ("我還ㄌ", "我还了"), ("是ㄇ", "是吗"), ("ㄅ要再打ㄌ", "不要再打了"), ("對ㄚ", "对啊"),
])
def test_zhuyin_particles_of_taiwan_chat(written, seen):
    assert normalize(written) == seen


@pytest.mark.parametrize("written", ["退ㄉㄧㄥ", "ㄅ", "ㄅㄆㄇ"])
def test_zhuyin_spelling_a_word_or_alone_stays(written):
    assert normalize(written) == written
