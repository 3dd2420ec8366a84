"""Factories of the platform models."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from apps.core.models import ImportJob


class ImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportJob

    kind = "invoice-year"
    scope = factory.Sequence(lambda n: str(2000 + n))
    status = ImportJob.Status.SUCCEEDED
    progress_total = 100
    progress_done = 100
    counts = factory.LazyFunction(lambda: {"added": 100, "removed": 0, "changed": 0})
    source = "api"
    trace_id = factory.Faker("uuid4")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create: bool, names: list[str] | None, **kwargs: object) -> None:
        if create and names:
            self.groups.add(*Group.objects.filter(name__in=names))
