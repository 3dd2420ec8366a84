"""PostgreSQL: a staged table becomes a partition of its target.

The import tables (invoices by year, AP lines by snapshot) are declaratively
partitioned (LIST) with a DEFAULT partition for rows written outside an import.
Applying an import:

1. the stage table got, before its rows were loaded, the parent's indexes and
   unique constraints on the columns it has (PostgreSQL maintains them while
   Python validates: the two cores overlap); the apply adds the constant
   columns (``ADD COLUMN ... DEFAULT``: no rewrite) and builds any index left,
   with a raised ``maintenance_work_mem`` (one sort per index);
2. a validated ``CHECK`` equal to the partition bound, so that ATTACH does not
   scan the table again;
3. the swap, in a savepoint with ``lock_timeout`` and retries: DETACH the old
   partition (renamed ``<target>__old_<hex>``), ATTACH the new one (renamed to
   the partition's name). The lock is held only for the swap; readers see the
   old partition before the commit and the new one after, never both or none.
4. after the commit the old partition is dropped (``drop_table``); a crash
   before that leaves a ``__old_`` table that the purge drops.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction

from apps.core.importing.staging import OLD_MARK, quote, table_columns

logger = logging.getLogger(__name__)


def is_partitioned(table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def partition_for(parent: str, value: Any) -> str | None:
    """The name of the partition of ``parent`` that holds exactly ``value`` (LIST)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid)
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass
            """,
            [parent],
        )
        wanted = {f"FOR VALUES IN ({int(value)})", f"FOR VALUES IN ('{int(value)}')"}
        for name, bound in cursor.fetchall():
            if bound in wanted:
                return str(name)
    return None


def default_partition(parent: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
            """,
            [parent],
        )
        row = cursor.fetchone()
    return str(row[0]) if row else None


def add_constant_columns(table: str, parent: str, constants: dict[str, int]) -> None:
    """Add the columns the apply fills in, with their value as a default (a catalog
    change, not a rewrite), typed and NOT NULL as on the parent."""
    with connection.cursor() as cursor:
        for column, value in constants.items():
            cursor.execute(
                """
                SELECT format_type(atttypid, atttypmod), attnotnull FROM pg_attribute
                WHERE attrelid = %s::regclass AND attname = %s
                """,
                [parent, column],
            )
            type_name, not_null = cursor.fetchone()
            cursor.execute(
                f"ALTER TABLE {quote(table)} ADD COLUMN {quote(column)} {type_name} "
                f"{'NOT NULL' if not_null else ''} DEFAULT {int(value)}"
            )
            cursor.execute(f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} DROP DEFAULT")


