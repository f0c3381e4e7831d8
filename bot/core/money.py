"""Money in one representation: ``Decimal`` quantized to the fen (0.01 yuan).

Every amount the assistant quotes to a cardholder ends up in a contract or a
regulator's complaint file, so it must be exact. Binary floats cannot hold
0.01 exactly (0.1 + 0.2 != 0.3), which is why ``to_money`` refuses them
outright instead of converting them "carefully": a float reaching this point
means some caller already lost precision, and that bug should surface here,
not as a one-fen discrepancy in a statement months later.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")


def to_money(value) -> Decimal:
    """Return ``value`` as a Decimal rounded half-up to the fen.

    Accepts ``Decimal``, ``int`` and numeric strings (surrounding whitespace
    and thousands separators such as ``"3,500.00"`` are tolerated, because
    that is how amounts appear on statements and in bank exports).

    Raises ``TypeError`` for floats, bools and other types, and ``ValueError``
    for strings that are not numbers and for NaN/Infinity.
    """
    # bool is a subclass of int; True silently becoming 1.00 yuan would be a
    # data bug, never an intended amount.
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(
            f"money must be Decimal, int or str, not {type(value).__name__} ({value!r}); "
            "floats cannot represent fen exactly"
        )
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            raise ValueError("empty string is not an amount")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {value!r}") from exc
    else:
        raise TypeError(f"money must be Decimal, int or str, not {type(value).__name__}")

    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    try:
        return amount.quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        # Only reachable for absurdly large values that exceed the context
        # precision; treat them as garbage input rather than crash later.
        raise ValueError(f"amount out of range: {value!r}") from exc


def fmt_yuan(amount: Decimal) -> str:
    """Format for cardholders: ``Decimal("3500")`` -> ``"3,500.00元"``.

    Always two decimals, so the figure in a chat reply matches the figure on
    the statement character for character.
    """
    return f"{to_money(amount):,.2f}元"
