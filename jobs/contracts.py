"""The calendar of contracts: served notices take effect on their date, fixed terms expire, foremen are reminded."""

from datetime import datetime

from wage_guard.contracts import expiry


def contract_dates(*, now: datetime) -> dict[str, int]:
    """End contracts whose notice reached its date, mark past fixed terms expired, remind foremen 30 days ahead."""
    return expiry.run_daily(now=now)
