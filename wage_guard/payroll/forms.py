"""The wage-sheet upload form (the file itself is read by the view and checked by ``sheets.reading``)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import DataRequired

from wage_guard.i18n import _l

ACCEPT = ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"


class UploadForm(FlaskForm):  # type: ignore[misc]
    month = StringField(_l("Wage month"), validators=[DataRequired(message=_l("Choose the wage month."))])
    file = FileField(_l("Wage sheet (.xlsx or .csv)"))
