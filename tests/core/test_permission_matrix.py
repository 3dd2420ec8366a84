"""The admin's permission matrix: for each group (Finance staff, Auditor, none) and
every model admin of every app, each of view / add / change / delete / import /
export and every admin action is allowed exactly when ``apps.core.groups.ROLES``
grants it (and the admin offers it at all, i.e. to a superuser)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from apps.core.groups import AUDITOR, FINANCE_STAFF, ROLES, Role, role_grants
from tests.core.factories import UserFactory

NO_GROUP = "none"
GROUPS = [FINANCE_STAFF, AUDITOR, NO_GROUP]
MODEL_ACTIONS = ["view", "add", "change", "delete"]
FINHUB_APPS = {name.rsplit(".", 1)[-1] for name in settings.LOCAL_APPS}

# The actions that only read (declare permissions=["view"]). A new action that
# claims to need only "view" must be added here on purpose, after a review that it
# writes nothing.
READ_ONLY_ACTIONS = {"export_admin_action", "export_xlsx", "export_csv"}


def _role(group: str) -> Role | None:
    return next((role for role in ROLES if role.group == group), None)


def _grants(group: str, app_label: str, model_name: str, action: str) -> bool:
    role = _role(group)
    if role is None:
        return False
    if app_label in FINHUB_APPS:
        return role_grants(role, app_label, model_name, action)
    return f"{app_label}.{action}_{model_name}" in role.extra


def _request(user: Any) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.fixture
def requests(db: None) -> dict[str, Any]:
    users = {
        FINANCE_STAFF: UserFactory(username="finance", is_staff=True, groups=[FINANCE_STAFF]),
        AUDITOR: UserFactory(username="auditor", is_staff=True, groups=[AUDITOR]),
        NO_GROUP: UserFactory(username="nobody", is_staff=True),
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }
    return {name: _request(user) for name, user in users.items()}


def _registry() -> list[tuple[str, Any]]:
    return sorted(
        (
            (f"{model._meta.app_label}.{model._meta.model_name}", model_admin)
            for model, model_admin in admin.site._registry.items()
        ),
        key=lambda item: item[0],
    )


def _operations(model_admin: Any, request: Any) -> dict[str, bool]:
    """What the admin lets this request do, operation by operation."""
    ops = {action: bool(getattr(model_admin, f"has_{action}_permission")(request)) for action in MODEL_ACTIONS}
    if hasattr(model_admin, "has_import_permission"):
        ops["import"] = bool(model_admin.has_import_permission(request))
    if hasattr(model_admin, "has_export_permission"):
        ops["export"] = bool(model_admin.has_export_permission(request))
    for name in model_admin.get_actions(request):
        ops[f"action:{name}"] = True
    return ops


def _expected(group: str, label: str, model_admin: Any, offered: dict[str, bool]) -> dict[str, bool]:
    app_label, model_name = label.split(".")

    def grants(action: str) -> bool:
        return _grants(group, app_label, model_name, action)

    expected: dict[str, bool] = {}
    for op, superuser_may in offered.items():
        if op in MODEL_ACTIONS:
            allowed = grants(op)
        elif op == "import":
            allowed = grants("add") and grants("change")
        elif op == "export":
            allowed = grants("view")
        else:
            func = model_admin.get_actions(_superuser_request())[op.split(":", 1)[1]][0]
            allowed = all(grants(perm if perm != "export" else "view") for perm in func.allowed_permissions)
        expected[op] = allowed and superuser_may
    return expected


_SUPERUSER: dict[str, Any] = {}


def _superuser_request() -> Any:
    return _SUPERUSER["request"]


def test_every_admin_action_declares_the_permission_it_needs(requests):
    undeclared = []
    read_only = set()
    for label, model_admin in _registry():
        for name, (func, _name, _description) in model_admin.get_actions(requests["superuser"]).items():
            perms = getattr(func, "allowed_permissions", None)
            if not perms:
                undeclared.append(f"{label}:{name}")
            elif set(perms) <= {"view", "export"}:
                read_only.add(name)
    assert undeclared == []
    assert read_only == READ_ONLY_ACTIONS


@pytest.mark.parametrize("group", GROUPS)
def test_the_admin_matches_the_roles_for_every_model_operation_and_action(requests, group):
    _SUPERUSER["request"] = requests["superuser"]
    mismatches = []
    checked = 0
    for label, model_admin in _registry():
        offered = _operations(model_admin, requests["superuser"])
        actual = _operations(model_admin, requests[group])
        expected = _expected(group, label, model_admin, offered)
        for op, allowed in expected.items():
            checked += 1
            if actual.get(op, False) != allowed:
                mismatches.append(f"{label} {op}: expected {'allowed' if allowed else 'refused'}")
        mismatches.extend(f"{label} {op}: offered to {group} only" for op in set(actual) - set(offered))
    assert mismatches == []
    assert checked > 100


def test_the_auditor_may_do_nothing_that_writes(requests):
    for label, model_admin in _registry():
        request = requests[AUDITOR]
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label
        if hasattr(model_admin, "has_import_permission"):
            assert not model_admin.has_import_permission(request), label
        assert set(model_admin.get_actions(request)) <= READ_ONLY_ACTIONS, label


def test_a_staff_user_in_no_group_sees_nothing(requests):
    for label, model_admin in _registry():
        assert not model_admin.has_module_permission(requests[NO_GROUP]) or not model_admin.has_view_permission(
            requests[NO_GROUP]
        ), label
        assert model_admin.get_actions(requests[NO_GROUP]) == {}, label


def test_finance_staff_may_import_reference_data_and_run_every_action(requests):
    staff = requests[FINANCE_STAFF]
    for label, model_admin in _registry():
        if label.split(".")[0] not in FINHUB_APPS:
            continue
        if hasattr(model_admin, "has_import_permission") and model_admin.has_import_permission(requests["superuser"]):
            assert model_admin.has_import_permission(staff), label
        assert set(model_admin.get_actions(staff)) == set(model_admin.get_actions(requests["superuser"])) or label in {
            "core.importjob"
        }, label


def test_anonymous_requests_are_refused_everything(db):
    request = _request(AnonymousUser())
    for label, model_admin in _registry():
        assert not model_admin.has_view_permission(request), label
        assert not model_admin.has_change_permission(request), label