def build_indexes_like_parent(
    table: str,
    parent: str,
    *,
    before_load: bool = False,
    progress: Callable[[float], None] | None = None,
    analyze: Sequence[str] = (),
) -> int:
    """Give ``table`` every index and PRIMARY KEY / UNIQUE constraint of the
    partitioned ``parent`` that it does not have yet, so that ATTACH adopts them
    instead of building them under its lock, then ANALYZE it: only the columns
    in ``analyze`` when given (those the apply's own queries read; the rest
    after the commit, ``analyze_table``), else every column. ``progress`` gets
    the share done (0-1) after each index. Returns how many were built.

    ``before_load``: on the empty stage table, only the PRIMARY KEY and UNIQUE
    constraints on columns it already has (not those on a column the apply
    adds, e.g. the snapshot), and no ANALYZE. PostgreSQL maintains a key row by
    row while the rows are loaded, on its own core, while Python validates the
    next rows on the other: a key's entries arrive in load order (the id from
    its sequence, SAP's numbers as sent), so each lands beside the last one and
    costs little. A plain index (a date, a payer) takes its entries in no
    order: kept row by row it costs PostgreSQL about three times one sort after
    the load, so those are built after it. Measured on 1M invoices (2 cores):
    COPY 5.5 s bare, 6.5-7.2 s with the two keys, 11.7-12.9 s with every
    index; the three plain indexes built after it in 1.8-1.9 s."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{settings.IMPORT_MAINTENANCE_WORK_MEM}'")
        cursor.execute(
            """
            SELECT pg_get_indexdef(i.indexrelid), con.contype, pg_get_constraintdef(con.oid),
                   ARRAY(SELECT a.attname FROM pg_attribute a
                         WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)),
                   i.indexprs IS NOT NULL OR i.indpred IS NOT NULL
            FROM pg_index i
            LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('p', 'u')
                AND con.conrelid = i.indrelid
            WHERE i.indrelid = %s::regclass
            ORDER BY con.contype NULLS LAST, i.indexrelid
            """,
            [parent],
        )
        definitions = cursor.fetchall()
        cursor.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass", [table])
        present = {row[0] for row in cursor.fetchall()}
        columns = set(table_columns(cursor, table))
        built = 0
        for number, (index_def, constraint_type, constraint_def, keys, expression) in enumerate(definitions, start=1):
            name = f"{table}_{number}"[-63:]
            if name in present or (before_load and (expression or not constraint_type or not set(keys) <= columns)):
                continue
            if constraint_type:
                cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {constraint_def}")
            else:
                using = index_def[index_def.index(" USING ") :]
                unique = "UNIQUE " if index_def.startswith("CREATE UNIQUE") else ""
                cursor.execute(f"CREATE {unique}INDEX {quote(name)} ON {quote(table)}{using}")
            built += 1
            if progress is not None:
                progress(number / (len(definitions) + 1))
        if not before_load:
            only = f" ({', '.join(quote(column) for column in analyze)})" if analyze else ""
            cursor.execute(f"ANALYZE {quote(table)}{only}")
            if progress is not None:  # the index step is done, built here or before the load
                progress(len(definitions) / (len(definitions) + 1))
    return built


def analyze_table(table: str) -> None:
    """Statistics of every column of ``table``, if it still exists: run after an
    import's commit, whose apply analyzed only the columns its own queries read
    (ANALYZE of 1M invoices: about 0.3 s for three columns, 0.9-1.0 s for all)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if cursor.fetchone()[0]:
            cursor.execute(f"ANALYZE {quote(table)}")


def add_bound_check(table: str, column: str, value: int) -> None:
    """A validated CHECK equal to the partition bound: ATTACH then skips its scan."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote((table + '_bound')[-63:])} "
            f"CHECK ({quote(column)} IS NOT NULL AND {quote(column)} = {int(value)})"
        )


def lock_for_swap(parent: str) -> None:
    """Take ``parent`` (the table itself, not its partitions) in SHARE UPDATE
    EXCLUSIVE mode until the commit: one import at a time reads the parent and
    swaps a partition of it, so two imports of different years cannot each hold
    a read lock on the parent while waiting for the swap's exclusive lock (a
    deadlock PostgreSQL ended by failing one of them). Readers (ACCESS SHARE)
    and row writes (ROW EXCLUSIVE) are not blocked; the stage table's own work
    (its indexes) runs before this, side by side with other imports."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE ONLY {quote(parent)} IN SHARE UPDATE EXCLUSIVE MODE")


def _with_lock_retries(action: Any, what: str) -> None:
    """Run ``action(cursor)`` in a savepoint with ``lock_timeout``; on a lock
    timeout roll the savepoint back, wait a little longer each time and retry. A
    long reader thus delays the swap a little but is never queued behind by
    everyone else for long."""
    attempts = settings.IMPORT_SWAP_ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{int(settings.IMPORT_SWAP_LOCK_TIMEOUT_MS)}ms'")
                action(cursor)
                cursor.execute("SET LOCAL lock_timeout = 0")
            return
        except OperationalError as exc:
            if "lock timeout" not in str(exc) or attempt == attempts:
                raise
            logger.warning("%s: lock timeout (attempt %s of %s), retrying", what, attempt, attempts)
            time.sleep(min(0.1 * 2**attempt, 5.0))


def swap_partition(*, parent: str, stage: str, column: str, value: int, name: str) -> str | None:
    """Make ``stage`` the partition of ``parent`` for ``column = value`` (renamed
    ``name``), detaching the one it replaces in the same transaction. Rows of
    that value in the DEFAULT partition (written outside an import) are deleted:
    they were part of the old data. Returns the detached table's new name, to be
    dropped after the commit, or None."""
    old = partition_for(parent, value)
    default = default_partition(parent)
    retired = f"{parent}{OLD_MARK}{stage.rsplit('_', 1)[-1]}"[-63:] if old else None

    def swap(cursor: Any) -> None:
        if old:
            cursor.execute(f"ALTER TABLE {quote(parent)} DETACH PARTITION {quote(old)}")
            cursor.execute(f"ALTER TABLE {quote(old)} RENAME TO {quote(retired or '')}")
        if default:
            cursor.execute(
                f"DELETE FROM {quote(default)} WHERE {quote(column)} = %s",  # noqa: S608 - names from the catalog
                [value],
            )
        cursor.execute(f"ALTER TABLE {quote(stage)} RENAME TO {quote(name)}")
        cursor.execute(f"ALTER TABLE {quote(parent)} ATTACH PARTITION {quote(name)} FOR VALUES IN ({int(value)})")

    _with_lock_retries(swap, f"swap {parent} {column}={value}")
    return retired


