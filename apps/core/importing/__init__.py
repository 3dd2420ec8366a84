"""The one bulk-import pipeline of finhub (SAP invoices, AP open balance, the next kind).

An importer per kind (``registry``) says what a row is (field specs), which
rules span rows and what the import replaces; everything else is written once:

1. ``rows`` streams the JSON array (msgspec over blocks of rows, the JSON guard for the
   odd body) and validates every row into column values, keeping exact
   ``{index, field, message}`` errors;
2. ``staging`` loads the valid rows into a fresh table of their own while they
   are validated (PostgreSQL ``COPY`` runs on the other core), in the same
   transaction that records the job, so an invalid report leaves nothing;
3. ``runner`` applies a job in one transaction from a Celery task (``apps.core.tasks.run_import``)
   or a command: on PostgreSQL the staged table gets its indexes and becomes a
   partition (``partitions``), elsewhere its rows are inserted;
4. ``jobs`` records jobs, heartbeats, stale-job sweeps and retention.

Web and worker share only PostgreSQL and the broker: staged rows live in the
database and raw bodies go through Django's storage API.
"""
