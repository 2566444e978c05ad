"""The administrator's form to issue an API token."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from wage_guard.api.services import DEFAULT_DAYS, MAX_DAYS, NAME_LIMIT
from wage_guard.i18n import _l


class IssueTokenForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=NAME_LIMIT)])
    holder_id = SelectField(_l("Held by (staff account)"), coerce=int, validators=[DataRequired()])
    employer_id = SelectField(_l("Employer"), coerce=int, validators=[Optional()])
    county_code = SelectField(_l("County"), validators=[Optional()])
    valid_days = IntegerField(_l("Valid for (days)"), default=DEFAULT_DAYS, validators=[Optional(), NumberRange(1, MAX_DAYS)])
