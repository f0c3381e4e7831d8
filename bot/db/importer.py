"""Load the bank's account export (CSV) into the database.

The file is validated completely before anything is written: operators fix
a rejected file and re-run it, and a half-imported file would leave the bot
quoting balances from two different exports.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple, Union

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.core.policy import days_past_due, stage_for
from bot.db.models import MONEY_MAX_INTEGER_DIGITS, Account, Cardholder

HEADER = (
    "account_id",
    "name",
    "phone",
    "id_last4",
    "card_last4",
    "balance",
    "minimum_due",
    "due_date",
)

E164_RE = re.compile(r"^\+[1-9]\d{7,14}$")
ID_LAST4_RE = re.compile(r"^\d{3}[\dX]$")  # resident ID check digit may be X
CARD_LAST4_RE = re.compile(r"^\d{4}$")
AMOUNT_RE = re.compile(r"^\d{1,%d}(?:\.\d{1,2})?$" % MONEY_MAX_INTEGER_DIGITS)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ACCOUNT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
NAME_MAX = 100


class ImportFileError(Exception):
    """The file as a whole is unusable (unreadable, not UTF-8, wrong header)."""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class ImportResult:
    inserted: int
    updated: int
    rejected: List[RowError] = field(default_factory=list)
    # Stage mix of the accounts that were written, as of the import date:
    # a quick sanity check that the operator loaded the right export.
    stage_counts: Dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Row:
    line: int
    account_id: str
    name: str
    phone: str
    id_last4: str
    card_last4: str
    balance: Decimal
    minimum_due: Decimal
    due_date: date


def _validate(line: int, raw: Dict[str, str]) -> Union[_Row, List[str]]:
    problems: List[str] = []
    values = {k: (raw.get(k) or "").strip() for k in HEADER}
    missing = [k for k in HEADER if not values[k]]
    for k in missing:
        problems.append(f"missing {k}")

    account_id = values["account_id"]
    if account_id and not ACCOUNT_ID_RE.match(account_id):
        problems.append(
            f"account_id {account_id!r} must be 1-64 letters, digits, '.', '_' or '-'"
        )
    name = values["name"]
    if len(name) > NAME_MAX:
        problems.append(f"name is longer than {NAME_MAX} characters")
    phone = values["phone"]
    if phone and not E164_RE.match(phone):
        problems.append(f"phone {phone!r} is not E.164")
    id_last4 = values["id_last4"].upper()
    if id_last4 and not ID_LAST4_RE.match(id_last4):
        problems.append(f"id_last4 {values['id_last4']!r} must be 3 digits then a digit or X")
    card_last4 = values["card_last4"]
    if card_last4 and not CARD_LAST4_RE.match(card_last4):
        problems.append(f"card_last4 {card_last4!r} must be 4 digits")

    amounts: Dict[str, Optional[Decimal]] = {}
    for key in ("balance", "minimum_due"):
        text = values[key]
        amounts[key] = None
        if not text:
            continue
        if AMOUNT_RE.match(text):
            amounts[key] = Decimal(text).quantize(Decimal("0.01"))
        else:
            problems.append(
                f"{key} {text!r} is not a non-negative amount with at most 2 decimal places"
            )
    if (
        amounts["balance"] is not None
        and amounts["minimum_due"] is not None
        and amounts["minimum_due"] > amounts["balance"]
    ):
        problems.append(
            f"minimum_due {amounts['minimum_due']} is greater than balance {amounts['balance']}"
        )

    due: Optional[date] = None
    text = values["due_date"]
    if text:
        try:
            if not DATE_RE.match(text):
                raise ValueError
            due = date.fromisoformat(text)
        except ValueError:
            problems.append(f"due_date {text!r} is not an ISO date (YYYY-MM-DD)")

    if problems:
        return problems
    return _Row(
        line=line,
        account_id=account_id,
        name=name,
        phone=phone,
        id_last4=id_last4,
        card_last4=card_last4,
        balance=amounts["balance"],
        minimum_due=amounts["minimum_due"],
        due_date=due,
    )


def _read_text(path: Union[str, Path]) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        # utf-8-sig: Excel on Windows writes a BOM in front of UTF-8 CSVs.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{path} is not UTF-8 (byte {exc.start}); save it as 'CSV UTF-8'"
        ) from exc


def csv_records(
    text: str, header: Tuple[str, ...], errors: List[RowError]
) -> Iterator[Tuple[int, List[str]]]:
    """(line number, fields) of each data record of a CSV with ``header``.

    A wrong or missing header raises ImportFileError; a record with the wrong
    number of fields, or a malformed one (which ends the file), is added to
    ``errors`` with its line; blank lines are skipped.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        found = next(reader)
    except StopIteration:
        raise ImportFileError("file is empty; expected header " + ",".join(header))
    except csv.Error as exc:
        raise ImportFileError(f"line 1: {exc}") from exc
    if tuple(h.strip() for h in found) != header:
        raise ImportFileError("wrong header: expected " + ",".join(header) + " but got " + ",".join(found))
    prev_end = reader.line_num
    while True:
        # A record starts on the line after the previous one ended (quoted
        # fields may span lines), which is the number operators look up.
        line = prev_end + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(RowError(line, f"malformed CSV: {exc}"))
            return
        prev_end = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue  # blank line, e.g. a trailing newline from Excel
        if len(record) != len(header):
            errors.append(RowError(line, f"expected {len(header)} fields, got {len(record)}"))
            continue
        yield line, record


