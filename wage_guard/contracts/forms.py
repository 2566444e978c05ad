"""Forms for issuing and changing contracts, and for the signing pages."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from wage_guard.contracts.lifecycle import KIND_LABELS, Kind
from wage_guard.i18n import _l

TERM_TYPES = [
    SelectChoice("task", _l("Until a defined task is completed")),
    SelectChoice("fixed", _l("Fixed term")),
    SelectChoice("open_ended", _l("Open-ended")),
]
PAY_FORMS = [
    SelectChoice("monthly", _l("Monthly wage")),
    SelectChoice("daily", _l("Daily wage")),
    SelectChoice("piece", _l("Piece rate")),
]


class OfferForm(FlaskForm):  # type: ignore[misc]
    """The terms a foreman fills in once for a batch of contracts."""

    term_type = SelectField(_l("Contract term"), choices=TERM_TYPES)
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    end_date = DateField(_l("End date (fixed term)"), validators=[Optional()])
    task_description = StringField(_l("The task (task-based term)"), validators=[Optional(), Length(max=300)])
    job_title = StringField(_l("Job"), validators=[DataRequired(), Length(max=64)])
    work_place = StringField(_l("Place of work"), validators=[DataRequired(), Length(max=256)])
    pay_form = SelectField(_l("Form of pay"), choices=PAY_FORMS)
    pay_amount = DecimalField(_l("Pay (yuan per month, day or piece)"), places=2, validators=[DataRequired(), NumberRange(min=0)])
    piece_unit = StringField(_l("Piece unit (piece rate)"), validators=[Optional(), Length(max=32)])
    probation_months = IntegerField(_l("Probation (months)"), default=0, validators=[Optional(), NumberRange(min=0, max=6)])
    probation_pay = DecimalField(_l("Probation pay (yuan)"), places=2, validators=[Optional(), NumberRange(min=0)])
    other_terms = TextAreaField(_l("Other agreed terms"), validators=[Optional(), Length(max=2000)])


class IssueForm(OfferForm):
    enrollment_ids = SelectMultipleField(_l("Workers"), coerce=int)


class ChangeForm(OfferForm):
    #: Lazy labels, translated when the page is drawn (``k.label`` would be translated once, at import, in English).
    kind = SelectField(_l("Change"), choices=[SelectChoice(k.value, KIND_LABELS[k]) for k in Kind if k is not Kind.ORIGINAL])


class CodeForm(FlaskForm):  # type: ignore[misc]
    code = StringField(_l("Verification code"), validators=[Length(max=8)])


class PlacementForm(FlaskForm):  # type: ignore[misc]
    """The seal position from the drag-and-drop page, as fractions of the page image."""

    page = IntegerField(validators=[Optional()])
    fx = FloatField(validators=[Optional()])
    fy = FloatField(validators=[Optional()])
    fw = FloatField(validators=[Optional()])
    fh = FloatField(validators=[Optional()])


class RefuseForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(_l("Why do you not want to sign?"), validators=[Length(max=500)])


class PhoneForm(FlaskForm):  # type: ignore[misc]
    phone = StringField(_l("Mobile phone number"), validators=[Length(max=32)])
