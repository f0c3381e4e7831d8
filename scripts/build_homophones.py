"""Generate bot/nlu/homophones.tsv: IME homophone slips of this domain's key words.

A pinyin IME offers every character with the same syllable; a cardholder
who picks the wrong one writes 分其 for 分期 or 换款 for 还款. Instead of
guessing such slips one by one, this script generates them:

1. key words: every multi-character term of the jieba user dictionary
   (bot/nlu/dictionary), a few seeds named in issue 18, and the intent
   vocabulary of the training data: jieba dictionary words found in at
   least MIN_COUNT examples, mostly (INTENT_SHARE) of one intent, and
   DOMAIN_RATIO times more frequent in our examples than in general text
   (all key words are listed at the top of the table);
2. common characters: the COMMON_CHARS most frequent simplified characters
   of jieba's own dictionary (frequency of a character = sum of the
   frequencies of the words it occurs in);
3. variants: one character of the key word replaced by a common character
   with the same toneless pinyin (any reading of either character, since
   pypinyin reads 还款 as hai kuan), under the IME's "fuzzy pinyin"
   (zh/z, ch/c, sh/s, n/l, -ng/-n: 投述 for 投诉) when FUZZY is set;
4. guards, so that correct text is never rewritten:
   - the variant is itself a word of jieba's dictionary with frequency of at
     least WORD_FREQ (帐单, frequency 3, is a slip; 事业 is a word);
   - the variant occurs inside jieba dictionary words whose frequencies add
     up to at least WORD_FREQ (公资 would rewrite 外公资产);
   - the variant is likely across a word boundary: for some split of it,
     P(a word ends with the left part) * P(a word starts with the right part)
     is at least BOUNDARY_P, under jieba's word frequencies (于期 in
     关于|期限, 分其 in 部分|其他) or under the words of our training texts
     (月账 in 这个月|账单, 还欠 in 还|欠多少);
   - the variant maps to two different key words (ambiguous).

Run again whenever the dictionary or the training data change:

    .venv/bin/python scripts/build_homophones.py [--check] [--keep-keys]

``--keep-keys`` regenerates from the key words listed in the committed
table (plus the seeds) instead of today's vocabulary. The seventh session of
2026-12-05 added the safety net's key words that way: a full rebuild on that
day's 24,703 examples took in some 900 new key words whose slips fired on
correctly written text (亏钱 → 余钱, 焦虑死了 → 焦逼死了, 太浪费 → 太烂费,
朋友担保 → 朋友家保), so the vocabulary was left as it was.

Both runs print every firing of the table on the training data and on
tests/nlu: a firing on correctly written text is a false positive (at the
time of writing there were none; the firings are the slips the examples
were written with, 换款, 延其, 退定 …).
"""
from __future__ import annotations

import argparse
import collections
import re
import sys
from pathlib import Path
from typing import Dict, Iterable, List, Set, Tuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import jieba  # noqa: E402
import yaml  # noqa: E402
from pypinyin import Style, pinyin  # noqa: E402

from bot.core.textnorm import HOMOPHONE_TABLE, _homophone_edits, _opencc  # noqa: E402

USER_DICTIONARY = REPO / "bot" / "nlu" / "dictionary"
TRAINING_DATA = REPO / "bot" / "data" / "nlu"
DEVELOPMENT_DATA = REPO / "tests" / "nlu"