def parse_accounts_csv(text: str) -> "tuple[list[_Row], list[RowError]]":
    """Validate every row; return (good rows, errors). Header problems raise."""
    rows: List[_Row] = []
    errors: List[RowError] = []
    first_seen_account: Dict[str, int] = {}
    holder_by_phone: Dict[str, _Row] = {}
    for line, record in csv_records(text, HEADER, errors):
        checked = _validate(line, dict(zip(HEADER, record)))
        if isinstance(checked, list):
            errors.append(RowError(line, "; ".join(checked)))
            continue
        if checked.account_id in first_seen_account:
            errors.append(
                RowError(
                    line,
                    f"duplicate account_id {checked.account_id!r} "
                    f"(first on line {first_seen_account[checked.account_id]})",
                )
            )
            continue
        other = holder_by_phone.get(checked.phone)
        if other is not None and (other.name, other.id_last4) != (
            checked.name,
            checked.id_last4,
        ):
            # Same phone = same cardholder; two identities for one number
            # means the export is inconsistent and verification would break.
            errors.append(
                RowError(
                    line,
                    f"phone {checked.phone!r} belongs to a different name/id_last4 "
                    f"on line {other.line}",
                )
            )
            continue
        first_seen_account[checked.account_id] = line
        holder_by_phone.setdefault(checked.phone, checked)
        rows.append(checked)
    return rows, errors


def _upsert(s: Session, rows: List[_Row]) -> "tuple[int, int]":
    inserted = updated = 0
    holders: Dict[str, Cardholder] = {}
    for row in rows:
        holder = holders.get(row.phone)
        if holder is None:
            holder = s.execute(
                select(Cardholder).where(Cardholder.phone == row.phone)
            ).scalar_one_or_none()
            if holder is None:
                holder = Cardholder(phone=row.phone, name=row.name, id_last4=row.id_last4)
                s.add(holder)
            else:
                holder.name = row.name
                holder.id_last4 = row.id_last4
            s.flush()
            holders[row.phone] = holder

        account = s.get(Account, row.account_id)
        if account is None:
            account = Account(account_id=row.account_id, follow_up=False)
            s.add(account)
            inserted += 1
        else:
            updated += 1
        account.cardholder_id = holder.id
        account.card_last4 = row.card_last4
        account.balance = row.balance
        account.minimum_due = row.minimum_due
        account.due_date = row.due_date
        # Explicit, so an unchanged re-import still records when the bank's
        # figures were last confirmed.
        account.updated_at = clock.now()
    s.flush()
    return inserted, updated


def _stage_counts(rows: List[_Row], today: date) -> Dict[str, int]:
    counts = Counter(str(stage_for(days_past_due(r.due_date, today))) for r in rows)
    return dict(sorted(counts.items()))


def import_accounts_csv(
    s: Session,
    path: Union[str, Path],
    *,
    skip_bad_rows: bool = False,
    today: date,
) -> ImportResult:
    """Validate and upsert the CSV at ``path``.

    Raises ImportFileError when the file cannot be used at all. With rejected
    rows and ``skip_bad_rows=False`` nothing is written.
    """
    rows, errors = parse_accounts_csv(_read_text(path))
    if errors and not skip_bad_rows:
        return ImportResult(inserted=0, updated=0, rejected=errors)
    # SAVEPOINT: a database error half-way leaves the caller's transaction
    # as it was, keeping the import all-or-nothing even if the caller
    # catches the exception and commits other work.
    with s.begin_nested():
        inserted, updated = _upsert(s, rows)
    return ImportResult(
        inserted=inserted,
        updated=updated,
        rejected=errors,
        stage_counts=_stage_counts(rows, today),
    )


# --------------------------------------------------------------------------
# Demo data
# --------------------------------------------------------------------------

# tests/fixtures/demo_accounts.csv holds these rows as of this date; the
# demo clock (COLLECTBOT_NOW=2026-11-25T10:00:00+08:00) uses the same day.
DEMO_REFERENCE_DATE = date(2026, 11, 25)

# (account_id, name, phone, id_last4, card_last4, balance, minimum_due,
#  days past due on the reference date). Names cover 2, 3 and 4 characters
# so masking can be demonstrated; one balance is below 600 yuan.
_DEMO = (
    ("DEMO-0001", "王小明", "+8613800000001", "1234", "6621", "8650.00", "865.00", 12),
    ("DEMO-0002", "李娜", "+8613800000002", "5678", "3088", "23500.50", "2350.05", 45),
    ("DEMO-0003", "欧阳娜娜", "+8613800000003", "901X", "7415", "56000.00", "5600.00", 75),
    ("DEMO-0004", "陈建国", "+8613800000004", "2468", "9902", "128900.00", "12890.00", 150),
    ("DEMO-0005", "赵敏", "+8613800000005", "1357", "4410", "480.00", "480.00", 20),
)


def demo_rows(today: date) -> List[Dict[str, str]]:
    """Demo rows (CSV column -> text) with due dates shifted to ``today``.

    Shifting keeps each account in the same stage whatever day the demo
    runs; on DEMO_REFERENCE_DATE they equal tests/fixtures/demo_accounts.csv.
    """
    rows = []
    for account_id, name, phone, id_last4, card, balance, minimum, dpd in _DEMO:
        rows.append(
            {
                "account_id": account_id,
                "name": name,
                "phone": phone,
                "id_last4": id_last4,
                "card_last4": card,
                "balance": balance,
                "minimum_due": minimum,
                "due_date": (today - timedelta(days=dpd)).isoformat(),
            }
        )
    return rows


def demo_csv_text(today: date) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(demo_rows(today))
    return out.getvalue()


def seed_demo(s: Session, today: date) -> List[Dict[str, str]]:
    """Upsert the demo accounts (same validation as a CSV import)."""
    rows, errors = parse_accounts_csv(demo_csv_text(today))
    if errors:  # pragma: no cover - the constants above are tested
        raise ValueError("; ".join(str(e) for e in errors))
    with s.begin_nested():
        _upsert(s, rows)
    return demo_rows(today)
