"""The one place that reads the clock, so tests can move time (code expiry, cool-downs, timeouts)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_frozen: datetime | None = None


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Pin ``utcnow()`` to ``at`` (or release it with ``None``); for tests and demos only."""
    global _frozen
    _frozen = at


def as_utc(value: datetime) -> datetime:
    """Treat a naive datetime read back from SQLite as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


CHINA = ZoneInfo("Asia/Shanghai")


def china_date(moment: datetime) -> date:
    """Return the calendar date in China (UTC+8) at ``moment``: pay days and entry dates are local."""
    return as_utc(moment).astimezone(CHINA).date()


def wallclock() -> datetime:
    """The real time, never frozen: for cryptographic artefacts (certificates, CRLs, timestamps), which
    validators check against the real clock."""
    return datetime.now(UTC)
