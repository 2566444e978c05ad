"""Register every domain's click group on ``flask``."""

from flask import Flask


def register_commands(app: Flask) -> None:
    from wage_guard.accounts.cli import accounts
    from wage_guard.backup.cli import backup
    from wage_guard.contracts.cli import contracts
    from wage_guard.demo import demo
    from wage_guard.ledger.cli import ledger
    from wage_guard.organisations.cli import organisations
    from wage_guard.payroll.cli import payroll
    from wage_guard.risk.cli import risk
    from wage_guard.signing.cli import signing

    for group in (accounts, organisations, demo, signing, contracts, ledger, payroll, risk, backup):
        app.cli.add_command(group)
