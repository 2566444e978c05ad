"""The confirmation engine: who is asked after an import, re-imports, answers, holds, reminders, settlements."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.confirmations.support import Row, import_month, messages_to
from tests.conftest import advance
from tests.factories import World, enrol_directly, id_number
from wage_guard import boundary, clock
from wage_guard.accounts.models import User
from wage_guard.codes.services import Requester
from wage_guard.confirmations import queries, services
from wage_guard.confirmations.models import Answer, Status, WageConfirmation
from wage_guard.enrollment.models import Enrollment
from wage_guard.errors import Conflict, Gone, ValidationFailed
from wage_guard.extensions import db
from wage_guard.identity import services as identity
from wage_guard.identity.models import CheckKind, CheckStatus, IdentityCheck
from wage_guard.ledger.models import LedgerEntry
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollImport, PayrollLine
from wage_guard.risk import line_bounds
from wage_guard.risk import services as risk_services

PHONE = "+8613700000001"  # 赵六, World.enrollment_b
WHO = Requester(ip_address="10.0.0.1", user_agent="test")


def _all() -> list[WageConfirmation]:
    return list(db.session.scalars(sa.select(WageConfirmation).order_by(WageConfirmation.id)))


def _second_worker(world: World) -> Enrollment:
    project = db.session.get(Project, world.project_b)
    assert project is not None
    return enrol_directly(project, "钱七", id_number("37032119900202003"), "+8613700000002")


def test_import_asks_each_roster_worker_and_nobody_else(app: Flask, world: World) -> None:
    with app.app_context():
        second = _second_worker(world)
        import_month(world.project_b, [Row(world.enrollment_b), Row(second.id, net="5000.00", gross="5300.00"), Row(None)])
        boundary.commit()
        confirmations = _all()
        assert [c.status for c in confirmations] == [Status.PENDING, Status.PENDING]
        assert {c.worker_id for c in confirmations} == {
            db.session.get(Enrollment, world.enrollment_b).worker_id,
            second.worker_id,
        }  # type: ignore[union-attr]
        lines = db.session.scalars(sa.select(PayrollLine).order_by(PayrollLine.id)).all()
        assert queries.status_by_line([line.id for line in lines]) == {lines[0].id: "pending", lines[1].id: "pending"}
    [body] = messages_to(app, PHONE)
    assert "2026-10" in body
    assert "/w/" in body


def test_reimport_keeps_unchanged_lines_and_asks_again_where_the_line_changed(app: Flask, world: World) -> None:
    with app.app_context():
        second = _second_worker(world)
        import_month(world.project_b, [Row(world.enrollment_b), Row(second.id)])
        first, other = _all()
        services.answer(first, "received", via="link", now=clock.utcnow(), requester=WHO)
        boundary.commit()
        import_month(world.project_b, [Row(world.enrollment_b), Row(second.id, net="4400.00", deductions="400.00")])
        boundary.commit()
        moved, superseded, fresh = _all()
        assert moved.id == first.id
        assert moved.status is Status.ANSWERED
        assert moved.line is not None
        assert moved.line.payroll_import.superseded_at is None
        assert superseded.status is Status.SUPERSEDED
        assert fresh.status is Status.PENDING
        assert fresh.is_correction
    assert len(messages_to(app, PHONE)) == 1  # nothing new for the unchanged line
    assert "corrected" in messages_to(app, "+8613700000002")[-1] or "更正" in messages_to(app, "+8613700000002")[-1]


def test_reimport_without_a_worker_supersedes_their_open_request(app: Flask, world: World) -> None:
    with app.app_context():
        import_month(world.project_b, [Row(world.enrollment_b)])
        import_month(world.project_b, [Row(None)])
        boundary.commit()
        [only] = _all()
        assert only.status is Status.SUPERSEDED
        assert queries.counts_by_project_month([world.project_b]) == []


@pytest.mark.parametrize(
    ("choice", "amount", "dispute", "claimed"),
    [("received", "9", False, None), ("not_received", "", True, None), ("wrong_amount", "¥3,800.50元", True, Decimal("3800.50"))],
)
def test_answers_are_logged_and_disputes_counted(
    app: Flask, world: World, choice: str, amount: str, dispute: bool, claimed: Decimal | None
) -> None:
    with app.app_context():
        import_month(world.project_b, [Row(world.enrollment_b)])
        [confirmation] = _all()
        services.answer(
            confirmation, choice, note="  少了  加班费 ", amount=amount, via="link", now=clock.utcnow(), requester=WHO
        )
        boundary.commit()
        assert confirmation.claimed_amount == claimed
        assert confirmation.note == "少了 加班费"
        [counts] = queries.counts_by_project_month([world.project_b])
        assert (counts.lines, counts.disputed, counts.unanswered) == (1, int(dispute), 0)
        assert [c.id for c in queries.open_disputes([world.project_b])] == ([confirmation.id] if dispute else [])
        entry = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.kind == "wage_confirmation_answered")).one()
        assert choice in entry.payload
        assert "加班费" not in entry.payload  # the public log holds a keyed hash of the note, never the note


def test_an_answer_is_given_once_and_must_fit(app: Flask, world: World) -> None:
    with app.app_context():
        import_month(world.project_b, [Row(world.enrollment_b)])
        [confirmation] = _all()
        with pytest.raises(ValidationFailed):
            services.answer(confirmation, "settled", via="link", now=clock.utcnow(), requester=WHO)
        with pytest.raises(ValidationFailed) as bad_amount:
            services.answer(confirmation, "wrong_amount", amount="三千", via="link", now=clock.utcnow(), requester=WHO)
        assert bad_amount.value.errors == {"amount": bad_amount.value.message}
        with pytest.raises(ValidationFailed):
            services.answer(confirmation, "received", note="x" * 501, via="link", now=clock.utcnow(), requester=WHO)
        services.answer(confirmation, "received", via="link", now=clock.utcnow(), requester=WHO)
        with pytest.raises(Conflict):
            services.answer(confirmation, "not_received", via="portal", now=clock.utcnow(), requester=WHO)
        assert confirmation.answer is Answer.RECEIVED


def test_a_superseded_request_cannot_be_answered(app: Flask, world: World) -> None:
    with app.app_context():
        import_month(world.project_b, [Row(world.enrollment_b)])
        import_month(world.project_b, [Row(world.enrollment_b, net="1.00", gross="301.00")])
        old = _all()[0]
        with pytest.raises(Gone):
            services.answer(old, "received", via="link", now=clock.utcnow(), requester=WHO)


def test_a_worker_with_an_open_phone_change_is_held_then_texted_when_it_clears(app: Flask, world: World) -> None:
    with app.app_context():
        entry = db.session.get(Enrollment, world.enrollment_b)
        assert entry is not None
        check_id = identity.open_check(
            CheckKind.PHONE_CHANGE, entry.project, phone="+8613700000099", worker=entry.worker, now=clock.utcnow()
        ).id
        import_month(world.project_b, [Row(world.enrollment_b)])
        boundary.commit()
        [held] = _all()
        assert held.status is Status.HELD
        assert services.send_reminders(now=advance(days=1)) == 0
        boundary.commit()
    assert messages_to(app, PHONE) == []
    with app.app_context():
        check = db.session.get(IdentityCheck, check_id)
        assert check is not None
        check.status = CheckStatus.REJECTED
        assert services.send_reminders(now=clock.utcnow()) == 1
        boundary.commit()
        assert _all()[0].status is Status.PENDING
    assert len(messages_to(app, PHONE)) == 1


def test_settlement_records_exit_and_asks_the_worker(app: Flask, world: World) -> None:
    with app.app_context():
        entry = db.session.get(Enrollment, world.enrollment_b)
        foreman = db.session.get(User, world.users["foreman_b"])
        assert entry is not None
        assert foreman is not None
        today = clock.china_date(clock.utcnow())
        with pytest.raises(ValidationFailed) as missing:
            services.record_settlement(foreman, entry, exit_date=None, amount="", note="", now=clock.utcnow())
        assert set(missing.value.errors) == {"exit_date", "amount"}
        with pytest.raises(ValidationFailed):
            services.record_settlement(
                foreman, entry, exit_date=today + timedelta(days=1), amount="1", note="", now=clock.utcnow()
            )
        first = services.record_settlement(foreman, entry, exit_date=today, amount="8,600", note="含10月工资", now=clock.utcnow())
        second = services.record_settlement(foreman, entry, exit_date=today, amount="8700", note="", now=clock.utcnow())
        boundary.commit()
        assert entry.exit_date == today
        assert first.superseded_at is not None
        assert second.superseded_at is None
        old, new = _all()
        assert (old.status, new.status, new.settlement_id) == (Status.SUPERSEDED, Status.PENDING, second.id)
        services.answer(new, "settlement_disputed", amount="9000", via="link", now=clock.utcnow(), requester=WHO)
        assert queries.open_disputes([world.project_b]) == [new]
        [(listed, settlement)] = queries.settlements_of([world.project_b])
        assert listed.id == entry.id
        assert settlement is not None
        assert settlement.amount == Decimal("8700.00")
    assert "settlement" in messages_to(app, PHONE)[-1] or "结清" in messages_to(app, PHONE)[-1]


def test_month_is_stored_as_the_sheet_month(app: Flask, world: World) -> None:
    with app.app_context():
        import_month(world.project_b, [Row(world.enrollment_b)], month=date(2026, 9, 1))
        assert _all()[0].month == date(2026, 9, 1)


def test_answers_and_carried_answers_reach_the_lines_risk_bounds(app: Flask, world: World) -> None:
    """R11's shared pass reads ``PayrollLine.answered``: an answer marks the line stale, and a re-import that
    carries the answer to the new line gives the new line the answer when its bounds are computed."""

    def bounds() -> list[tuple[bool, bool | None]]:
        query = (
            sa.select(PayrollLine.bounds_stale, PayrollLine.answered)
            .join(PayrollLine.payroll_import)
            .where(PayrollImport.superseded_at.is_(None))
        )
        return [(row.bounds_stale, row.answered) for row in db.session.execute(query)]

    with app.app_context():
        scope = risk_services.make_scope(now=clock.utcnow())
        import_month(world.project_b, [Row(world.enrollment_b)])
        line_bounds.refresh(scope)
        assert bounds() == [(False, False)]
        [request] = _all()
        services.answer(request, "received", via="link", now=clock.utcnow(), requester=WHO)
        assert bounds() == [(True, False)]
        line_bounds.refresh(scope)
        assert bounds() == [(False, True)]
        boundary.commit()
        import_month(world.project_b, [Row(world.enrollment_b)])  # the same line again: the answer is carried
        assert bounds() == [(True, None)]
        line_bounds.refresh(scope)
        assert bounds() == [(False, True)]
