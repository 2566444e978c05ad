"""Forms for employers and staff accounts."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from wage_guard.i18n import _l


class EmployerForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=128)])
    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired(), Length(max=32)])
    legal_representative = StringField(_l("Legal representative"), validators=[DataRequired(), Length(max=64)])
    address = StringField(_l("Registered address"), validators=[DataRequired(), Length(max=256)])


class StaffForm(FlaskForm):  # type: ignore[misc]
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    role = SelectField(_l("Role"))
    employer_id = SelectField(_l("Employer"), coerce=int, validators=[Optional()])
    area_code = StringField(_l("Area code (inspectors)"), validators=[Optional(), Length(max=6)])
    phone = StringField(_l("Mobile phone number"), validators=[DataRequired(), Length(max=32)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=256)])
