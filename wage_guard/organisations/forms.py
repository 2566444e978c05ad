"""Project and crew forms."""

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from wage_guard.i18n import _l


class ProjectForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Project name"), validators=[DataRequired(), Length(max=128)])
    address = StringField(_l("Site address"), validators=[DataRequired(), Length(max=256)])
    county_code = SelectField(_l("County"), validators=[DataRequired()])
    employer_id = SelectField(_l("Employer of the workers"), coerce=int, validators=[DataRequired()])
    pay_day = IntegerField(_l("Monthly pay day"), validators=[DataRequired(), NumberRange(min=1, max=31)])
    developer_name = StringField(_l("Developer (建设单位)"), validators=[Optional(), Length(max=128)])
    general_contractor_name = StringField(_l("General contractor"), validators=[Optional(), Length(max=128)])
    labour_officer_name = StringField(_l("Labour-affairs officer"), validators=[Optional(), Length(max=64)])
    labour_officer_phone = StringField(_l("Labour-affairs officer's phone"), validators=[Optional(), Length(max=32)])


class CrewForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Crew name"), validators=[DataRequired(), Length(max=64)])
    leader_name = StringField(_l("Crew leader"), validators=[Optional(), Length(max=64)])


class ManagerForm(FlaskForm):  # type: ignore[misc]
    user_id = SelectField(_l("Foreman"), coerce=int, validators=[DataRequired()])


class CompletionForm(FlaskForm):  # type: ignore[misc]
    completed_on = DateField(_l("Completion date (竣工)"), validators=[DataRequired()])


class SettlementForm(FlaskForm):  # type: ignore[misc]
    wages_settled_on = DateField(_l("Every wage settled on"), validators=[DataRequired()])
