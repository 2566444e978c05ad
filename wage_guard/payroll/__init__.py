"""Payroll: what the employer says was paid (imported wage sheets), what the bank says left the wage account, and
what each worker says arrived (confirmations, complaints, exit settlements)."""
