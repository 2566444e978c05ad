"""Ending sessions: a per-person session version that every session carries and every request checks.

Flask's session is a signed cookie held by the browser, so "logging out" by clearing it does nothing to a copy
taken before (from a shared phone, a backup, malware). Each person therefore has a ``session_version``: staff
sessions carry it in Flask-Login's user id (``"<id>:<version>"``, :meth:`User.get_id`), worker-portal sessions
next to each worker id. Raising the version ends every session of that person at once, wherever the copies are:
on logout, password change, deactivation, and a change of phone number (also when the phone is changed directly
on the model: see :func:`_phone_changed`).

Cookies carry no personal data: ids, versions, timestamps and random handles only. Flask-Login's session
protection identifier, an unkeyed hash of the client's address and browser, becomes a keyed one.

These functions take no web objects and never commit (Flask-Login's keyed client identifier is
``security.session_identifier``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from wage_guard.accounts.models import User
from wage_guard.enrollment.models import Worker
from wage_guard.extensions import db

#: A worker-portal session: ``[worker id, session version]`` for each worker with the proven phone.
PortalToken = list[list[int]]


def load_user(token: str) -> User | None:
    """Flask-Login's user loader: the user of ``"<id>:<version>"`` if that version is current and the account enabled."""
    user_id, _, version = str(token).partition(":")
    if not user_id.isdigit() or not version.isdigit() or int(user_id) >= 2**31:
        return None  # also every session from before versions existed
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_enabled or (user.session_version or 0) != int(version):
        return None
    return user


def end_user_sessions(user: User) -> None:
    """End every session of this staff member (logout, password change, deactivation, phone change)."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def end_worker_sessions(worker: Worker) -> None:
    """End every worker-portal session that includes this worker (portal logout, phone change).

    The caller commits. A session shared by several workers (one phone, a couple) ends as a whole.
    """
    worker.session_version = (worker.session_version or 0) + 1
    db.session.flush()


def portal_token(workers: Iterable[Worker]) -> PortalToken:
    """What a worker-portal session keeps: ids and session versions, no phone number."""
    return [[worker.id, worker.session_version or 0] for worker in workers]


def portal_workers(token: Any) -> list[int] | None:
    """The worker ids of a portal session, or ``None`` when it is malformed or any of its workers' sessions ended."""
    try:
        pairs = {int(worker_id): int(version) for worker_id, version in token}
    except (TypeError, ValueError):
        return None
    if not pairs or not all(0 < worker_id < 2**31 for worker_id in pairs):
        return None
    rows = db.session.execute(sa.select(Worker.id, Worker.session_version).where(Worker.id.in_(pairs))).all()
    current = {worker_id: version for worker_id, version in rows}
    if any((current.get(worker_id) is None) or (current[worker_id] or 0) != version for worker_id, version in pairs.items()):
        return None
    return sorted(pairs)


def end_portal_session(worker_ids: Sequence[int]) -> None:
    """Portal logout: end every portal session of these workers, this one and any copy of it."""
    for worker in db.session.scalars(sa.select(Worker).where(Worker.id.in_(list(worker_ids)))):
        end_worker_sessions(worker)


@sa.event.listens_for(Worker.phone_index, "set", active_history=True)
def _phone_changed(worker: Worker, value: object, old: object, _initiator: object) -> None:
    """A worker's phone number changed: whoever held the old phone keeps no portal session."""
    if isinstance(old, str) and value != old:
        worker.session_version = (worker.session_version or 0) + 1


@sa.event.listens_for(User.phone, "set", active_history=True)
def _staff_phone_changed(user: User, value: object, old: object, _initiator: object) -> None:
    """A staff member's second-factor phone changed: every session ends, so the new phone must log in anew."""
    if isinstance(old, str) and value != old:
        user.session_version = (user.session_version or 0) + 1
