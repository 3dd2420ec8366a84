import django.db.models.deletion
from django.db import migrations, models


def partition_by_snapshot(apps, schema_editor):
    """PostgreSQL: the lines table becomes partitioned by LIST (snapshot_id), one
    partition per snapshot (see apps.core.importing.partitions); elsewhere unchanged."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from apps.core.importing.partitions import convert_to_partitioned

    convert_to_partitioned(table="ap_balance_snapshotline", column="snapshot_id", prefix="s")


class Migration(migrations.Migration):

    dependencies = [
        ("ap_balance", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="snapshotline",
            name="snapshot",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="lines", to="ap_balance.snapshot", verbose_name="snapshot"),
        ),
        migrations.RunPython(partition_by_snapshot, migrations.RunPython.noop, elidable=False),
    ]
