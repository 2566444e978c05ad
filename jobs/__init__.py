"""Scheduled jobs: thin adapters that call domain services inside an application context."""
