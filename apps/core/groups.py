"""What each finance group may do: the one place that says it.

The groups themselves are created by a data migration; permissions only exist
after migrate, so they are granted from post_migrate, for every model of the
finhub apps (``settings.LOCAL_APPS``), following ``ROLES`` (exactly: a permission
given to one of these groups by hand is taken back at the next migrate; give it
to a user or another group instead):

* **Finance staff** may view, add, change and delete every finance record, import
  (add + change) and export, and run every admin action; they see the user list
  (``auth.view_user``) so that they can pick the Django user of a KashFlow API user.
* **Auditor** may view and export everything and nothing else: no add, change,
  delete, import, nor any admin action that writes (each action declares the
  permission it needs, ``@admin.action(permissions=[...])``).
* A staff user in **no group** sees nothing.

Audit records are deleted by no group, only by a superuser: import jobs, the
history of changes (``simple_history``'s historical models; nobody edits them,
and "revert" is switched off), and reconciliation statements once decided
(confirmed or disputed; that rule is per object, in the statement admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

FINANCE_STAFF = "Finance staff"
AUDITOR = "Auditor"


@dataclass(frozen=True)
class Role:
    group: str
    # Model permissions ("view", "add", "change", "delete") on every finhub model.
    model_actions: frozenset[str]
    # Permissions on models outside the finhub apps, granted deliberately.
    extra: tuple[str, ...] = ()


ROLES = (
    Role(FINANCE_STAFF, frozenset({"view", "add", "change", "delete"}), extra=("auth.view_user",)),
    Role(AUDITOR, frozenset({"view"})),
)

# Audit records: "app_label.model_name" whose rows only a superuser may delete.
AUDIT_RECORD_MODELS = frozenset({"core.importjob"})


def is_audit_record(app_label: str, model_name: str) -> bool:
    """Import jobs and every historical record (``Historical<Model>``)."""
    return f"{app_label}.{model_name}" in AUDIT_RECORD_MODELS or model_name.startswith("historical")


def role_grants(role: Role, app_label: str, model_name: str, action: str) -> bool:
    """Whether ``role`` holds the model permission ``action`` on ``app_label.model_name``."""
    if action not in role.model_actions:
        return False
    if model_name.startswith("historical"):
        return action == "view"  # the history is read, never written through the admin
    return not (action == "delete" and is_audit_record(app_label, model_name))


def sync_finance_group_permissions(sender: Any = None, **kwargs: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    using = kwargs.get("using", "default")
    labels = [name.rsplit(".", 1)[-1] for name in settings.LOCAL_APPS]
    perms = list(
        Permission.objects.using(using).filter(content_type__app_label__in=labels).select_related("content_type")
    )
    for role in ROLES:
        group = Group.objects.using(using).filter(name=role.group).first()
        if group is None:
            continue
        granted = [
            perm
            for perm in perms
            if role_grants(role, perm.content_type.app_label, perm.content_type.model, perm.codename.split("_", 1)[0])
        ]
        for name in role.extra:
            app_label, codename = name.split(".", 1)
            granted.extend(Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(granted)
