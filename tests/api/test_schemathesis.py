"""Schemathesis against ``/api/v1/openapi.json``: generated requests for every operation, with a county token that
sees project B's real contracts and flags. Every response must be documented and match its schema, and none may be
a server error. Runs in CI (the README's test command) on SQLite and PostgreSQL.

Each operation is tried three ways: valid requests with any ids, valid requests on B's own objects (so the
successful responses are checked too, not only 404s) and invalid requests (wrong types, out-of-range numbers,
bodies that break the schema). The operations are driven from Hypothesis directly: schemathesis' pytest fixture
loader does not run under this pytest.

One check is left out for one operation: "schema-valid data is accepted" for a flag's workflow step. Whether a step
is allowed depends on the flag's state (a resolved flag cannot be acknowledged), on the engine (resolving a flag whose
condition holds needs a reason) and on who the assignee is; no schema can say that, so a well-formed step may be
refused with 422 and the field named. Every other check runs on it, and every check on every other operation.

The examples are derandomized (the same ones every run), so that CI cannot pass one day and fail the next on the
same code; a new operation or schema change brings new examples.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

from tests.api.support import issue_token
from tests.authz_fixtures import _built, objects  # noqa: F401 - fixtures
from tests.authz_world import ObjectWorld

EXAMPLES = 25


def _b_ids(world: ObjectWorld) -> dict[str, int]:
    return {
        "project_id": world.base.project_b,
        "contract_id": world.contracts_b["signed"],
        "finding_id": world.findings_b[0],
    }


def _operations(app: Flask) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _exercise(operation: Any, strategy: Any, token: str) -> None:
    stateful_rules = [positive_data_acceptance] if operation.method.upper() == "POST" else []

    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    def run(case: Any) -> None:
        # A case whose headers were made invalid on purpose (the bearer token left out or garbled) is sent as it is:
        # adding the token would make it a valid request that the check then expects to be refused.
        garbled = case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)
        headers = {} if garbled else {"Authorization": f"Bearer {token}"}
        case.call_and_validate(headers=headers, excluded_checks=stateful_rules)

    run()


@pytest.mark.parametrize("mode", ["valid, any ids", "valid, project B's objects", "invalid"])
def test_the_api_keeps_to_its_document(app: Flask, objects: ObjectWorld, mode: str) -> None:
    token = issue_token(app, "inspector_y", county="370321")
    operations = _operations(app)
    assert len(operations) >= 12
    for operation in operations:
        if mode == "invalid":
            strategy = operation.as_strategy(GenerationMode.NEGATIVE)
        elif mode == "valid, any ids":
            strategy = operation.as_strategy()
        else:
            names = {p.name for p in operation.path_parameters}
            strategy = operation.as_strategy(path_parameters={k: v for k, v in _b_ids(objects).items() if k in names})
        _exercise(operation, strategy, token)
