"""Scheduled reminders: unsigned contracts (worker and foreman) and a pay day near without a wage sheet."""
