"""What a trainer may see: every console answer a trainer can read goes
through here (issue 16, finding 7: trainers saw full phone numbers in the
queue and the ID digits a cardholder typed in the conversation view).

Trainers improve the assistant; who the cardholder is, and the answers that
prove it, are none of their business. On top of ``bot/core/masking.py``
(phone numbers, ID numbers, digits after a cue, names) this hides

- conversation ids (a phone number, or a web chat session id that works as
  a bearer credential): trainers address a queued conversation by a
  reference (``esc-<escalation id>``) instead;
- the cardholder's own secrets wherever they appear (ID and card digits,
  phone number), like the names;
- every digit of a message that answers a secret question (the bot asked
  for ``id_last4`` or ``claimed_phone``): "3521" on its own has no cue;
- entity values the NLU marked as personal.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence

from bot.core import masking
from bot.core.phone import is_e164

MASKED_ROLES = frozenset({"trainer"})
REF_PREFIX = "esc-"
_REF = re.compile(r"esc-([0-9]{1,18})")
# Slots whose answer proves or names the cardholder (domain.yml, verify_form).
SECRET_SLOTS = frozenset({"id_last4", "claimed_phone"})
_ANSWER_DIGITS = re.compile(r"[0-9](?:[0-9 \-]*[0-9])?[Xx]?")

# Keys whose values are free text (masked inside), identifiers (masked whole)
# or conversation ids, wherever they occur in an answer's data.
FREE_TEXT_KEYS = frozenset({"text", "summary", "claimed_text", "body", "note", "detail", "first_text",
                            "hardship_reason", "idempotency_key"})
SECRET_KEYS = frozenset({"id_last4", "card_last4", "name", "display_phone", "phone", "claimed_phone"})
CONVERSATION_KEYS = frozenset({"conversation_id", "sender_id", "to_number", "conversation"})


def ref_of(escalation_id: int) -> str:
    return f"{REF_PREFIX}{escalation_id}"


def escalation_of_ref(value: str) -> Optional[int]:
    """The escalation id in a reference, or None when ``value`` is not one."""
    match = _REF.fullmatch(value or "")
    return int(match.group(1)) if match else None


def mask_conversation_id(conversation_id: Optional[str]) -> str:
    """+8613900000001 → +86139****0001; webchat-7f3a… → webchat-****; a
    web chat session id (a hex hash, "deadbeef12…") → ****: only a word
    followed by "-" or ":" is a prefix, never the hash's own first letters."""
    cid = conversation_id or ""
    if masking.MASK in cid:
        return cid  # masked already
    if is_e164(cid) or cid.lstrip("+").isdigit():
        return masking.mask_phone(cid)
    prefix = re.match(r"[A-Za-z_]+[-:]", cid)
    return (prefix.group(0) if prefix else "") + masking.MASK * 4 if cid else ""


def secret_values(snapshot: Optional[Dict[str, Any]]) -> List[str]:
    """The cardholder's secrets in an account snapshot (bot/db/repository)."""
    snapshot = snapshot or {}
    holder = snapshot.get("cardholder") or {}
    account = snapshot.get("account") or {}
    values = [holder.get("id_last4"), account.get("card_last4"), holder.get("card_last4"), holder.get("phone")]
    out = []
    for value in values:
        value = str(value or "").strip()
        if len(value) >= 3:
            out.append(value)
            if value.startswith("+86"):
                out.append(value[3:])
    return out


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = re.sub(re.escape(secret), masking.MASK * len(secret), text, flags=re.IGNORECASE)
    return text


def mask_message(
    text: Optional[str],
    names: Iterable[str] = (),
    secrets: Iterable[str] = (),
    entities: Optional[Sequence[Dict[str, Any]]] = None,
    secret_answer: bool = False,
) -> str:
    """A message as a trainer sees it (same length as the original)."""
    masked = masking.mask_text(text, names, entities)
    if secret_answer:
        masked = _ANSWER_DIGITS.sub(lambda m: masking.MASK * len(m.group(0)), masked)
    return mask_secrets(masked, secrets)


class SecretQuestions:
    """Feed a conversation's events in order; ``user()`` tells whether the
    message just written answers a secret question (the form's
    ``requested_slot`` was one of ``SECRET_SLOTS``)."""

    def __init__(self) -> None:
        self.requested: Optional[str] = None

    def slot(self, name: Optional[str], value: Any) -> None:
        if name == "requested_slot":
            self.requested = value if isinstance(value, str) else None

    def active_loop(self, name: Optional[str]) -> None:
        if not name:
            self.requested = None

    def user(self) -> bool:
        return self.requested in SECRET_SLOTS


def user_event_facts(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """For each user event of a Rasa tracker (JSON events, in order): its
    entities and whether it answered a secret question."""
    questions = SecretQuestions()
    out = []
    for event in events:
        kind = event.get("event")
        if kind == "slot":
            questions.slot(event.get("name"), event.get("value"))
        elif kind == "active_loop":
            questions.active_loop(event.get("name"))
        elif kind == "user":
            out.append({
                "entities": (event.get("parse_data") or {}).get("entities") or [],
                "secret_answer": questions.user(),
            })
    return out


def mask_transcript(
    entries: List[Dict[str, Any]], events: Iterable[Dict[str, Any]], names: Sequence[str], secrets: Sequence[str]
) -> List[Dict[str, Any]]:
    """``rasa_api.transcript`` entries masked: one cardholder entry per user event."""
    facts = iter(user_event_facts(events))
    out = []
    for entry in entries:
        entry = dict(entry)
        if entry.get("from") == "cardholder":
            fact = next(facts, {"entities": [], "secret_answer": True})
            # A button click shows the button's title: the payload's entity
            # offsets do not apply to it.
            entities = [] if entry.get("button") else fact["entities"]
            entry["text"] = mask_message(entry.get("text"), names, secrets, entities, fact["secret_answer"])
        else:
            entry["text"] = mask_message(entry.get("text"), names, secrets)
        out.append(entry)
    return out


def mask_data(value: Any, names: Sequence[str], secrets: Sequence[str] = (), key: str = "") -> Any:
    """Any answer's data with personal data masked, by key (see the sets above)."""
    if isinstance(value, dict):
        return {k: mask_data(v, names, secrets, k) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_data(v, names, secrets, key) for v in value]
    if not isinstance(value, str) or not value:
        return value
    if key in SECRET_KEYS:
        return masking.MASK * len(value)
    if key in CONVERSATION_KEYS:
        return mask_conversation_id(value)
    if key in FREE_TEXT_KEYS:
        return mask_message(value, names, secrets)
    return value
