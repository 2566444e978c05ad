"""Minimum wages by province tier, each county mapped to a tier, and the lookup the risk rules share.

Why: provinces set their minimum wage per tier (一档/二档/三档) and assign each county to a tier (最低工资规定
Art. 7); the site's county decides (实施条例 Art. 14). Keeping the province's figures once per tier means a new
standard is one row per tier rather than one per county. A county-specific row (``MinimumWage``, from the
divisions seed) still applies where it exists; the later of the two is in force, and a county row wins a tie.
The administrator edits both tables (admin page ``admin.minimum_wages``); figures never default to zero, so a
county without any stays "unknown" and the rules that need it are inconclusive.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from wage_guard.errors import ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.organisations.models import County, CountyWageTier, MinimumWage, TierMinimumWage

SHANDONG_2025 = "鲁政字〔2025〕140号"
BEIJING_2025 = "京人社劳发〔2025〕7号"
#: Beijing has one city-wide standard; its counties are all in this tier.
CITY_WIDE = "全市统一"
#: Confirmed figures (risk-rules.md, legal.md L-56): (province, tier, monthly, hourly, effective from, source).
SEED = (
    ("37", "一档", Decimal("2400"), Decimal("24"), date(2025, 10, 1), SHANDONG_2025),
    ("37", "二档", Decimal("2210"), Decimal("22"), date(2025, 10, 1), SHANDONG_2025),
    ("37", "三档", Decimal("2020"), Decimal("20"), date(2025, 10, 1), SHANDONG_2025),
    ("11", CITY_WIDE, Decimal("2540"), Decimal("14.6"), date(2025, 9, 1), BEIJING_2025),
)


def normalise_tier(label: str) -> str:
    """The seed CSV writes Beijing's tier as "全市统一(no tiers)"; the table keeps the plain name."""
    clean = label.strip()
    return CITY_WIDE if clean.startswith(CITY_WIDE) else clean


def seed_tier_wages() -> int:
    """Add the confirmed tier figures that are missing; returns how many were added."""
    added = 0
    for province, tier, monthly, hourly, effective_from, source in SEED:
        if _tier_row(province, tier, effective_from) is None:
            db.session.add(
                TierMinimumWage(
                    province_code=province,
                    tier=tier,
                    monthly=monthly,
                    hourly=hourly,
                    effective_from=effective_from,
                    source=source,
                )
            )
            added += 1
    db.session.flush()
    return added


def _tier_row(province: str, tier: str, effective_from: date) -> TierMinimumWage | None:
    query = sa.select(TierMinimumWage).where(
        TierMinimumWage.province_code == province,
        TierMinimumWage.tier == tier,
        TierMinimumWage.effective_from == effective_from,
    )
    return db.session.scalar(query)


