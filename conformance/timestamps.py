"""Server timestamps compared as instants, never as strings.

Servers write the fraction of a second with any precision or none (``...:51Z`` and
``...:51.197000Z`` are both ISO 8601), and a ``Z`` or an offset; as strings the first sorts after
the second although it is earlier.
"""

from datetime import UTC, datetime


class NotATimestamp(ValueError):
    """The value is not an ISO 8601 date and time with a zone."""


def parse(value: object) -> datetime:
    """The instant ``value`` names (any fractional precision, ``Z`` or ``+hh:mm``)."""
    if not isinstance(value, str):
        raise NotATimestamp(f"{value!r} is not a string")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    date, separator, time_part = text.partition("T")
    if not separator:
        raise NotATimestamp(f"{value!r} has no time")
    clock, zone = _split_zone(time_part)
    if zone is None:
        raise NotATimestamp(f"{value!r} has no time zone")
    whole, _, fraction = clock.partition(".")
    digits = (fraction + "000000")[:6] if fraction.isdigit() or not fraction else None
    if digits is None:
        raise NotATimestamp(f"{value!r} has a malformed fraction of a second")
    try:
        parsed = datetime.fromisoformat(f"{date}T{whole}.{digits}{zone}")
    except ValueError as error:
        raise NotATimestamp(f"{value!r}: {error}") from None
    return parsed.astimezone(UTC)


def _split_zone(time_part: str) -> tuple[str, str | None]:
    for sign in ("+", "-"):
        if sign in time_part:
            clock, _, offset = time_part.rpartition(sign)
            return clock, sign + offset
    return time_part, None


def is_later(after: object, before: object) -> bool:
    """``after`` names a strictly later instant than ``before``."""
    return parse(after) > parse(before)


def same_instant(first: object, second: object) -> bool:
    return parse(first) == parse(second)
