"""The ``backup_daily`` job: off without ``BACKUP_DIR``; a backup a day however often it runs; backups past
``BACKUP_KEEP_DAYS`` deleted, but never the newest one and nothing that is not a backup."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from jobs.backup import backup_daily
from jobs.registry import job_definitions
from jobs.runner import run_job
from tests.conftest import START, advance
from tests.factories import World
from wage_guard.backup import services
from wage_guard.backup.errors import BackupError


def _stamp(days: float) -> str:
    return (START + timedelta(days=days)).strftime(services.STAMP_FORMAT)


def _backups(root: Path) -> list[str]:
    return sorted(path.name for path in root.iterdir())


@pytest.fixture
def backups(app: Flask, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_tools: None) -> Path:
    root = tmp_path / "backups"
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(root))
    monkeypatch.setitem(app.config, "BACKUP_KEEP_DAYS", 3)
    return root


def test_the_job_is_off_without_a_backup_folder(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "BACKUP_DIR", None)
    assert "backup_daily" not in {job.id for job in job_definitions(app)}
    assert run_job(app, backup_daily) is None
    monkeypatch.setitem(app.config, "BACKUP_DIR", "/srv/backups")
    [job] = [job for job in job_definitions(app) if job.id == "backup_daily"]
    assert job.function is backup_daily


def test_one_backup_a_day_and_the_retention(app: Flask, backups: Path) -> None:
    assert run_job(app, backup_daily) == {"created": str(backups / _stamp(0)), "removed": []}
    advance(hours=23)
    assert run_job(app, backup_daily) == {"created": None, "removed": []}  # it looks every hour: one backup a day
    advance(hours=1)
    assert run_job(app, backup_daily) == {"created": str(backups / _stamp(1)), "removed": []}
    for day in (2, 3):
        advance(days=1)
        assert run_job(app, backup_daily) == {"created": str(backups / _stamp(day)), "removed": []}
    advance(days=1)
    # Day 4 with three days kept: day 0 goes, day 1 (exactly three days old) stays.
    assert run_job(app, backup_daily) == {"created": str(backups / _stamp(4)), "removed": [str(backups / _stamp(0))]}
    assert _backups(backups) == [_stamp(day) for day in (1, 2, 3, 4)]
    assert all((backups / name / "manifest.json").is_file() for name in _backups(backups))


def test_the_newest_backup_is_never_deleted_and_strangers_are_left_alone(app: Flask, backups: Path) -> None:
    run_job(app, backup_daily)
    advance(days=1)
    run_job(app, backup_daily)
    crashed = backups / _stamp(1.5)  # a backup a crash interrupted: no manifest
    crashed.mkdir()
    (backups / "notes").mkdir()
    (backups / "20200101T000000Z.tar").write_text("not ours")
    removed = services.prune(backups, keep_days=3, now=START + timedelta(days=100))
    assert [path.name for path in removed] == [_stamp(0), _stamp(1.5)]
    assert _backups(backups) == sorted([_stamp(1), "notes", "20200101T000000Z.tar"])


def test_a_wrong_retention_is_refused(app: Flask, backups: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "BACKUP_KEEP_DAYS", 0)
    with app.app_context(), pytest.raises(BackupError, match="WAGE_GUARD_BACKUP_KEEP_DAYS"):
        services.backup_daily(now=START)
    assert not backups.exists()