COMMON_CHARS = 3500
SAFETY_COMMON_CHARS = 6000
MIN_COUNT = 5
INTENT_SHARE = 0.6
WORD_FREQ = 10
BOUNDARY_P = 3e-7
DOMAIN_RATIO = 300
FUZZY = True
# Named in issue 18; most are in the dictionary or the intent vocabulary too.
SEED_WORDS = ("分期", "还款", "逾期", "退订", "延期", "利息", "工资", "失业", "账单", "还钱")
# The safety net's own key words (issue 18, seventh session of 2026-12-05:
# blind round 14's "压力太大了 想跳娄" went past the net and the classifier).
# The net reads the normalised text too, so a slip of a method meets the same
# rules as the word. Their slips are taken only under the word's own reading
# and the slip character's first reading (safety_variants): every reading of
# 台 (yi), 遗 (wei) and 活 (guo) made 天舍 → 天台 ("今天舍不得") and 过不下去 →
# 活不下去. Words whose slips are everyday text were left out: 条桥 (一条桥),
# 熏死 (寻死), 弄药 (农药), 天台/楼顶 and 活不下去.
SAFETY_SEED_WORDS = ("跳楼", "跳河", "跳江", "跳海", "上吊", "割腕", "自杀", "轻生", "烧炭", "安眠药", "不想活", "遗书")
# Slips that are also everyday text the guards do not see (no dictionary word
# of their own): 麦子割完了, 烧汤, 烧烫伤, 烧糖色, 不想获得, 海上钓鱼.
SAFETY_NOT_SLIPS = frozenset(("割完", "烧汤", "烧烫", "烧糖", "不想获", "上钓"))

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def jieba_frequencies() -> Dict[str, int]:
    freq: Dict[str, int] = {}
    with jieba.get_dict_file() as f:
        for line in f:
            word, count = line.decode("utf-8").split(" ")[:2]
            freq[word] = int(count)
    return freq


def common_characters(freq: Dict[str, int], n: int = COMMON_CHARS) -> List[str]:
    weight: Dict[str, int] = collections.Counter()
    for word, count in freq.items():
        for ch in set(word):
            if _HAN.match(ch):
                weight[ch] += count
    # Traditional characters are OpenCC's business, which runs first.
    simplified = [ch for ch, _ in weight.most_common() if _opencc()(ch) == ch]
    return simplified[:n]


def fuzzy(reading: str) -> str:
    """The syllable as heard by a speaker who does not tell zh/z, ch/c, sh/s,
    n/l, -ng/-n apart (the "fuzzy pinyin" option of every Chinese IME)."""
    for a, b in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if reading.startswith(a):
            reading = b + reading[2:]
    if reading.startswith("l"):
        reading = "n" + reading[1:]
    for a, b in (("ang", "an"), ("eng", "en"), ("ing", "in")):
        if reading.endswith(a):
            reading = reading[: -len(a)] + b
    return reading


def readings(ch: str) -> Set[str]:
    found = set(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])
    return {fuzzy(r) for r in found} if FUZZY else found


def training_examples(folder: Path) -> List[Tuple[str, str]]:
    """(intent, text) of every example in the NLU files of ``folder``."""
    examples: List[Tuple[str, str]] = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    # Strip entity annotations: [5000](amount) -> 5000.
                    text = re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", r"\1\2", line[2:])
                    examples.append((block["intent"], text))
    return examples


