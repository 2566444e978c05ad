"""``flask ledger verify`` as the operator runs it after a fault, for the fault tests (issue #14: "``ledger verify``
passes after every fault")."""

from __future__ import annotations

import re

from flask import Flask

from jobs.ledger import integrate_ledger
from jobs.runner import run_job

_VERIFIED = re.compile(r"ok: (\d+) entries and (\d+) tree heads verified\n")


def ledger_verifies(app: Flask) -> int:
    """Run the sequencer job once, as the scheduler would after the fault, then ``flask ledger verify``.

    Asserts exit code 0 and that its output is the one success line: no step is left queued, so none goes
    unverified. Returns the number of entries verified, for the caller to check that the fault and the recovery
    wrote to the log (an empty log verifies trivially)."""
    run_job(app, integrate_ledger, quiet=True)
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    verified = _VERIFIED.fullmatch(result.output)
    assert verified is not None, result.output
    return int(verified.group(1))
