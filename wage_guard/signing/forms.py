"""Forms of the revocation pages: the worker's own report in the portal, and the foreman's in person."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField

from wage_guard.i18n import _l


class CompromiseForm(FlaskForm):  # type: ignore[misc]
    """The worker's report: which of the session's people (one phone may hold two), and the confirmation."""

    worker_id = HiddenField()
    confirm = BooleanField(
        _l("Someone else has, or may have, used my phone, my codes or my signing link. Revoke my signing certificate.")
    )


class InPersonRevocationForm(FlaskForm):  # type: ignore[misc]
    seen_id_card = BooleanField(_l("I have seen this person's ID card in person, and the name, number and photo match"))
