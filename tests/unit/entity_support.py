"""What the entity tests share: a fixed clock, so that relative dates have
one answer, and the spans find_entities returns paired with the value the
matching parse_* function gives the actions."""
from __future__ import annotations

from datetime import datetime

from bot.core.normalize import (
    SHANGHAI,
    find_entities,
    parse_amount,
    parse_date,
    parse_duration_days,
    parse_id_last4,
    parse_months,
)

# Wednesday 2026-11-25 10:00 in Shanghai.  Monday of that week: 2026-11-23.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)

# An entity the table does not know is a KeyError: a new entity needs its parser here.
_PARSERS = {
    "amount": parse_amount,
    "date": lambda text: parse_date(text, NOW),
    "duration": parse_duration_days,
    "months": parse_months,
    "id_last4": parse_id_last4,
}


def entity_value(entity: str, text: str):
    """The value the actions get for ``text`` tagged as ``entity``."""
    return _PARSERS[entity](text)


def found(text: str):
    """(entity, span text, value) for each entity find_entities returns."""
    spans = find_entities(text)
    for s in spans:
        assert text[s.start:s.end] == s.value  # offsets into the original text
    return [(s.entity, s.value, entity_value(s.entity, s.value)) for s in spans]
