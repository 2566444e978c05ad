"""Forms of the identity pages: the foreman's in-person decision, a new phone, an address, the old number's cancel."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length

from wage_guard.i18n import _l


class DecisionForm(FlaskForm):  # type: ignore[misc]
    seen_id_card = BooleanField(_l("I have seen this person's ID card in person, and the name, number and photo match"))
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=500)])


class NewPhoneForm(FlaskForm):  # type: ignore[misc]
    phone = StringField(_l("New mobile phone number"), validators=[Length(max=32)])


class CodeForm(FlaskForm):  # type: ignore[misc]
    code = StringField(_l("Verification code"), validators=[Length(max=8)])


class AddressForm(FlaskForm):  # type: ignore[misc]
    address = StringField(_l("Home address (as on the ID card)"), validators=[Length(max=256)])
    code = StringField(_l("Code from the worker's phone"), validators=[Length(max=8)])


class UnlockForm(FlaskForm):  # type: ignore[misc]
    seen_id_card = BooleanField(_l("I have seen this person's ID card in person, and the name, number and photo match"))


class CancelForm(FlaskForm):  # type: ignore[misc]
    """Only the CSRF token: pressing the button is the whole decision."""
