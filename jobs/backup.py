"""The daily backup of the database and the document store, and the retention of older backups."""

from datetime import datetime

from wage_guard.backup import services


def backup_daily(*, now: datetime) -> dict[str, object] | None:
    """Back up into ``BACKUP_DIR`` once a day and delete backups past ``BACKUP_KEEP_DAYS``; None when backups are off."""
    daily = services.backup_daily(now=now)
    if daily is None:
        return None
    return {"created": str(daily.created) if daily.created else None, "removed": [str(path) for path in daily.removed]}
