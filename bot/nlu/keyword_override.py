"""Rasa NLU component: the safety net overrides the classifier.

Runs last in the pipeline (after the FallbackClassifier) so that a crisis
or opt-out message is never lost to a low-confidence prediction either.

What it did is in the parse data, for the dialogue and for the trainers
(the workbench shows the intent ranking): the forced intent heads the
ranking, the classifier's own ranking follows, and ``safety`` says which
net fired, the crisis tier and the patterns, and what the model had said:

    "safety": {"intent": "crisis", "tier": "possible",
               "rules": ["tired_of_life"], "model_intent": "inform_hardship"}

A possible crisis is still the intent ``crisis`` (so it reaches the crisis
handling even while a person has the conversation, through the
``paused_safety`` slot mapping), with confidence 0.5 unless the classifier
itself was surer; ``action_handle_crisis`` reads the tier and checks in
before it hands over. So does a crisis the classifier found with no sign
the net knows (tier ``model``), unless everything death-like in it is a
figure of speech (笑死, 死机, 煤气费, 跳楼价): then the classifier's next guess
stands (rules ``["figure_of_speech"]``).

When neither the net nor the classifier saw a crisis but the safety risk
detector (bot/nlu/risk_detector.py, the component before this one) flagged
one, it is a crisis of tier ``model`` too (rules ``["risk_model"]``): the bot
checks in, never escalates on it alone; a figure of speech or an everyday
context keeps the classifier's intent. Its opt-out flag likewise makes the
intent ``stop_contact`` of tier ``possible`` (unless the text is a question
or request about fees, ``not_an_opt_out``): action_opt_out then asks
whether the cardholder wants no more reminders and records nothing on the
guess alone, since an opt-out stops lawful contact at once. So does an
opt-out only the classifier saw, below ``opt_out_confirm_below`` (its own
confidence; rules ``["low_confidence"]``): "my laptop died again" at 0.51 is
asked about, never recorded; a net-confirmed opt-out still stops at once.
So does the classifier's opt-out in a question about what one would do
("退订了就不用还了吗", rules ``["consequence_question"]``), however sure.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.safety import (
    CALLS_ONLY,
    MODEL_ONLY,
    OPT_OUT_TOO,
    POSSIBLE,
    PAID_NO_NEED,
    SAFETY_KEY,
    THIRD_PARTY_ONLY,
    Verdict,
    calls_only_request,
    compact_text,
    english_opt_out_only,
    everyday_context_only,
    figure_of_speech_only,
    not_an_opt_out,
    paid_no_need,
    paid_or_promised,
    safe_answer_only,
    third_party_only_request,
    verdict,
)

from bot.core.safety.optout import TOO_OFTEN_ONLY, consequence_question
from bot.core.safety.romanised import romanised_opt_out_only
from bot.nlu.risk_detector import FLAGGED, RISK_KEY

logger = logging.getLogger(__name__)

try:  # the normaliser keeps what the cardholder wrote; the net reads that
    from bot.nlu.normalizer import TEXT_AS_WRITTEN
except ImportError:  # pragma: no cover - a pipeline without the normaliser
    TEXT_AS_WRITTEN = "text_as_written"

# Half sure: the net saw an ambiguous sign, the check-in finds out.
POSSIBLE_CONFIDENCE = 0.5
# Why the classifier's own crisis or opt-out fell to its next guess.
FIGURE_OF_SPEECH = "figure_of_speech"
EVERYDAY_CONTEXT = "everyday_context"
NOT_AN_OPT_OUT = "not_an_opt_out"
# The classifier's unsure crisis the safety risk detector does not back.
MODELS_DISAGREE = "models_disagree"
# The classifier's crisis on an answer that says the writer is safe.
SAFE_ANSWER = "safe_answer"
# CALLS_ONLY, THIRD_PARTY_ONLY (bot/core/safety/findings.py): no more calls
# with written contact asked for, or no contact with the family or the work
# with contact with the cardholder asked for - not an opt-out; the
# classifier's own reading of the rest stands. Its next guess is taken as the
# rest of such a message from this confidence (below it the message says no
# more than the restriction).
CALLS_ONLY_REST_AT_LEAST = 0.10
DEMOTED = {FIGURE_OF_SPEECH, EVERYDAY_CONTEXT, NOT_AN_OPT_OUT, MODELS_DISAGREE, SAFE_ANSWER, CALLS_ONLY, THIRD_PARTY_ONLY,
           PAID_NO_NEED}
# The crisis only the safety risk detector saw.
RISK_MODEL = "risk_model"
# An opt-out only the classifier saw, and not surely.
LOW_CONFIDENCE = "low_confidence"
# An opt-out only the classifier saw in a question about what one would do.
CONSEQUENCE_QUESTION = "consequence_question"
# Below this confidence a classifier-only opt-out is asked about (config.yml
# has the measurements).
OPT_OUT_CONFIRM_BELOW = 0.85
# A crisis only one model saw, which the other model does not back (issue
# 18, sixth round; config.yml has the measurements):
# - the detector's flag alone on a short reply the classifier read as an
#   ordinary one ("好，谢了", "晚安，下了", "不想"): the detector's character
#   n-grams fire on 走/了/想 in a few characters with nothing else to weigh;
# - the classifier's own crisis, not sure of it, where the detector, trained
#   on crisis wording alone, sees almost none ("我收入不固定，好的时候一万").
SHORT_REPLY_INTENTS = ("greet", "goodbye", "thank", "deny", "affirm", "insult")
SHORT_REPLY_MAX_CHARS = 10
CLASSIFIER_CRISIS_SURE = 0.90
DETECTOR_CRISIS_AT_LEAST = 0.35
# A runner-up crisis below this, which the detector does not back either, is
# passed over when the classifier's reading falls to its next guess.
RUNNER_UP_CRISIS_AT_LEAST = 0.10
# The classifier's crisis the detector all but confirms stands even where an
# everyday word would explain it away ("游戏账号和装备都送给我表弟了，反正以后也
# 上不了线了": the game is the giving away); config.yml has the measurements.
DETECTOR_CRISIS_SURE = 0.95
# The detector's flag alone does not outweigh a classifier this sure of
# another intent, unless the detector is all but sure (DETECTOR_CRISIS_SURE):
# "我要走了 去接小朋友放學 bye" read as goodbye at 0.98 (config.yml has the
# measurements).
CLASSIFIER_SURE_OVER_DETECTOR = 0.85


def _confidence(found: Verdict, model_intent: Dict[Text, Any], message: Message) -> float:
    if DEMOTED & set(found.rules):
        # Demoted: the classifier's own confidence in its next guess.
        for candidate in message.get(INTENT_RANKING_KEY) or []:
            if candidate.get("name") == found.intent:
                return float(candidate.get("confidence") or 0.0)
        return 1.0
    if found.tier not in (POSSIBLE, MODEL_ONLY):
        return 1.0
    if model_intent.get("name") == found.intent:
        return max(float(model_intent.get("confidence") or 0.0), POSSIBLE_CONFIDENCE)
    return POSSIBLE_CONFIDENCE


def safety_report(found: Verdict, model_intent: Dict[Text, Any]) -> Dict[Text, Any]:
    return {
        "intent": found.intent,
        "tier": found.tier,
        "rules": list(found.rules),
        "model_intent": model_intent.get("name"),
    }


def apply_verdict(message: Message, found: Optional[Verdict]) -> None:
    """Force the net's intent on the message and say so in its parse data."""
    if found is None:
        return
    model_intent = dict(message.get(INTENT) or {})
    forced_intent = {"name": found.intent, "confidence": _confidence(found, model_intent, message)}
    ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get("name") != found.intent]
    message.set(INTENT, forced_intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [forced_intent] + ranking, add_to_output=True)
    message.set(SAFETY_KEY, safety_report(found, model_intent), add_to_output=True)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class KeywordIntentOverride(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "opt_out_confirm_below": OPT_OUT_CONFIRM_BELOW,
            "short_reply_max_chars": SHORT_REPLY_MAX_CHARS,
            "classifier_crisis_sure": CLASSIFIER_CRISIS_SURE,
            "detector_crisis_at_least": DETECTOR_CRISIS_AT_LEAST,
            "detector_crisis_sure": DETECTOR_CRISIS_SURE,
            "classifier_sure_over_detector": CLASSIFIER_SURE_OVER_DETECTOR,
        }

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        self.config = {**self.get_default_config(), **(config or {})}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "KeywordIntentOverride":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            try:
                self._override(message)
            except Exception:
                # A net that cannot answer must not cost the cardholder the
                # turn (blind round 27 found one that recursed until Python
                # gave up): the classifier's reading stands, and the error
                # is logged without the text for an engineer to see.
                logger.exception("safety net failed on a message; the classifier's reading stands")
        return messages

    def _override(self, message: Message) -> None:
        # What the cardholder wrote, not the normalised text: the net
        # normalises by itself, and must not read textnorm's pinyin
        # expansion ("td是什么意思" is no opt-out).
        text = message.get(TEXT_AS_WRITTEN) or message.get(TEXT) or ""
        found = verdict(text)
        model_intent = (message.get(INTENT) or {}).get("name")
        frequency_complaint = _frequency_complaint(found, model_intent)
        if frequency_complaint:
            # "一天打八个电话 你们是要逼疯人吗": how often we write, which
            # the classifier reads as a complaint or another request.
            found = None
        if found is not None and found.intent == "stop_contact":
            found = self._crisis_beside_opt_out(message, text, found) or found
        if found is None and model_intent != "crisis" and calls_only_request(text):
            # The opt-out of calls alone, which action_opt_out records and
            # confirms, when nothing else is asked ("别打电话了，有事发短信").
            found = _restricted_contact(message, model_intent, CALLS_ONLY, "stop_contact")
        elif found is None and model_intent != "crisis" and third_party_only_request(text):
            # A complaint about whom we contact, which goes to a person,
            # when nothing else is asked ("别打给我妈 有事找我").
            found = _restricted_contact(message, model_intent, THIRD_PARTY_ONLY, "complain")
        elif found is None and model_intent != "crisis" and paid_no_need(text):
            # "不用联系了，已经全部还清了": the payment or the promise, which
            # the classifier may have ranked below the opt-out words.
            found = _restricted_contact(message, model_intent, PAID_NO_NEED, paid_or_promised(text))
        if found is None and model_intent == "crisis":
            found = _model_only_crisis(message, text, self.config)
        elif found is None and model_intent == "stop_contact" and consequence_question(text):
            # "退订了就不用还了吗": what an opt-out would do, asked; the
            # classifier's opt-out in it is asked about, never recorded.
            found = Verdict("stop_contact", POSSIBLE, (CONSEQUENCE_QUESTION,))
        elif found is None and model_intent == "stop_contact" and not_an_opt_out(text):
            # "回T是什么意思", "验证码再发一遍", "别再收我违约金了": the
            # classifier's opt-out is a question or a request about fees.
            found = _next_guess(message, "stop_contact", NOT_AN_OPT_OUT)
        elif found is None and model_intent == "stop_contact" and _model_confidence(message) < float(
                self.config["opt_out_confirm_below"]):
            # The classifier's own opt-out, not sure of it ("我的电脑又死机了"
            # at 0.51): still stop_contact, but action_opt_out asks first.
            found = Verdict("stop_contact", POSSIBLE, (LOW_CONFIDENCE,))
        # Not over the classifier's opt-out either: as with the net's
        # hyperbole, the opt-out the law requires wins over a guess.
        if found is None and model_intent not in ("crisis", "stop_contact") \
                and _risk_flagged(message, "crisis") and risk_crisis_stands(text) \
                and not self._short_ordinary_reply(message, text) and not self._classifier_sure_elsewhere(message):
            found = Verdict("crisis", MODEL_ONLY, (RISK_MODEL,))
        if found is None and model_intent not in ("crisis", "stop_contact") and not frequency_complaint \
                and _risk_flagged(message, "stop_contact") and not not_an_opt_out(text):
            # A possible opt-out: action_opt_out asks before it records.
            found = Verdict("stop_contact", POSSIBLE, (RISK_MODEL,))
        apply_verdict(message, found)

    def _crisis_beside_opt_out(self, message: Message, text: str, stop: Verdict) -> Optional[Verdict]:
        """A crisis a model heard in a message the net read as an opt-out.

        "以后这个号码就没人用了，别打了，人不在了", "已经交代好后事了，你们不用再打来":
        the words of the opt-out are plain, the farewell is not, and crisis
        always wins. The classifier's crisis stands as it would without the
        opt-out (not a figure of speech, an everyday context, or an unsure
        reading the detector does not back): a crisis of tier ``model`` (the
        bot checks in), carrying a plain opt-out so that action_handle_crisis
        records it too (an opt-out the net only guessed at is asked about,
        never recorded, so it is not carried). The detector's flag alone
        does not outweigh the net's opt-out: on every data and dev text it
        did so twice, both times on a plain opt-out ("每天早上八点准时发，我受
        够了，别再发"), and never on a crisis. The classifier's crisis is not
        asked to be surer here than alone: asking for 0.90 or the detector's
        flag would have turned 3 crises of the fifteenth safety round back
        into opt-outs to spare 2 look-alikes a check-in ("开着车看手机太危险了。
        以后别打了"), whose opt-out is recorded all the same.
        """
        if (message.get(INTENT) or {}).get("name") != "crisis":
            return None
        if ((romanised_opt_out_only(text) or english_opt_out_only(text))
                and _model_confidence(message) < float(self.config["classifier_crisis_sure"])):
            # "bie lianxi wo le", "nimen bie zai lianxi wo le" (blind round
            # 18, safety round 22): typed in pinyin, read word for word as an
            # opt-out with no sign of a crisis; the classifier's unsure crisis
            # is its bias on pinyin (most pinyin training messages are crises).
            return None
        found = _model_only_crisis(message, text, self.config)
        if found.intent != "crisis":
            return None
        return Verdict("crisis", MODEL_ONLY, found.rules + ((OPT_OUT_TOO,) if stop.tier is None else ()))

    def _classifier_sure_elsewhere(self, message: Message) -> bool:
        """The classifier sure of its own (other) intent, the detector not all but sure of a crisis."""
        risk = (message.get(RISK_KEY) or {}).get("crisis")
        return (_model_confidence(message) >= float(self.config["classifier_sure_over_detector"])
                and (risk is None or float(risk) < float(self.config["detector_crisis_sure"])))

    def _short_ordinary_reply(self, message: Message, text: str) -> bool:
        """A few characters the classifier read as an ordinary reply."""
        return ((message.get(INTENT) or {}).get("name") in SHORT_REPLY_INTENTS
                and len(compact_text(text)) <= int(self.config["short_reply_max_chars"]))


