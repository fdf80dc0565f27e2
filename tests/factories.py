"""Factories for the people of every test: organisations, departments, users by role.

Every user's password is ``pw``. A customer gets an organisation of their own unless one is
given; agents and managers never belong to an organisation (a database constraint).
"""

import factory
from factory.django import DjangoModelFactory, Password

from helpdesk.accounts.models import Department, Organization, User

PASSWORD = "pw"


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    sla_tier = Organization.Tier.STANDARD


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class UserFactory(DjangoModelFactory):
    """A user of any role; `UserFactory(departments=[support])` puts an agent in departments."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        is_customer = factory.LazyAttribute(lambda o: o.role == User.Role.CUSTOMER)

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    role = User.Role.CUSTOMER
    organization = factory.Maybe(
        "is_customer", yes_declaration=factory.SubFactory(OrganizationFactory), no_declaration=None
    )
    password = Password(PASSWORD)

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(extracted)


class CustomerFactory(UserFactory):
    role = User.Role.CUSTOMER
    email = factory.Sequence(lambda n: f"customer{n}@example.test")


class AgentFactory(UserFactory):
    role = User.Role.AGENT
    email = factory.Sequence(lambda n: f"agent{n}@example.test")


class ManagerFactory(UserFactory):
    role = User.Role.MANAGER
    email = factory.Sequence(lambda n: f"manager{n}@example.test")
