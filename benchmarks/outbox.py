"""The database outbox as the demo's outbox page shows it: the newest text to a phone that matches a pattern.

With ``SMS_BACKEND=console`` (the stack's setting) messages stay in the ``outbound_sms`` table, encrypted; this
reads them through the app (same keys). Used by the load test's users in process, and by the smoke journey
through its command line, in a process of its own (the test process keeps its own app and limiter)::

    python -m benchmarks.outbox PHONE PATTERN [--secret]     # prints the pattern's first group, exit 1 if none
"""

from __future__ import annotations

import argparse
import re
import sys
import time

CODE = r"(?<!\d)(\d{6})(?!\d)"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Outbox:
    """Reads the newest messages (at most ``depth``) until one to the phone matches, for up to ``tries`` tenths of a second."""

    def __init__(self, depth: int = 200, tries: int = 50) -> None:
        from wage_guard import create_app

        self.app = create_app()
        self.depth, self.tries = depth, tries

    def find(self, phone: str, pattern: str = CODE, *, secret: bool = True) -> str:
        """The first group of ``pattern`` in the newest text to ``phone`` (one-time codes when ``secret``).

        :raises LookupError: when no such text arrives."""
        import sqlalchemy as sa

        from wage_guard.extensions import db
        from wage_guard.sms.models import OutboundSms

        query = sa.select(OutboundSms).where(OutboundSms.is_secret.is_(secret)).order_by(OutboundSms.id.desc()).limit(self.depth)
        for _ in range(self.tries):
            with self.app.app_context():
                for message in db.session.scalars(query):
                    match = re.search(pattern, message.body or "")
                    if message.recipient == phone and match:
                        return match.group(1)
            time.sleep(0.1)
        raise LookupError(f"no text matching {pattern!r} arrived for this phone")


def csrf(html: str) -> str:
    """The CSRF token of the page's form."""
    match = CSRF.search(html)
    if match is None:
        raise LookupError("no CSRF token on the page")
    return match.group(1)


def said(html: str) -> str:
    """The page's error messages (for a failure report)."""
    return "; ".join(re.findall(r'class="(?:field-error|flash[^"]*|error[^"]*)"[^>]*>([^<]+)<', html))[:300]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the newest text to a phone in the database outbox")
    parser.add_argument("phone")
    parser.add_argument("pattern", nargs="?", default=CODE)
    parser.add_argument("--not-secret", action="store_true", help="links and notices rather than one-time codes")
    args = parser.parse_args(argv)
    try:
        print(Outbox().find(args.phone, args.pattern, secret=not args.not_secret))
    except LookupError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
