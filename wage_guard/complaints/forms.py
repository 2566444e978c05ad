"""Forms for reporting unpaid wages (poster and portal) and for closing a complaint."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from wage_guard.i18n import _l


class PortalComplaintForm(FlaskForm):  # type: ignore[misc]
    project_id = SelectField(_l("Project"), choices=[], validate_choice=False)
    months = StringField(_l("Unpaid months (e.g. 2026-09, 2026-10)"), validators=[Length(max=200)])
    amount = StringField(_l("Unpaid amount (yuan)"), validators=[Length(max=32)])
    note = TextAreaField(_l("What happened (optional)"), validators=[Length(max=500)])


class PosterComplaintForm(PortalComplaintForm):
    name = StringField(_l("Your name"), validators=[Length(max=64)])
    phone = StringField(_l("Mobile phone number"), validators=[Length(max=32)])


class CloseForm(FlaskForm):  # type: ignore[misc]
    resolution = TextAreaField(_l("How was it resolved?"), validators=[Length(max=500)])
