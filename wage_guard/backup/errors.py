"""What a backup or a restore refuses, with its message kept lazy so the CLI can say it in Chinese and in English."""

from __future__ import annotations

from typing import Any

from wage_guard.errors import WageGuardError


class BackupError(WageGuardError):
    """The backup or the restore stopped; nothing was left half-written. ``exit_code`` is the CLI's exit status."""

    exit_code = 1

    def __init__(self, message: Any) -> None:
        #: A ``LazyString`` from ``_l``: rendered in whichever locale is active where it is shown.
        self.lazy_message = message
        super().__init__(str(message))


class BackupDamaged(BackupError):
    """The backup folder is not a complete, unchanged backup: a file is missing, extra or fails its checksum."""

    exit_code = 3


class TargetNotEmpty(BackupError):
    """A restore goes only into an empty database: it never merges into or overwrites data."""

    exit_code = 4
