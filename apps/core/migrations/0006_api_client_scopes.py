from django.db import migrations, models

# Frozen here: what a client's sys implied before scopes existed (apps.core.scopes).
XUNLIAN_SYS = "xl"
XUNLIAN_SCOPES = ["reconciliation:write"]
OTHER_SCOPES = ["ap_balance:write", "api:read", "invoices:write"]


def grant_what_sys_implies(apps, schema_editor):
    """Existing clients keep what they used: the Xunlian gateway (sys xl) sends
    statements; every other system sends the SAP reports and reads /api/v1."""
    client_model = apps.get_model("core", "ApiClient")
    client_model.objects.filter(sys=XUNLIAN_SYS).update(scopes=XUNLIAN_SCOPES)
    client_model.objects.exclude(sys=XUNLIAN_SYS).update(scopes=OTHER_SCOPES)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_export_file")]

    operations = [
        migrations.AddField(
            model_name="apiclient",
            name="scopes",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="What the client may call (apps.core.scopes); none by default.",
                verbose_name="scopes",
            ),
        ),
        migrations.RunPython(grant_what_sys_implies, migrations.RunPython.noop),
    ]
