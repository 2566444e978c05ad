"""Backup and restore: the database and the document store in one checksummed folder (``flask backup``, docs/backup.md)."""
