"""Forms of the wage-confirmation pages: the worker's answer and the foreman's exit settlement."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from wage_guard.i18n import _l


class AnswerForm(FlaskForm):  # type: ignore[misc]
    answer = RadioField(_l("Your answer"), choices=[], validate_choice=False)
    amount = StringField(_l("The amount you actually received (yuan, optional)"), validators=[Length(max=32)])
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=500)])


class SettlementForm(FlaskForm):  # type: ignore[misc]
    exit_date = DateField(_l("Exit date (left the site)"), validators=[Optional()])
    amount = StringField(_l("Final settlement amount (yuan)"), validators=[Length(max=32)])
    note = TextAreaField(_l("Settlement note (optional)"), validators=[Length(max=500)])
