"""The worker's enrolment form and the code form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from wage_guard.enrollment.trades import TRADES
from wage_guard.i18n import _l


class EnrollmentForm(FlaskForm):  # type: ignore[misc]
    """Field checks live in the service (one set of messages for web, API and tests); only lengths here."""

    name = StringField(_l("Full name"), validators=[Length(max=64)])
    id_number = StringField(_l("ID card number"), validators=[Length(max=32)])
    phone = StringField(_l("Mobile phone number"), validators=[Length(max=32)])
    trade = SelectField(_l("Trade"), choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in TRADES.items()])
    address = StringField(_l("Home address (needed for your contract)"), validators=[Length(max=256)])
    consent = BooleanField(_l("I have read the privacy notice and agree"))


class CodeForm(FlaskForm):  # type: ignore[misc]
    code = StringField(_l("Verification code"), validators=[Length(max=8)])


class RosterEntryForm(FlaskForm):  # type: ignore[misc]
    """A foreman's changes to one roster entry."""

    crew_id = SelectField(_l("Crew"), coerce=int)
    trade = SelectField(_l("Trade"), choices=[SelectChoice(k, v) for k, v in TRADES.items()])
    exit_date = DateField(_l("Exit date (left the site)"), validators=[Optional()])
