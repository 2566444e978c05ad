"""SMS providers behind one interface: the console outbox (default) and Twilio (production).

This is the only module that imports ``twilio``. Logs name the outbox message id, never the recipient or
the text, because bodies carry one-time codes.
"""

from __future__ import annotations

import abc
import logging
import time
import uuid

from flask import Flask

log = logging.getLogger(__name__)


class SmsDeliveryError(Exception):
    """A provider refused or failed a message. ``permanent`` errors are not retried."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class SmsBackend(abc.ABC):
    """Send one message; subclasses implement ``_send``."""

    name = "abstract"
    #: True when the backend's only delivery is the outbox table itself (so bodies must stay readable).
    is_outbox_only = False

    def send(self, message_id: int, recipient: str, body: str) -> str:
        """Deliver and return the provider's message id; raises :class:`SmsDeliveryError`."""
        started = time.perf_counter()
        try:
            provider_id = self._send(recipient, body)
        except SmsDeliveryError as exc:
            log.warning("sms %s via %s failed: %s", message_id, self.name, exc.reason)
            raise
        log.info("sms %s sent via %s in %.0f ms", message_id, self.name, (time.perf_counter() - started) * 1000)
        return provider_id

    @abc.abstractmethod
    def _send(self, recipient: str, body: str) -> str: ...


class ConsoleBackend(SmsBackend):
    """Development and demo backend: the message stays in the outbox, shown on the outbox page."""

    name = "console"
    is_outbox_only = True

    def _send(self, recipient: str, body: str) -> str:
        return f"console-{uuid.uuid4().hex[:16]}"


class TwilioBackend(SmsBackend):
    """Production backend through the official Twilio client."""

    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, from_number: str, base_url: str | None = None) -> None:
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        self._client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=10))
        if base_url:
            self._client.api.base_url = base_url.rstrip("/")
        self._from = from_number

    def _send(self, recipient: str, body: str) -> str:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            message = self._client.messages.create(to=recipient, from_=self._from, body=body)
        except TwilioRestException as exc:
            # 4xx other than 429 means the request itself is wrong (bad number, blocked): retrying won't help.
            permanent = 400 <= exc.status < 500 and exc.status != 429
            raise SmsDeliveryError(f"twilio HTTP {exc.status} code {exc.code}", permanent=permanent) from exc
        except (TwilioException, OSError) as exc:
            raise SmsDeliveryError(f"twilio unreachable: {type(exc).__name__}") from exc
        if message.status == "failed" or message.sid is None:
            raise SmsDeliveryError(f"twilio status {message.status}", permanent=True)
        return str(message.sid)


def get_backend(app: Flask) -> SmsBackend:
    """Return the configured backend, built once per application."""
    backend: SmsBackend | None = app.extensions.get("wage_guard.sms_backend")
    if backend is None:
        backend = _build(app)
        app.extensions["wage_guard.sms_backend"] = backend
    return backend


def _build(app: Flask) -> SmsBackend:
    name = app.config["SMS_BACKEND"]
    if name == "console":
        return ConsoleBackend()
    if name == "twilio":
        return TwilioBackend(
            app.config["TWILIO_ACCOUNT_SID"],
            app.config["TWILIO_AUTH_TOKEN"],
            app.config["TWILIO_FROM_NUMBER"],
            app.config.get("TWILIO_API_BASE_URL"),
        )
    raise ValueError(f"unknown SMS_BACKEND {name!r}; use 'console' or 'twilio'")
