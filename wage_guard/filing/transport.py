"""The HTTP POST to the employment-filing system, through the standard library's ``urllib`` (one JSON request
with a few headers and a timeout needs no client library; the retries, order and log are ``filing.services``')."""

from __future__ import annotations

import urllib.error
import urllib.request


class Unreachable(Exception):
    """The receiver could not be reached, or did not answer in time."""


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> int:
    """POST ``body`` and return the HTTP status (an error status is returned, not raised).

    :raises Unreachable: no HTTP answer (refused, reset, timed out, bad address).
    """
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - configured URL
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise Unreachable(type(error).__name__ + ": " + str(getattr(error, "reason", error))[:200]) from error
