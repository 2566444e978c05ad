"""CLI commands before ``db upgrade`` or with the database down: a clear message in Chinese and English and exit
status 1, never SQLAlchemy's traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import conftest
from wage_guard import create_app


@pytest.mark.parametrize(
    ("url", "expected"),
    [("empty", "db upgrade"), ("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2", "Cannot reach the database")],
)
def test_a_command_on_a_database_without_tables_or_out_of_reach(tmp_path: Path, url: str, expected: str) -> None:
    database = f"sqlite:///{tmp_path / 'empty.db'}" if url == "empty" else url
    app = create_app(conftest.test_config(database))
    for command in (["ledger", "verify"], ["risk", "run"]):
        result = app.test_cli_runner().invoke(args=command)
        assert result.exit_code == 1, result.output
        assert expected in result.output
        assert "Traceback" not in result.output
        assert "sqlalchemy.exc" not in result.output
