"""Forms of the administrator's minimum-wage page (``risk.views``)."""

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from wage_guard.i18n import _l


class TierWageForm(FlaskForm):  # type: ignore[misc]
    province_code = StringField(_l("Province code (first two digits)"), validators=[DataRequired(), Length(min=2, max=2)])
    tier = StringField(_l("Tier"), validators=[DataRequired(), Length(max=32)])
    monthly = DecimalField(_l("Monthly minimum (yuan)"), places=2, validators=[DataRequired(), NumberRange(min=0, max=100000)])
    hourly = DecimalField(_l("Hourly minimum (yuan)"), places=2, validators=[DataRequired(), NumberRange(min=0, max=10000)])
    effective_from = DateField(_l("In force from"), validators=[DataRequired()])
    source = StringField(_l("Government document"), validators=[Optional(), Length(max=200)])


class CountyTierForm(FlaskForm):  # type: ignore[misc]
    county_code = SelectField(_l("County"), validators=[DataRequired()])
    tier = StringField(_l("Tier (empty: none)"), validators=[Optional(), Length(max=32)])
