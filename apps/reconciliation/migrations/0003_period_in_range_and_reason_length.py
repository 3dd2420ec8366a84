"""Statement periods within the range every time zone can show.

Before this, a period end such as 9999-12-31T23:00:00-05:00 (year 10000 in UTC)
was stored and then broke every reader. Such rows, if any, are moved to the
nearest edge of the range (0001-01-02T00:00Z / 9998-12-30T23:59:59.999999Z), in
the history too, so that the constraint can hold; the API refuses them from now on.
"""

import datetime
from django.conf import settings
from django.db import migrations, models


LOW = datetime.datetime(1, 1, 2, tzinfo=datetime.timezone.utc)
HIGH = datetime.datetime(9998, 12, 30, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc)


def clamp_periods(apps, schema_editor):
    for name in ("ReconciliationStatement", "HistoricalReconciliationStatement"):
        model = apps.get_model("reconciliation", name)
        # In this order, so that end >= start holds after each step.
        model.objects.filter(end_time__lt=LOW).update(end_time=LOW)
        model.objects.filter(start_time__lt=LOW).update(start_time=LOW)
        model.objects.filter(start_time__gt=HIGH).update(start_time=HIGH)
        model.objects.filter(end_time__gt=HIGH).update(end_time=HIGH)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_finance_groups'),
        ('reconciliation', '0002_seed_units'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalreconciliationstatement',
            name='dispute_reason',
            field=models.TextField(blank=True, max_length=2000, verbose_name='dispute reason'),
        ),
        migrations.AlterField(
            model_name='reconciliationstatement',
            name='dispute_reason',
            field=models.TextField(blank=True, max_length=2000, verbose_name='dispute reason'),
        ),
        migrations.RunPython(clamp_periods, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='reconciliationstatement',
            constraint=models.CheckConstraint(condition=models.Q(('end_time__lte', datetime.datetime(9998, 12, 30, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc)), ('start_time__gte', datetime.datetime(1, 1, 2, 0, 0, tzinfo=datetime.timezone.utc))), name='recon_statement_period_in_range'),
        ),
    ]
