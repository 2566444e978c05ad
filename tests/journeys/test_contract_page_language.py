"""The foreman's contract page is in the chosen language throughout (the change kinds were English before)."""

from __future__ import annotations

from flask import Flask

from tests.factories import login
from tests.journeys.conftest import SigningWorld
from tests.journeys.test_signing_journey import sign_one


def test_change_kinds_follow_the_language(app: Flask, signing_world: SigningWorld) -> None:
    contract_id = sign_one(app, signing_world)
    foreman = app.test_client()
    login(foreman, "foreman_a")
    url = f"/projects/{signing_world.base.project_a}/contracts/{contract_id}"
    chinese = foreman.get(url).get_data(as_text=True)
    assert "续订劳动合同" in chinese
    assert "变更劳动合同" in chinese
    assert ">Renewal<" not in chinese
    assert ">Amendment<" not in chinese
    english = foreman.get(url + "?lang=en").get_data(as_text=True)
    assert ">Renewal<" in english
