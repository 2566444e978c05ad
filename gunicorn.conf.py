"""gunicorn settings (``gunicorn wsgi:app`` reads this file from the working directory; ``scripts/demo.sh`` names it).

The values come from ``wage_guard.serving``: one worker process with threads while rate limits are counted in
process memory (so each limit holds exactly), several with a shared storage; an access log with bearer tokens
redacted.
"""

from wage_guard import serving

_settings = serving.serving_settings()

workers = _settings.workers
threads = _settings.threads
worker_class = "gthread"
accesslog = "-"
logger_class = serving.RedactingLogger
on_starting = serving.on_starting
post_worker_init = serving.announce_ready
# No runtime control socket: it could add worker processes behind the check above, and two servers on one
# machine (the demo and the tests) would contend for its one path.
control_socket_disable = True
