"""Largest contentful paint of the worker's signing pages on a throttled phone: the reading view (the whole
contract as text, /s/<token>/terms) and the seal-placing page with the page images (/s/<token>/sign).

Run from the repository root::

    .venv/bin/python -m benchmarks.signing_lcp [--runs 7] [--check]

Same conditions as ``benchmarks.enrolment_lcp``: Debian chromium at 360x740 under Lighthouse's "Slow 4G" (150 ms
latency, 200,000 B/s down, 93,750 B/s up, CPU slowed 4x), a fresh browser context per run (cold cache), a trivial
static Chinese page as the baseline. The app runs on a throwaway SQLite database with a signing world (CA, a sealed
contract); the worker's code is confirmed and the notice acknowledged beforehand, and each run's context gets that
signing session's cookie. Prints min, median, p90 and max per page, so the spread is visible.
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.enrolment_lcp import (
    GOAL_MS,
    Run,
    _key,
    arguments,
    baseline_app,
    benchmark_config,
    measure,
    nearest_rank,
    serve,
)
from tests.browser.chromium import CHROMIUM_ARGS


@contextmanager
def signing_site(workdir: Path) -> Iterator[tuple[str, str, list[dict[str, str]]]]:
    """Serve the real app with a contract waiting for the worker; yields (base URL, token, session cookies)."""
    from tests.conftest import START
    from tests.factories import build_world
    from tests.journeys.conftest import SIGNATORY_PHONE, WORKERS, confirm_code, issue, link_in_sms, make_signing_world, seal_batch
    from wage_guard import clock, create_app
    from wage_guard.extensions import db

    config = {**benchmark_config("sqlite:///" + str(workdir / "bench.sqlite")), "KEY_ENCRYPTION_KEY": _key()}
    app = create_app({**config, "WTF_CSRF_ENABLED": False})  # the setup posts forms without a browser
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    clock.freeze(START)  # the demo contract starts on START's date; codes live 5 minutes of clock time
    try:
        with app.app_context():
            db.create_all()
            world = build_world()
        sw = make_signing_world(app, world)
        issue(app, sw, ["李四"])
        seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
        phone = WORKERS["李四"][1]
        client = app.test_client()
        token = link_in_sms(app, phone, "/s/")
        confirm_code(client, app, f"/s/{token}", phone)
        client.post(f"/s/{token}/notice")
        cookie = client.get_cookie("session")
        assert cookie is not None
        with serve(app) as base_url:
            yield base_url, token, [{"name": "session", "value": cookie.value, "url": base_url}]
    finally:
        clock.freeze(None)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _row(name: str, runs: list[Run], baseline_median: float) -> str:
    lcps = [r.lcp_ms for r in runs]
    median = statistics.median(lcps)
    verdict = "(reference)" if name.startswith("baseline") else ("PASS" if median <= GOAL_MS else "FAIL")
    return (
        f"{name:<30} {min(lcps):>6.0f}ms {median:>8.0f}ms {nearest_rank(lcps, 0.9):>6.0f}ms {max(lcps):>6.0f}ms "
        f"{median / baseline_median:>9.2f}x {statistics.median(r.transferred for r in runs):>9,.0f} B  {verdict}"
    )


def main(argv: list[str] | None = None) -> int:
    args = arguments("python -m benchmarks.signing_lcp", __doc__.splitlines()[0], runs=7, page="a signing page", argv=argv)
    if args is None:
        return 2
    from playwright.sync_api import sync_playwright

    throttle = not args.no_throttle
    results: dict[str, list[Run]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="wage-guard-bench-") as tmp,
        signing_site(Path(tmp)) as (site, token, cookies),
        serve(baseline_app) as baseline_url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            pages = {
                "baseline (static zh page)": (baseline_url + "/", None),
                "reading view /s/<t>/terms": (f"{site}/s/{token}/terms", cookies),
                "seal page /s/<t>/sign": (f"{site}/s/{token}/sign", cookies),
            }
            for name, (url, jar) in pages.items():
                for _ in range(args.warmup):
                    measure(browser, url, throttle=throttle, cookies=jar)
                results[name] = [measure(browser, url, throttle=throttle, cookies=jar) for _ in range(args.runs)]
            version = browser.version
        finally:
            browser.close()

    profile = "Slow 4G: latency 150 ms, 200,000 B/s down, 93,750 B/s up, CPU x4" if throttle else "NO throttling"
    print(f"Chromium {version}, 360x740 mobile, {profile}, {args.runs} cold-cache runs per page (+{args.warmup} warm-up)\n")
    baseline_median = statistics.median(r.lcp_ms for r in results["baseline (static zh page)"])
    header = f"{'page':<30} {'min':>8} {'median LCP':>10} {'p90':>8} {'max':>8} {'vs base':>10} {'transfer':>11}  result"
    print(header)
    print("-" * len(header))
    print("\n".join(_row(name, runs, baseline_median) for name, runs in results.items()))
    print(f"\n(goal: median LCP <= {GOAL_MS:.0f} ms; p90 is nearest-rank; transfer = encoded bytes of all requests)")
    for name, runs in results.items():
        first = runs[0]
        print(f"\n{name}: LCP element {first.lcp_element}; per-run LCP ms: {', '.join(f'{r.lcp_ms:.0f}' for r in runs)}")
        for kind, url, size in first.resources:
            print(f"  {kind:<11} {size:>7,d} B  {url.split('/', 3)[-1].split('?')[0] if '://' in url else url}")
    failed = any(
        statistics.median(r.lcp_ms for r in runs) > GOAL_MS for name, runs in results.items() if not name.startswith("baseline")
    )
    return 1 if (args.check and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
