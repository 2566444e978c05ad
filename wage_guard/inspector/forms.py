"""The flag workflow's form: one action, with its note, on one flag or a selection."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from wage_guard.i18n import _l
from wage_guard.inspector.services import NOTE_LIMIT, Action

ACTIONS = [
    SelectChoice(Action.ACKNOWLEDGE.value, _l("Acknowledge")),
    SelectChoice(Action.INVESTIGATE.value, _l("Investigate")),
    SelectChoice(Action.RESOLVE.value, _l("Resolve")),
    SelectChoice(Action.DISMISS.value, _l("Dismiss")),
    SelectChoice(Action.ASSIGN.value, _l("Assign to an inspector")),
]


class FlagActionForm(FlaskForm):
    finding_ids = SelectMultipleField(_l("Flags"), coerce=int, validate_choice=False, validators=[DataRequired()])
    action = SelectField(_l("Action"), choices=ACTIONS, validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(min=2, max=NOTE_LIMIT)])
    reason = TextAreaField(_l("Why resolved although it still holds"), validators=[Optional(), Length(max=NOTE_LIMIT)])
    assignee_id = IntegerField(_l("Inspector"), validators=[Optional()])
