"""Every scheduled job and its interval, in one table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from jobs.accounts import purge_login_records
from jobs.backup import backup_daily
from jobs.batches import run_contract_batches
from jobs.confirmations import purge_unverified_complaints, remind_wage_confirmations, request_wage_confirmations
from jobs.contracts import check_document_store, contract_dates
from jobs.enrollment import apply_phone_changes, purge_stale_enrollments
from jobs.filing import push_filings
from jobs.ledger import integrate_ledger, publish_tree_head
from jobs.payroll import prepare_payroll_partitions
from jobs.reminders import send_reminders
from jobs.retention import erase_personal_data, expire_logs
from jobs.risk import risk_cross_check, risk_pending_projects
from jobs.signing import complete_long_term, renew_crls
from jobs.sms import deliver_pending_sms


@dataclass(frozen=True)
class JobDefinition:
    id: str
    function: Callable[..., object]
    seconds: int
    #: Run once as soon as the scheduler starts, not only after the first interval (work a fresh deployment needs).
    at_start: bool = False
    #: Log its runs at debug level (a job that runs every second); failures are logged either way.
    quiet: bool = False


def job_definitions(app: Flask) -> list[JobDefinition]:
    return [
        JobDefinition(
            "run_contract_batches", run_contract_batches, app.config["SCHEDULER_BATCH_INTERVAL_SECONDS"], at_start=True
        ),
        JobDefinition("push_filings", push_filings, app.config["SCHEDULER_FILING_INTERVAL_SECONDS"]),
        JobDefinition("deliver_pending_sms", deliver_pending_sms, app.config["SCHEDULER_SMS_INTERVAL_SECONDS"]),
        JobDefinition("purge_stale_enrollments", purge_stale_enrollments, 600),
        JobDefinition("apply_phone_changes", apply_phone_changes, 300),
        JobDefinition("purge_login_records", purge_login_records, 600),
        JobDefinition("integrate_ledger", integrate_ledger, app.config["SCHEDULER_LEDGER_INTERVAL_SECONDS"], quiet=True),
        JobDefinition("publish_tree_head", publish_tree_head, app.config["SCHEDULER_TREE_HEAD_INTERVAL_SECONDS"]),
        JobDefinition("renew_crls", renew_crls, 3600),
        JobDefinition("complete_long_term", complete_long_term, app.config["SCHEDULER_LONG_TERM_INTERVAL_SECONDS"]),
        JobDefinition("contract_dates", contract_dates, 3600),
        JobDefinition("check_document_store", check_document_store, 24 * 3600),
        JobDefinition("prepare_payroll_partitions", prepare_payroll_partitions, 24 * 3600, at_start=True),
        JobDefinition("risk_cross_check", risk_cross_check, 24 * 3600),
        JobDefinition("risk_pending_projects", risk_pending_projects, 60),
        JobDefinition("send_reminders", send_reminders, 3600),
        JobDefinition("request_wage_confirmations", request_wage_confirmations, 60),
        JobDefinition("remind_wage_confirmations", remind_wage_confirmations, 3600),
        JobDefinition("purge_unverified_complaints", purge_unverified_complaints, 600),
        JobDefinition("expire_logs", expire_logs, 24 * 3600),
        JobDefinition("erase_personal_data", erase_personal_data, 24 * 3600),
        # Looks every hour and backs up when the newest backup is a day old, so restarts never skip a day.
        *([JobDefinition("backup_daily", backup_daily, 3600)] if app.config.get("BACKUP_DIR") else []),
    ]