def dictionary_words() -> List[str]:
    words: List[str] = []
    for path in sorted(USER_DICTIONARY.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                words.append(line.split()[0])
    return words


def domain_words(examples: Iterable[Tuple[str, str]]) -> Tuple[Dict[str, collections.Counter], Dict[str, int]]:
    """Per word of the training texts: its intents (examples) and its count."""
    by_word: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    counts: Dict[str, int] = collections.Counter()
    for intent, text in examples:
        words = jieba.lcut(text)
        for word in words:
            counts[word] += 1
        for word in set(words):
            by_word[word][intent] += 1
    return by_word, counts


def intent_vocabulary(
    by_word: Dict[str, collections.Counter], n_examples: int, freq: Dict[str, int]
) -> List[str]:
    """The domain's own words that tell intents apart.

    A word of jieba's dictionary, found in MIN_COUNT examples or more, mostly
    (INTENT_SHARE) of one intent, and DOMAIN_RATIO times more frequent in our
    examples than in general text (so 分期, 投诉, 骚扰 but not 明天, 我会).
    """
    total = sum(freq.values())
    vocabulary = []
    for word, intents in by_word.items():
        n = sum(intents.values())
        if not (2 <= len(word) <= 4 and _HAN.match(word) and freq.get(word, 0) > 0):
            continue
        ratio = (n / n_examples) / (freq[word] / total)
        if n >= MIN_COUNT and intents.most_common(1)[0][1] / n >= INTENT_SHARE and ratio >= DOMAIN_RATIO:
            vocabulary.append(word)
    return sorted(vocabulary)


def _edge_probabilities(freq: Dict[str, int]) -> Tuple[Dict[str, float], Dict[str, float]]:
    """P(a word ends with s), P(a word starts with s) for strings of 1-4 characters."""
    total = sum(freq.values())
    starts: Dict[str, int] = collections.Counter()
    ends: Dict[str, int] = collections.Counter()
    for word, count in freq.items():
        for k in range(1, min(len(word), 4) + 1):
            starts[word[:k]] += count
            ends[word[-k:]] += count
    return {k: v / total for k, v in ends.items()}, {k: v / total for k, v in starts.items()}


class Guard:
    """Decides whether a variant can occur in correct text."""

    def __init__(self, freq: Dict[str, int], domain: Dict[str, int]) -> None:
        self.freq = freq
        # Word boundaries under jieba's general frequencies and under the
        # words of our own training texts (月|账单, 还|欠款 are common here
        # and rare in general text).
        self.edges = [_edge_probabilities(freq), _edge_probabilities(domain)]
        # Frequency mass of the longer words each 2-4 character string occurs in.
        self.inside: Dict[str, int] = collections.Counter()
        for word, count in freq.items():
            if len(word) > 2:
                for n in range(2, min(len(word) - 1, 4) + 1):
                    for sub in {word[i:i + n] for i in range(len(word) - n + 1)}:
                        self.inside[sub] += count

    def reason(self, variant: str, general_only: bool = False) -> str:
        """Why ``variant`` must not be rewritten ('' when it may).

        ``general_only``: word boundaries under jieba's frequencies only. For
        the safety words: our crisis examples split 安眠药 as 安眠|药 so
        often that 安眠要, the slip, looked like 安眠|要 in our own texts."""
        if self.freq.get(variant, 0) >= WORD_FREQ:
            return f"word ({self.freq[variant]})"
        inside = self.inside.get(variant, 0)
        if inside >= WORD_FREQ:
            return f"inside words ({inside})"
        for p_end, p_start in self.edges[:1] if general_only else self.edges:
            for k in range(1, len(variant)):
                p = p_end.get(variant[:k], 0.0) * p_start.get(variant[k:], 0.0)
                if p >= BOUNDARY_P:
                    return f"across words {variant[:k]}|{variant[k:]} ({p:.1e})"
        return ""


# Numerals are never changed nor introduced: a "repaired" amount or duration
# would be worse than a missed intent.
NUMERALS = set("零〇一二两三四五六七八九十百千万亿半几")


def variants(word: str, by_reading: Dict[str, List[str]]) -> Set[str]:
    out: Set[str] = set()
    for i, ch in enumerate(word):
        if ch in NUMERALS:
            continue
        for reading in readings(ch):
            for other in by_reading.get(reading, ()):
                if other != ch and other not in NUMERALS:
                    out.add(word[:i] + other + word[i + 1:])
    return out


def safety_variants(word: str, by_first_reading: Dict[str, List[str]]) -> Set[str]:
    """Slips of a safety key word: one character replaced by a common one
    whose first reading sounds like the word's own reading of it."""
    out: Set[str] = set()
    own = [fuzzy(r[0]) for r in pinyin(word, style=Style.NORMAL)]
    for i, ch in enumerate(word):
        for other in by_first_reading.get(own[i], ()):
            if other != ch and other not in NUMERALS:
                out.add(word[:i] + other + word[i + 1:])
    return out - SAFETY_NOT_SLIPS


def table_key_words(path: Path = HOMOPHONE_TABLE) -> List[str]:
    """The key words the committed table was generated from (its header)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# key words: "):
            return line[len("# key words: "):].split()
    return []


def build(keep_keys: bool = False) -> Tuple[Dict[str, str], Dict[str, str], List[str]]:
    jieba.load_userdict(str(USER_DICTIONARY / "collections.txt"))
    freq = jieba_frequencies()
    by_reading: Dict[str, List[str]] = collections.defaultdict(list)
    by_first_reading: Dict[str, List[str]] = collections.defaultdict(list)
    for ch in common_characters(freq):
        for reading in readings(ch):
            by_reading[reading].append(ch)
    # A safety word's slip may be a rarer character (跳娄): a wider pool.
    for ch in common_characters(freq, SAFETY_COMMON_CHARS):
        by_first_reading[fuzzy(pinyin(ch, style=Style.NORMAL)[0][0])].append(ch)
    examples = training_examples(TRAINING_DATA)
    by_word, counts = domain_words(examples)
    if keep_keys:
        vocabulary = table_key_words()
    else:
        vocabulary = dictionary_words() + intent_vocabulary(by_word, len(examples), freq)
    keys = sorted(
        {
            w
            for w in list(SEED_WORDS) + vocabulary
            if 2 <= len(w) <= 4 and _HAN.match(w)
        }
    )
    guard = Guard(freq, counts)
    table: Dict[str, str] = {}
    rejected: Dict[str, str] = {}
    ambiguous: Set[str] = set()
    candidates = [(word, variants(word, by_reading)) for word in keys if word not in SAFETY_SEED_WORDS]
    candidates += [(word, safety_variants(word, by_first_reading)) for word in SAFETY_SEED_WORDS]
    keys = sorted(set(keys) | set(SAFETY_SEED_WORDS))
    for word, found in candidates:
        for variant in found:
            if variant in keys:
                continue  # a key word of its own
            why = guard.reason(variant, general_only=word in SAFETY_SEED_WORDS)
            if why:
                rejected[variant] = f"{word}\t{why}"
            elif variant in table and table[variant] != word:
                ambiguous.add(variant)
            else:
                table[variant] = word
    for variant in ambiguous:
        rejected[variant] = f"{table.pop(variant)}\tambiguous"
    return table, rejected, keys


def write(table: Dict[str, str], keys: List[str], path: Path = HOMOPHONE_TABLE) -> None:
    lines = [
        "# IME homophone slips of this domain's key words: variant<TAB>key word.",
        "# Generated by scripts/build_homophones.py; do not edit by hand.",
        f"# {len(keys)} key words, {COMMON_CHARS} common characters, "
        f"guards WORD_FREQ={WORD_FREQ} BOUNDARY_P={BOUNDARY_P}.",
        "# key words: " + " ".join(keys),
    ]
    lines += [f"{v}\t{w}" for v, w in sorted(table.items(), key=lambda kv: (kv[1], kv[0]))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def check(table: Dict[str, str]) -> None:
    lengths = tuple(sorted({len(v) for v in table}, reverse=True))
    for name, folder in (("training data", TRAINING_DATA), ("tests/nlu", DEVELOPMENT_DATA)):
        texts = [text for _, text in training_examples(folder)]
        fired = collections.Counter()
        examples: Dict[str, str] = {}
        for text in texts:
            for start, end, word in _homophone_edits(text, table, lengths):
                variant = text[start:end]
                fired[variant] += 1
                examples.setdefault(variant, text)
        hit = sum(1 for t in texts if _homophone_edits(t, table, lengths))
        print(f"{name}: {len(texts)} texts, table fires in {hit}")
        for variant, n in fired.most_common():
            print(f"  {variant} -> {table[variant]} x{n}: {examples[variant]}")


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only measure the committed table")
    parser.add_argument("--rejected", action="store_true", help="print the rejected variants")
    parser.add_argument("--keep-keys", action="store_true",
                        help="the committed table's key words (and the seeds), not today's vocabulary")
    args = parser.parse_args(argv)
    if args.check:
        from bot.core.textnorm import load_homophones

        check(load_homophones())
        return 0
    table, rejected, keys = build(keep_keys=args.keep_keys)
    write(table, keys)
    print(f"{len(keys)} key words -> {len(table)} variants kept, {len(rejected)} rejected")
    if args.rejected:
        for variant, why in sorted(rejected.items()):
            print(f"  {variant}\t{why}")
    check(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
