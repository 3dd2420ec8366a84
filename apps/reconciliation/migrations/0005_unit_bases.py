from decimal import Decimal

from django.db import migrations

# (unit, base unit, how many base units one unit is): what matching may convert
# between. Pieces are counted as each; finance staff edit these in the admin.
BASES = [
    ("KG", "G", Decimal("1000")),
    ("T", "G", Decimal("1000000")),
    ("CM", "M", Decimal("0.01")),
    ("MM", "M", Decimal("0.001")),
    ("KM", "M", Decimal("1000")),
    ("ML", "L", Decimal("0.001")),
    ("PC", "EA", Decimal("1")),
    ("PCS", "EA", Decimal("1")),
    ("D", "H", Decimal("24")),
]


def set_bases(apps, schema_editor):
    unit_model = apps.get_model("reconciliation", "Unit")
    units = {unit.code: unit for unit in unit_model.objects.filter(code__in={c for row in BASES for c in row[:2]})}
    for code, base, factor in BASES:
        if code in units and base in units and units[code].base_unit_id is None:
            units[code].base_unit = units[base]
            units[code].base_factor = factor
            units[code].save(update_fields=["base_unit", "base_factor"])


def clear_bases(apps, schema_editor):
    apps.get_model("reconciliation", "Unit").objects.filter(code__in=[c for c, _, _ in BASES]).update(
        base_unit=None, base_factor=None
    )


class Migration(migrations.Migration):
    dependencies = [("reconciliation", "0004_matching")]

    operations = [migrations.RunPython(set_bases, clear_bases)]