def _model_confidence(message: Message) -> float:
    return float((message.get(INTENT) or {}).get("confidence") or 0.0)


def _risk_flagged(message: Message, intent: str) -> bool:
    return intent in ((message.get(RISK_KEY) or {}).get(FLAGGED) or ())


def risk_crisis_stands(text: str) -> bool:
    """Whether a crisis only a model saw is not explained away by the text."""
    return not figure_of_speech_only(text) and not everyday_context_only(text)


def _model_only_crisis(message: Message, text: str, config: Dict[Text, Any]) -> Optional[Verdict]:
    """The classifier said crisis and the net saw no sign of one.

    Only a figure of speech (笑死, 煤气费, 跳楼价) or an everyday context (a
    game, a cold, the kitchen, somebody else's story) the detector does not
    all but confirm as a crisis: the classifier's next guess. So too when
    the classifier is unsure and the safety risk detector sees almost no
    crisis. Otherwise still crisis, but not certain: the bot checks in first.
    """
    risk = (message.get(RISK_KEY) or {}).get("crisis")
    if figure_of_speech_only(text):
        return _next_guess(message, "crisis", FIGURE_OF_SPEECH)
    detector_unsure = risk is None or float(risk) < float(config["detector_crisis_sure"])
    if everyday_context_only(text) and detector_unsure:
        return _next_guess(message, "crisis", EVERYDAY_CONTEXT)
    if safe_answer_only(text) and detector_unsure:
        return _next_guess(message, "crisis", SAFE_ANSWER)
    if (risk is not None and float(risk) < float(config["detector_crisis_at_least"])
            and _model_confidence(message) < float(config["classifier_crisis_sure"])):
        return _next_guess(message, "crisis", MODELS_DISAGREE)
    return Verdict("crisis", MODEL_ONLY, ())