def attach_partition(*, parent: str, stage: str, value: int, name: str) -> None:
    """Attach ``stage`` as a new partition (nothing to replace, e.g. a new snapshot)."""

    def attach(cursor: Any) -> None:
        cursor.execute(f"ALTER TABLE {quote(stage)} RENAME TO {quote(name)}")
        cursor.execute(f"ALTER TABLE {quote(parent)} ATTACH PARTITION {quote(name)} FOR VALUES IN ({int(value)})")

    _with_lock_retries(attach, f"attach {name}")


def drop_tables(names: Sequence[str]) -> None:
    with connection.cursor() as cursor:
        for name in names:
            if name and re.fullmatch(r"[a-z0-9_]+", name):
                cursor.execute(f"DROP TABLE IF EXISTS {quote(name)}")


def convert_to_partitioned(*, table: str, column: str, prefix: str) -> None:
    """Turn ``table`` into a table partitioned by LIST (``column``), keeping its
    rows, columns, CHECKs, indexes, unique constraints (which must include
    ``column``), foreign keys and id sequence; the primary key becomes (id,
    ``column``). One partition per existing value (``<table>_<prefix><value>``)
    and a DEFAULT partition. For migrations; PostgreSQL only."""
    new = f"{table}__p"
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), con.conname, con.contype,
                   pg_get_constraintdef(con.oid)
            FROM pg_index i
            LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                AND con.contype IN ('p', 'u')
            WHERE i.indrelid = %s::regclass
            """,
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(f"CREATE SEQUENCE {quote(table + '_id_seq_p')}")
        cursor.execute(
            f"CREATE TABLE {quote(new)} (LIKE {quote(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            f"PARTITION BY LIST ({quote(column)})"
        )
        cursor.execute(f"ALTER TABLE {quote(new)} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq_p')")
        cursor.execute(f"CREATE TABLE {quote(table + '_default')} PARTITION OF {quote(new)} DEFAULT")
        cursor.execute(f"SELECT DISTINCT {quote(column)} FROM {quote(table)}")  # noqa: S608 - names from the model
        for (value,) in cursor.fetchall():
            cursor.execute(
                f"CREATE TABLE {quote(f'{table}_{prefix}{int(value)}')} PARTITION OF {quote(new)} "
                f"FOR VALUES IN ({int(value)})"
            )
        cursor.execute(f"INSERT INTO {quote(new)} SELECT * FROM {quote(table)}")  # noqa: S608 - names from the model
        cursor.execute(
            f"SELECT setval('{table}_id_seq_p', COALESCE((SELECT max(id) FROM {quote(table)}), 0) + 1, false)"  # noqa: S608
        )
        cursor.execute(f"DROP TABLE {quote(table)}")
        cursor.execute(f"ALTER TABLE {quote(new)} RENAME TO {quote(table)}")
        cursor.execute(f"ALTER SEQUENCE {quote(table + '_id_seq_p')} RENAME TO {quote(table + '_id_seq')}")
        cursor.execute(f"ALTER SEQUENCE {quote(table + '_id_seq')} OWNED BY {quote(table)}.id")
        for index_name, index_def, constraint_name, constraint_type, constraint_def in indexes:
            if constraint_type == "p":
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint_name)} "
                    f"PRIMARY KEY (id, {quote(column)})"
                )
            elif constraint_type == "u":
                cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint_name)} {constraint_def}")
            else:
                using = index_def[index_def.index(" USING ") :]
                unique = "UNIQUE " if index_def.startswith("CREATE UNIQUE") else ""
                cursor.execute(f"CREATE {unique}INDEX {quote(index_name)} ON {quote(table)}{using}")
        for constraint_name, constraint_def in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint_name)} {constraint_def}")
