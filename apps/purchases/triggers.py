"""The database triggers that give PurchaseListVersion a new value on every
write to purchases (see apps/purchases/selectors.py).

Created by migration 0002 and re-ensured after every ``migrate`` (post_migrate):
SQLite drops a table's triggers when a migration rebuilds the table."""

from __future__ import annotations

from typing import Any

from django.db import connections

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION purchases_bump_list_version() RETURNS trigger AS $$
BEGIN
    INSERT INTO purchases_purchaselistversion (id, value) VALUES (1, txid_current())
    ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER purchases_purchase_list_version
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON purchases_purchase
FOR EACH STATEMENT EXECUTE FUNCTION purchases_bump_list_version()
"""
SQLITE_EVENTS = ["INSERT", "UPDATE", "DELETE"]


def ensure_list_version_triggers(using: str = "default") -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            cursor.execute("DROP TRIGGER IF EXISTS purchases_purchase_list_version ON purchases_purchase")
            cursor.execute(POSTGRES_TRIGGER)
        elif connection.vendor == "sqlite":
            for event in SQLITE_EVENTS:  # fixed names only, no input
                sql = (
                    f"CREATE TRIGGER IF NOT EXISTS purchases_purchase_list_version_{event.lower()} "  # noqa: S608
                    f"AFTER {event} ON purchases_purchase BEGIN "
                    "INSERT INTO purchases_purchaselistversion (id, value) VALUES (1, abs(random())) "
                    "ON CONFLICT (id) DO UPDATE SET value = excluded.value; END"
                )
                cursor.execute(sql)


def drop_list_version_triggers(using: str = "default") -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS purchases_purchase_list_version ON purchases_purchase")
            cursor.execute("DROP FUNCTION IF EXISTS purchases_bump_list_version()")
        elif connection.vendor == "sqlite":
            for event in SQLITE_EVENTS:
                cursor.execute(f"DROP TRIGGER IF EXISTS purchases_purchase_list_version_{event.lower()}")


def on_post_migrate(using: str = "default", **kwargs: Any) -> None:
    ensure_list_version_triggers(using)
