"""Writes of projects through /v2/projects: create (number auto-assigned when
left out) and full replace (PUT; a new Number renumbers it, its purchases follow)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from apps.purchases.models import Project
from apps.purchases.services.inputs import FieldErrors


@dataclass
class ProjectInput:
    name: str
    number: int | None = None
    reference: str = ""
    description: str = ""
    note: str = ""
    status: str = Project.Status.ACTIVE
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    target_sales_amount: Decimal | None = None
    target_purchases_amount: Decimal | None = None
    exclude_vat: bool = False


def _write(project: Project, data: ProjectInput) -> Project:
    errors = FieldErrors()
    if not data.name.strip():
        errors.add("Name", "this field is required")
    if data.number and Project.objects.filter(number=data.number).exclude(pk=project.pk).exists():
        errors.add("Number", f"project number {data.number} is already used")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        errors.add("EndDate", "is before StartDate")
    errors.raise_if_any()
    if data.number:
        project.number = data.number
    elif project.pk is None:
        project.number = (Project.objects.aggregate(m=Max("number"))["m"] or 0) + 1
    project.name = data.name.strip()
    for field in (
        "reference",
        "description",
        "note",
        "status",
        "start_date",
        "end_date",
        "target_sales_amount",
        "target_purchases_amount",
        "exclude_vat",
    ):
        setattr(project, field, getattr(data, field))
    project.save()
    return project


@transaction.atomic
def project_create(data: ProjectInput) -> Project:
    # One creator at a time takes the next free number.
    Project.objects.select_for_update().order_by("-number").first()
    return _write(Project(), data)


@transaction.atomic
def project_replace(project: Project, data: ProjectInput) -> Project:
    locked = Project.objects.select_for_update().get(pk=project.pk)
    return _write(locked, data)
