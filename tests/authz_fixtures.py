"""Project B's world (``tests.authz_world``) as fixtures, built once per module: the authorization matrix and the
API tests import them."""

from __future__ import annotations

import pytest
from flask import Flask

from tests import authz_world
from tests.authz_world import ObjectWorld


@pytest.fixture(scope="module")
def _built(app: Flask) -> tuple[ObjectWorld, authz_world.Snapshot]:
    return authz_world.build_once(app)


@pytest.fixture
def objects(app: Flask, _built: tuple[ObjectWorld, authz_world.Snapshot]) -> ObjectWorld:
    world, rows = _built
    authz_world.restore(app, rows)
    return world
