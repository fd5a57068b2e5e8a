"""factory-boy factories. Traits are named after states (`AnnualReportFactory` via grant_create)."""

import itertools
from datetime import date

import factory

from clusters.constants import ActivityType, InstitutionKind, Region
from clusters.cvr import make_cvr
from clusters.models import (
    Activity,
    ClusterOrganisation,
    Company,
    KnowledgeInstitution,
    StrengthPosition,
)
from clusters.sme import sme_size_class
from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.roles import Role

_serials = itertools.count(5_000_001)


def next_cvr() -> str:
    while True:
        cvr = make_cvr(next(_serials))
        if cvr:
            return cvr


class StrengthPositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrengthPosition

    slug = factory.Sequence(lambda n: f"position-{n}")
    name = factory.Sequence(lambda n: f"Styrkeposition {n}")
    db07_divisions = factory.LazyFunction(lambda: ["10", "11"])


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClusterOrganisation

    slug = factory.Sequence(lambda n: f"klynge-{n}")
    name = factory.Sequence(lambda n: f"Testklynge {n}")
    cvr = factory.LazyFunction(next_cvr)
    city = "Aarhus"
    region = Region.MIDTJYLLAND
    strength_position = factory.SubFactory(StrengthPositionFactory)
    designated_from = date(2025, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.CASEWORKER
    password = factory.django.Password("test-password-123")

    class Params:
        director = factory.Trait(role=Role.DIRECTOR, cluster=factory.SubFactory(ClusterFactory))
        staff = factory.Trait(role=Role.CLUSTER_STAFF, cluster=factory.SubFactory(ClusterFactory))
        head_of_office = factory.Trait(role=Role.HEAD_OF_OFFICE)
        administrator = factory.Trait(role=Role.ADMIN, is_staff=True, is_superuser=True)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    cvr = factory.LazyFunction(next_cvr)
    name = factory.Sequence(lambda n: f"Virksomhed {n} ApS")
    employees = 20
    size_class = factory.LazyAttribute(lambda o: sme_size_class(o.employees, o.turnover_dkk))
    turnover_dkk = None
    db07_code = "100000"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KnowledgeInstitution

    code = factory.Sequence(lambda n: f"inst-{n}")
    name = factory.Sequence(lambda n: f"Institution {n}")
    kind = InstitutionKind.UNIVERSITY


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    cluster = factory.SubFactory(ClusterFactory)
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    title = factory.Sequence(lambda n: f"Aktivitet {n}")
    activity_type = ActivityType.KNOWLEDGE_SHARING
    start_date = date(2025, 3, 1)
    end_date = date(2025, 3, 1)
