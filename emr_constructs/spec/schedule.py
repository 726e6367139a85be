"""EventBridge schedule expressions (Amazon EventBridge User Guide, "Schedule expressions for rules").

``rate(value unit)``: a positive whole number, and the unit singular for 1 (``rate(1 day)``) and plural
otherwise (``rate(5 minutes)``). ``cron(Minutes Hours Day-of-month Month Day-of-week Year)``: six fields in UTC;
one of day-of-month and day-of-week must be ``?``.
"""

from __future__ import annotations

import re

_RATE = re.compile(r"^rate\((?P<value>\S+) (?P<unit>\S+)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]*)\)$")
_UNITS = {"minute": "minutes", "hour": "hours", "day": "days"}
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")

# name, low, high, names, extra single-value forms (regex)
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...], str], ...] = (
    ("minutes", 0, 59, (), ""),
    ("hours", 0, 23, (), ""),
    ("day-of-month", 1, 31, (), r"L|LW|\d{1,2}W"),
    ("month", 1, 12, _MONTHS, ""),
    ("day-of-week", 1, 7, _DAYS, r"L|\d[L]|[A-Z]{3}L|\d#[1-5]|[A-Z]{3}#[1-5]"),
    ("year", 1970, 2199, (), ""),
)

EXAMPLES = "cron(0 3 * * ? *) (03:00 UTC daily) or rate(1 day)"


def _number(token: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    if token.upper() in names:
        return True
    return token.isdigit() and low <= int(token) <= high


def _field_ok(text: str, low: int, high: int, names: tuple[str, ...], extra: str) -> bool:
    for part in text.split(","):
        if part == "*" or (extra and re.fullmatch(extra, part.upper())):
            continue
        base, slash, step = part.partition("/")
        if slash and not (step.isdigit() and int(step) >= 1):
            return False
        if base == "*" and slash:
            continue
        start, dash, end = base.partition("-")
        if not _number(start, low, high, names) or (dash and not _number(end, low, high, names)):
            return False
    return True


def schedule_problem(expression: str) -> str | None:
    """Why EventBridge would reject ``expression``, or None when it is a valid rate or cron expression."""
    rate = _RATE.match(expression)
    if rate:
        value, unit = rate["value"], rate["unit"]
        if not value.isdigit() or int(value) < 1:
            return f"the rate value {value!r} is not a positive whole number"
        singular = unit.rstrip("s") if unit.endswith("s") else unit
        if singular not in _UNITS:
            return f"the rate unit {unit!r} is not minute(s), hour(s) or day(s)"
        expected = singular if int(value) == 1 else _UNITS[singular]
        if unit != expected:
            return f"EventBridge needs rate({value} {expected}): singular for 1, plural otherwise"
        return None
    cron = _CRON.match(expression)
    if cron is None:
        return "it is neither a rate(...) nor a cron(...) expression"
    fields = cron["fields"].split()
    if len(fields) != len(_FIELDS):
        return f"a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), not {len(fields)}"
    for text, (name, low, high, names, extra) in zip(fields, _FIELDS, strict=True):
        allowed = extra if name not in ("day-of-month", "day-of-week") else f"\\?|{extra}"
        if not _field_ok(text, low, high, names, allowed):
            return f"the {name} field {text!r} is not valid (values {low}-{high}, with , - * /)"
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return "exactly one of day-of-month and day-of-week must be '?'"
    return None


def checked_schedule(value: str | None) -> str | None:
    """``value`` when it is an EventBridge schedule expression (or None); else a ``ValueError`` with the fix."""
    problem = schedule_problem(value) if value is not None else None
    if problem is not None:
        raise ValueError(f"not an EventBridge schedule expression: {problem}. Fix: write e.g. {EXAMPLES}")
    return value