def add_tier_wage(
    *, province_code: str, tier: str, monthly: Decimal, hourly: Decimal, effective_from: date, source: str
) -> TierMinimumWage:
    """Add a province's figure for a tier from a date.

    :raises ValidationFailed: for a bad province code, an empty tier, an amount not above zero or a duplicate.
    """
    province, clean_tier = province_code.strip(), normalise_tier(tier)
    if len(province) != 2 or not province.isdigit() or province == "00":
        raise ValidationFailed(_("The province code is the first two digits of a division code, e.g. 37."), field="province_code")
    if not clean_tier:
        raise ValidationFailed(_("This field is required."), field="tier")
    if monthly <= 0 or hourly <= 0:
        raise ValidationFailed(_("A minimum wage must be more than zero."), field="monthly")
    if _tier_row(province, clean_tier, effective_from) is not None:
        raise ValidationFailed(
            _("This tier already has a minimum wage from %(date)s.", date=effective_from.isoformat()), field="effective_from"
        )
    row = TierMinimumWage(
        province_code=province,
        tier=clean_tier,
        monthly=monthly,
        hourly=hourly,
        effective_from=effective_from,
        source=source.strip(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def set_county_tier(county_code: str, tier: str) -> CountyWageTier | None:
    """Put a county in one of its province's tiers; an empty tier removes the mapping (returns None).

    :raises ValidationFailed: for an unknown county or a tier its province has no figure for.
    """
    county = db.session.get(County, county_code.strip())
    if county is None:
        raise ValidationFailed(
            _("There is no county with the code %(code)s on this platform.", code=county_code), field="county_code"
        )
    clean = normalise_tier(tier)
    mapping = db.session.get(CountyWageTier, county.code)
    if not clean:
        if mapping is not None:
            db.session.delete(mapping)
            db.session.flush()
        return None
    if clean not in province_tiers(county.province_code[:2]):
        raise ValidationFailed(
            _("The province of %(county)s has no minimum wage for the tier %(tier)s.", county=county.name, tier=clean),
            field="tier",
        )
    if mapping is None:
        mapping = CountyWageTier(county_code=county.code, tier=clean)
        db.session.add(mapping)
    mapping.tier = clean
    db.session.flush()
    return mapping


def province_tiers(province_code: str) -> set[str]:
    query = sa.select(TierMinimumWage.tier).where(TierMinimumWage.province_code == province_code).distinct()
    return set(db.session.scalars(query))


def tier_wages() -> list[TierMinimumWage]:
    query = sa.select(TierMinimumWage).order_by(
        TierMinimumWage.province_code, TierMinimumWage.tier, TierMinimumWage.effective_from
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Standard:
    """A minimum wage in force: monthly and hourly amounts, from when, and where it comes from."""

    monthly: Decimal
    hourly: Decimal
    effective_from: date
    source: str


class WageBook:
    """Every minimum wage of a set of counties in memory: the rules look up (county, day) without a query each.

    The tables are small reference data (a few rows per county), read once per run.
    """

    def __init__(self, county_codes: set[str] | None = None) -> None:
        self._own: dict[str, list[Standard]] = defaultdict(list)
        self._tiered: dict[str, list[Standard]] = defaultdict(list)
        own = sa.select(MinimumWage).order_by(MinimumWage.effective_from)
        tiers = sa.select(CountyWageTier.county_code, TierMinimumWage).join(
            TierMinimumWage,
            sa.and_(
                TierMinimumWage.tier == CountyWageTier.tier,
                TierMinimumWage.province_code == sa.func.substr(CountyWageTier.county_code, 1, 2),
            ),
        )
        if county_codes is not None:
            own = own.where(MinimumWage.county_code.in_(county_codes))
            tiers = tiers.where(CountyWageTier.county_code.in_(county_codes))
        for row in db.session.scalars(own):
            self._own[row.county_code].append(_standard(row))
        for code, tier_row in db.session.execute(tiers.order_by(TierMinimumWage.effective_from)):
            self._tiered[code].append(_standard(tier_row))

    def counties(self) -> set[str]:
        """The counties with a known figure (their own or their tier's), at some date."""
        return {code for code, rows in (*self._own.items(), *self._tiered.items()) if rows}

    def highest(self) -> Decimal | None:
        """The largest monthly figure in the book: pay at or above it is above every county's minimum, any day."""
        figures = [row.monthly for rows in (*self._own.values(), *self._tiered.values()) for row in rows]
        return max(figures) if figures else None

    def on(self, county_code: str, day: date) -> Standard | None:
        """The standard in force in the county on ``day``: the later of its own and its tier's, own on a tie."""
        return pick(_latest(self._own[county_code], day), _latest(self._tiered[county_code], day))


def _standard(row: MinimumWage | TierMinimumWage) -> Standard:
    return Standard(Decimal(row.monthly), Decimal(row.hourly), row.effective_from, row.source)


def _latest(rows: list[Standard], day: date) -> Standard | None:
    index = bisect_right([r.effective_from for r in rows], day)
    return rows[index - 1] if index else None


def pick(own: Standard | None, tiered: Standard | None) -> Standard | None:
    """The county's own figure unless the tier's figure started later (the rule ``County.minimum_wage_on`` follows)."""
    if own is None or (tiered is not None and tiered.effective_from > own.effective_from):
        return tiered
    return own
