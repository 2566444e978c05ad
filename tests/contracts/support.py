"""Sample contract terms and the loud-skip helpers shared by the contract tests (pure: no app or database)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import pytest

from wage_guard.contracts.defaults import default_construction_terms
from wage_guard.contracts.terms import (
    ContractTerms,
    EmergencyContact,
    EmployerParty,
    PayForm,
    TermType,
    WorkerParty,
)
from wage_guard.documents import fonts

TODAY = date(2026, 2, 20)
START = date(2026, 3, 1)
MINIMUM_WAGE = Decimal("2200")
CONTRACT_NUMBER = "WG-370322-2026-000001"
VERIFY_URL = "https://wage-guard.example.cn/v/WG-370322-2026-000001"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

EMPLOYER = EmployerParty(
    name="山东鲁建建筑劳务有限公司",
    credit_code="91370322MA3C1234X5",
    legal_representative="张建国",
    address="山东省淄博市高青县田镇街道青城路88号",
    phone="0533-6123456",
)
WORKER = WorkerParty(
    name="李四",
    id_number="370322198805061234",
    address="山东省淄博市高青县黑里寨镇李家村",
    phone="13800138000",
    emergency_contact=EmergencyContact(name="王芳", phone="13900139000", relationship="配偶"),
)


def sample_terms(**changes: Any) -> ContractTerms:
    """A lawful fixed-term contract (one year, daily pay) that each test changes in one respect."""
    terms = default_construction_terms(
        EMPLOYER,
        WORKER,
        job_title="钢筋工",
        work_place="高青县第一中学教学楼项目施工现场（高青县青城路以北、芦湖路以东）",
        start_date=START,
        pay_form=PayForm.DAILY,
        pay_amount=Decimal("350"),
        pay_day=15,
        term_type=TermType.FIXED,
        end_date=date(2027, 2, 28),
    )
    return replace(terms, **changes)


def task_terms(**changes: Any) -> ContractTerms:
    """A lawful task-based contract, the common case on site."""
    task: dict[str, Any] = {
        "term_type": TermType.TASK,
        "end_date": None,
        "task_description": "教学楼主体结构钢筋绑扎工程（以监理单位验收合格为完成标志）",
    }
    return sample_terms(**{**task, **changes})


def unavailable(reason: str) -> NoReturn:
    """Skip loudly, or fail under CI=true so a machine that lost a package cannot go green by skipping."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CONTRACT TESTS CANNOT RUN UNDER CI=true: {reason}", pytrace=False)
    pytest.skip(f"CONTRACT TESTS SKIPPED: {reason}")


def require_font() -> None:
    path = fonts.font_path()
    if not path.is_file():
        unavailable(f"contract font {path} missing; apt-get install {fonts.DEBIAN_PACKAGE}")


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"'{name}' not found; apt-get install poppler-utils")
    return path


def poppler(tool: str, pdf: bytes, *args: str) -> str:
    """Run a poppler tool (pdftotext, pdffonts) on the PDF and return its standard output."""
    executable = require_tool(tool)
    result = subprocess.run(  # noqa: S603 - fixed executable, our own arguments
        [executable, *args, "-", "-"] if tool == "pdftotext" else [executable, "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout.decode()
