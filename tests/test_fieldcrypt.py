"""Field encryption in bulk (payroll imports): the column-wise helpers give what the one-value functions give."""

from __future__ import annotations

from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from wage_guard import fieldcrypt

values = st.lists(st.text(max_size=40), max_size=30)


@settings(max_examples=30)
@given(values)
def test_blind_indexes_match_one_by_one(app: Flask, texts: list[str]) -> None:
    with app.app_context():
        assert fieldcrypt.blind_indexes(texts, "id_number") == [fieldcrypt.blind_index(t, "id_number") for t in texts]
        other_context = fieldcrypt.blind_indexes(texts, "payee")
        assert all(a != b for a, b in zip(other_context, fieldcrypt.blind_indexes(texts, "id_number"), strict=True))


@settings(max_examples=30)
@given(st.lists(st.one_of(st.none(), st.text(max_size=40)), max_size=30))
def test_seal_many_decrypts_to_the_values_with_fresh_nonces(app: Flask, texts: list[str | None]) -> None:
    with app.app_context():
        sealed = fieldcrypt.seal_many(texts, "payroll_line.name")
        assert [None if blob is None else fieldcrypt.decrypt(blob, "payroll_line.name") for blob in sealed] == texts
        nonces = [blob[1:13] for blob in sealed if blob is not None]
        assert len(set(nonces)) == len(nonces)
