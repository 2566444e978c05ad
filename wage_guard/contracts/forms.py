"""Forms for issuing and changing contracts, and for the signing pages."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
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

from wage_guard.contracts import rules
from wage_guard.contracts.lifecycle import KIND_LABELS, NOTICES, Kind
from wage_guard.contracts.severance import GROUNDS
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
    #: One checkbox per warning the foreman confirms (``rules.Effect.CONFIRM``); shown only with its warning.
    confirm_backdated = BooleanField(_l("I have checked: the start date is the real first day of work"))
    confirm_minimum_wage = BooleanField(_l("I have checked the local minimum wage myself; issue with the note"))

    def confirmed(self) -> frozenset[str]:
        """The codes of the warnings the foreman ticked."""
        return frozenset(code for code, name in CONFIRMATIONS.items() if self[name].data)


#: Rule code -> the IssueForm checkbox that confirms its warning.
CONFIRMATIONS = {rules.BACKDATED_START: "confirm_backdated", rules.MINIMUM_WAGE_UNKNOWN: "confirm_minimum_wage"}


class ChangeForm(OfferForm):
    #: Lazy labels, translated when the page is drawn (``k.label`` would be translated once, at import, in English).
    kind = SelectField(
        _l("Change"), choices=[SelectChoice(k.value, KIND_LABELS[k]) for k in Kind if k is not Kind.ORIGINAL and k not in NOTICES]
    )


class NoticeForm(FlaskForm):  # type: ignore[misc]
    """The employer's one-sided notice: the legal ground decides termination or rescission (contracts.endings)."""

    ground = SelectField(
        _l("Legal ground"),
        choices=[SelectChoice(g.code, g.label) for g in GROUNDS.values()],  # type: ignore[arg-type]
    )
    effective_date = DateField(_l("Effective date (the contract ends on this day)"), validators=[Optional()])
    reason = TextAreaField(_l("Facts and reason"), validators=[Optional(), Length(max=2000)])
    pay_in_lieu = BooleanField(_l("Pay one month's wage instead of 30 days' notice (Art. 40)"))
    renewal_refused = BooleanField(
        _l("We offered a renewal on the same or better terms and the worker refused (no severance, Art. 46(5))")
    )
    arrangements = TextAreaField(_l("Other arrangements (final wages, handover)"), validators=[Optional(), Length(max=2000)])


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
