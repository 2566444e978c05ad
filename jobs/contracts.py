"""The calendar of contracts (served notices take effect on their date, fixed terms expire, foremen are reminded),
and the nightly check of the document store that keeps their PDFs."""

from datetime import datetime

from wage_guard.contracts import document_check, expiry


def contract_dates(*, now: datetime) -> dict[str, int]:
    """End contracts whose notice reached its date, mark past fixed terms expired, remind foremen 30 days ahead."""
    return expiry.run_daily(now=now)


def check_document_store(*, now: datetime) -> dict[str, int]:
    """Re-hash every stored contract PDF and page preview against the database; each problem is logged."""
    del now
    report = document_check.check_store()
    return {"checked": report.checked, "missing": len(report.missing), "changed": len(report.changed)}