def _frequency_complaint(found: Optional[Verdict], model_intent: Optional[str]) -> bool:
    """The net heard only how often we write (TOO_OFTEN_ONLY) and the
    classifier an intent of its own: that intent stands - a complaint goes
    to a person - and the safety risk detector's opt-out flag, which fires on
    the same words, adds nothing. An opt-out or no reading of its own: the
    net's possible opt-out stands (the bot asks)."""
    return (found is not None and found.intent == "stop_contact" and found.rules == (TOO_OFTEN_ONLY,)
            and model_intent not in ("stop_contact", "nlu_fallback", None))


# Readings that ask nothing beside the restriction ("no more calls").
_NOTHING_ELSE_ASKED = ("stop_contact", "nlu_fallback", "out_of_scope", None)


def _restricted_contact(message: Message, model_intent: Optional[str], rule: str, alone: str) -> Verdict:
    """Contact restricted, not stopped (``rule``): what the rest of the
    message asks, else ``alone``.

    The classifier often hears the opt-out words and says stop_contact: its
    next guess is the request ("别打电话 直接发短信告诉我欠多少": ask_balance).
    """
    if model_intent not in _NOTHING_ELSE_ASKED:
        return Verdict(model_intent, None, (rule,))
    for candidate in message.get(INTENT_RANKING_KEY) or []:
        if candidate.get("name") not in _NOTHING_ELSE_ASKED + ("crisis", "wrong_person") \
                and float(candidate.get("confidence") or 0.0) >= CALLS_ONLY_REST_AT_LEAST:
            return Verdict(candidate["name"], None, (rule,))
    return Verdict(alone, None, (rule,))


def _next_guess(message: Message, intent: str, why: str) -> Verdict:
    risk = (message.get(RISK_KEY) or {}).get("crisis")
    for candidate in message.get(INTENT_RANKING_KEY) or []:
        if candidate.get("name") == intent:
            continue
        if (candidate.get("name") == "crisis" and float(candidate.get("confidence") or 0.0) < RUNNER_UP_CRISIS_AT_LEAST
                and (risk is None or float(risk) < DETECTOR_CRISIS_AT_LEAST)):
            # A runner-up crisis neither model gives any weight (0.02 beside a
            # long opt-out demoted for its plan: blind round 18) is no reading.
            continue
        # A runner-up crisis is still checked on, as any crisis only
        # the classifier saw.
        tier = MODEL_ONLY if candidate["name"] == "crisis" else None
        return Verdict(candidate["name"], tier, (why,))
    return Verdict("nlu_fallback", None, (why,))
