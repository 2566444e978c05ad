"""The administrator's minimum-wage page: the provinces' figures per tier, and which tier each county is in.

Why a page: new standards come every two years or so per province (最低工资规定 Art. 10), and the rules that
compare pay with the minimum (R02, R06) are inconclusive until the site county's figure is known; the
administrator enters it here rather than through a release. It sits with the risk engine, the figures' main reader.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from wage_guard import boundary
from wage_guard.accounts.models import Role
from wage_guard.errors import WageGuardError
from wage_guard.i18n import _
from wage_guard.organisations import minimum_wages, services
from wage_guard.risk.forms import CountyTierForm, TierWageForm
from wage_guard.security import role_required

bp = Blueprint("minimum_wages", __name__, url_prefix="/admin/minimum-wages")
TEMPLATE = "admin/minimum_wages.html"


def _context(form: TierWageForm, county_form: CountyTierForm) -> dict[str, object]:
    counties = services.list_counties()
    county_form.county_code.choices = [(c.code, f"{c.code} {c.name}") for c in counties]
    return {"form": form, "county_form": county_form, "wages": minimum_wages.tier_wages(), "counties": counties}


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def index():  # type: ignore[no-untyped-def]
    """List the tier figures and county tiers; add a province's figure for a tier."""
    form, county_form = TierWageForm(), CountyTierForm(formdata=None)
    context = _context(form, county_form)
    if not form.validate_on_submit():
        return render_template(TEMPLATE, **context), 422 if form.is_submitted() else 200
    try:
        minimum_wages.add_tier_wage(**{k: v for k, v in form.data.items() if k != "csrf_token"})
    except WageGuardError as error:
        return boundary.failed_form(TEMPLATE, error, **context)
    boundary.commit()
    flash(_("The minimum wage has been added."), "info")
    return redirect(url_for("minimum_wages.index"))


@bp.post("/county")
@role_required(Role.ADMIN)
def county_tier():  # type: ignore[no-untyped-def]
    """Put a county in a tier of its province (or take it out of every tier)."""
    form, county_form = TierWageForm(formdata=None), CountyTierForm()
    context = _context(form, county_form)
    if not county_form.validate_on_submit():
        return render_template(TEMPLATE, **context), 422
    try:
        minimum_wages.set_county_tier(county_form.county_code.data, county_form.tier.data or "")
    except WageGuardError as error:
        return boundary.failed_form(TEMPLATE, error, county_errors=True, **context)
    boundary.commit()
    flash(_("The county's minimum-wage tier has been saved."), "info")
    return redirect(url_for("minimum_wages.index"))
