from django.db import migrations

# Common units of measure on Chinese supplier statements: (code, name, Chinese name).
# Finance staff add or deactivate units in the admin.
UNITS = [
    ("EA", "each", "个"),
    ("PC", "piece", "件"),
    ("PCS", "pieces", ""),
    ("SET", "set", "套"),
    ("PR", "pair", "双"),
    ("BOX", "box", "箱"),
    ("CTN", "carton", ""),
    ("PKG", "package", "包"),
    ("BAG", "bag", "袋"),
    ("BTL", "bottle", "瓶"),
    ("ROL", "roll", "卷"),
    ("SHT", "sheet", "张"),
    ("UNT", "unit (machine)", "台"),
    ("KG", "kilogram", "千克"),
    ("G", "gram", "克"),
    ("T", "tonne", "吨"),
    ("M", "metre", "米"),
    ("CM", "centimetre", "厘米"),
    ("MM", "millimetre", "毫米"),
    ("KM", "kilometre", "千米"),
    ("M2", "square metre", "平方米"),
    ("M3", "cubic metre", "立方米"),
    ("L", "litre", "升"),
    ("ML", "millilitre", "毫升"),
    ("H", "hour", "小时"),
    ("D", "day", "天"),
    ("MON", "month", "月"),
    ("KWH", "kilowatt hour", "千瓦时"),
]


def seed_units(apps, schema_editor):
    unit_model = apps.get_model("reconciliation", "Unit")
    for code, name, name_zh in UNITS:
        unit_model.objects.get_or_create(code=code, defaults={"name": name, "name_zh": name_zh})


def remove_units(apps, schema_editor):
    apps.get_model("reconciliation", "Unit").objects.filter(code__in=[code for code, _, _ in UNITS]).delete()


class Migration(migrations.Migration):
    dependencies = [("reconciliation", "0001_initial")]

    operations = [migrations.RunPython(seed_units, remove_units)]
