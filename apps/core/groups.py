"""Keeps the finance groups' permissions in step with the models.

The groups themselves are created by a data migration; permissions only exist
after migrate, so they are granted from post_migrate, for every model of the
finhub apps (``settings.LOCAL_APPS``) and the platform models.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

FINANCE_STAFF = "Finance staff"
AUDITOR = "Auditor"


def sync_finance_group_permissions(sender: Any = None, **kwargs: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    labels = [name.rsplit(".", 1)[-1] for name in settings.LOCAL_APPS]
    perms = Permission.objects.filter(content_type__app_label__in=labels)
    using = kwargs.get("using", "default")
    staff = Group.objects.using(using).filter(name=FINANCE_STAFF).first()
    auditor = Group.objects.using(using).filter(name=AUDITOR).first()
    if staff is not None:
        staff.permissions.add(*perms)
    if auditor is not None:
        auditor.permissions.set(perms.filter(codename__startswith="view_"))
