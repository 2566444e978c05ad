"""Slow down password guessing per (username, client) instead of locking accounts, and tell the holder.

Why not a lock-out per account: anyone who knows a username could then lock its owner out (five wrong
passwords from anywhere), and a lock that only known usernames get tells an outsider which usernames exist.
Here, instead:

- **per (username, client)**: the first ``LOGIN_FREE_FAILURES`` failures cost nothing; after each further one
  the same username from the same client (IPv4 address, or IPv6 /64 network) must wait 2, 4, 8 ... seconds, up
  to ``LOGIN_MAX_DELAY``. A stranger slows only their own guesses: the real user on another client is never
  held up.
- **per username, from every client**: ``LOGIN_ALERT_FAILURES`` failures within ``LOGIN_FAILURE_WINDOW`` send the
  account holder one SMS notice per window. Delivery waits for the scheduler, so that no request of the attacker
  waits for the SMS provider (which would time a known username apart from an unknown one).
- **alike for unknown usernames**: rows are keyed by keyed hashes (never a username or an address in clear), and
  an unknown username goes through exactly the same reads and writes as a known one, with the same answers.

The counters live in the database, so every web process shares them. Password checks for one (username, client)
pair are serialised by a row lock (PostgreSQL ``FOR UPDATE``), so parallel guesses cannot slip past a block.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from wage_guard import clock
from wage_guard.accounts.models import LoginThrottle, User
from wage_guard.errors import TooManyRequests
from wage_guard.extensions import db
from wage_guard.fieldcrypt import blind_index
from wage_guard.i18n import _
from wage_guard.settings import settings
from wage_guard.sms import services as sms

#: The SMS template that tells an account holder about failed logins.
ALERT_TEMPLATE = "login_alert"


@dataclass(frozen=True)
class Attempt:
    """A password check that the throttle let through; report its outcome with :func:`failed` or :func:`succeeded`."""

    pair_key: str
    account_key: str


def delay_after(failures: int, *, free: int, cap: timedelta) -> timedelta:
    """How long a (username, client) pair waits after its ``failures``-th failure: 0, then 2, 4, 8 s ... ``cap``."""
    if failures < free:
        return timedelta(0)
    exponent = min(failures - free + 1, 40)  # 2**40 s is past any sensible cap; no huge integers
    return min(timedelta(seconds=2**exponent), cap)


def client_network(ip_address: str | None) -> str:
    """The client part of a pair key: an IPv4 address, or the /64 network of an IPv6 address (one host's share)."""
    try:
        address = ipaddress.ip_address((ip_address or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def begin(username: str, client: str | None, *, now: datetime) -> Attempt:
    """Let a password check for ``username`` from ``client`` go ahead, or refuse it while the pair must wait.

    :raises TooManyRequests: naming how many seconds are left; the same for known and unknown usernames.
    """
    name = username.strip().lower()
    attempt = Attempt(pair_key=_key("pair", name, client_network(client)), account_key=_key("account", name))
    pair = _locked_row(attempt.pair_key)
    if pair is not None and pair.blocked_until is not None and clock.as_utc(pair.blocked_until) > now:
        wait = max(1, int((clock.as_utc(pair.blocked_until) - now).total_seconds() + 0.999))
        raise TooManyRequests(
            _("Too many failed logins for this username from your network. Please wait %(s)d seconds and try again.", s=wait),
            field="password",
        )
    return attempt


def failed(attempt: Attempt, user: User | None, *, now: datetime) -> None:
    """Count a failed password check: slow the pair down, and tell the account holder after repeated failures."""
    config = settings()
    pair = _count(attempt.pair_key, now, idle_resets=True)
    pair.blocked_until = now + delay_after(pair.failures, free=config.login_free_failures, cap=config.login_max_delay)
    account = _count(attempt.account_key, now, idle_resets=False)
    window = config.login_failure_window
    due = account.alerted_at is None or now - clock.as_utc(account.alerted_at) >= window
    if account.failures >= config.login_alert_failures and due:
        # Marked for unknown usernames too: the same writes whether or not anyone can be told.
        account.alerted_at = now
        if user is not None and user.phone:
            hours = int(window.total_seconds() // 3600)
            sms.queue_for_scheduler(user.phone, ALERT_TEMPLATE, count=account.failures, hours=hours)
    db.session.flush()


def succeeded(attempt: Attempt) -> None:
    """A right password: this client starts afresh for this username (the account's count for notices stays)."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key_hash == attempt.pair_key))


def purge(*, now: datetime) -> int:
    """Forget counters idle for longer than the window (the scheduler's job); returns how many rows went."""
    window = settings().login_failure_window
    cap = settings().login_max_delay
    result = db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - max(window, cap)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _key(kind: str, *parts: str) -> str:
    return blind_index("\x00".join((kind, *parts)), "login-throttle")


def _locked_row(key: str) -> LoginThrottle | None:
    query = sa.select(LoginThrottle).where(LoginThrottle.key_hash == key).with_for_update()
    row: LoginThrottle | None = db.session.scalar(query.execution_options(populate_existing=True))
    return row


def _count(key: str, now: datetime, *, idle_resets: bool) -> LoginThrottle:
    """Add one failure to the row of ``key`` (created if missing, also by a concurrent request).

    Pairs start over only after a whole window without failures (a client that keeps guessing stays at the cap);
    accounts count the failures within a fixed window from the first one (for "5 failures in 24 hours").
    """
    db.session.execute(_insert_ignoring_conflict().values(key_hash=key, failures=0, window_started_at=now, last_failure_at=now))
    row = _locked_row(key)
    assert row is not None
    since = row.last_failure_at if idle_resets else row.window_started_at
    if now - clock.as_utc(since) >= settings().login_failure_window:
        row.failures, row.window_started_at, row.blocked_until = 0, now, None
    row.failures += 1
    row.last_failure_at = now
    return row


def _insert_ignoring_conflict() -> Any:
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(LoginThrottle).on_conflict_do_nothing(index_elements=["key_hash"])
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(LoginThrottle).on_conflict_do_nothing(index_elements=["key_hash"])
