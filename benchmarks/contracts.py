"""Contract benchmark: rendering, page previews and the signing rows of ``benchmarks.signing``, in one table.

Run: ``.venv/bin/python -m benchmarks.contracts [--runs N] [--check]``. Goals (issue #3): render <= 150 ms,
previews <= 96 KB per page (720 px), worker signature <= 0.4x stock pyHanko, >= 30 signatures/s with 2 processes.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal

from benchmarks import signing
from wage_guard.contracts import defaults, terms
from wage_guard.documents import contract as rendering
from wage_guard.documents import previews

RENDER_GOAL_MS = 150.0
PREVIEW_GOAL_KB = 96.0


def typical_terms() -> terms.ContractTerms:
    """A construction contract as issued from the roster: task-based, daily pay."""
    employer = terms.EmployerParty(
        name="高青县安居建筑劳务有限公司",
        credit_code="91370322MA3PQ8K7XH",
        legal_representative="王建国",
        address="山东省淄博市高青县田镇街道青城路88号",
        phone="0533-6960000",
    )
    worker = terms.WorkerParty(
        name="李四", id_number="370322198503151236", address="山东省淄博市高青县常家镇李家村", phone="13812345678"
    )
    return defaults.default_construction_terms(
        employer,
        worker,
        job_title="钢筋工",
        work_place="高青县芦湖安置区3号楼工地",
        start_date=date(2026, 11, 2),
        pay_form=terms.PayForm.DAILY,
        pay_amount=Decimal("350"),
        pay_day=15,
        task_description="3号楼主体结构钢筋绑扎完成",
    )


def render_pdf() -> bytes:
    return rendering.render_contract_pdf(
        typical_terms(),
        contract_number="WG-370322-2026-000001",
        verify_url="https://wage-guard.example/verify/c/WG-370322-2026-000001",
    )


def render_row(bench: signing.Bench) -> signing.Row:
    value = signing.median_ms(render_pdf, bench.runs)
    return signing.Row(
        "render contract PDF (4 pages)", f"{value:.1f} ms", "", f"<= {RENDER_GOAL_MS:.0f} ms", value <= RENDER_GOAL_MS
    )


def preview_time_row(bench: signing.Bench) -> signing.Row:
    pdf = render_pdf()
    value = signing.median_ms(lambda: previews.render_previews(pdf), max(3, bench.runs // 4))
    return signing.Row("page previews, all pages (WebP 720 px)", f"{value:.1f} ms")


def preview_size_row(bench: signing.Bench) -> signing.Row:
    largest = max(len(page) for page in previews.render_previews(render_pdf())) / 1024
    return signing.Row(
        "largest preview page", f"{largest:.0f} KB", "", f"<= {PREVIEW_GOAL_KB:.0f} KB", largest <= PREVIEW_GOAL_KB
    )


def main(argv: list[str] | None = None) -> int:
    signing.EXTRA_ROWS.extend([render_row, preview_time_row, preview_size_row])
    return signing.main(argv)


if __name__ == "__main__":
    sys.exit(main())
