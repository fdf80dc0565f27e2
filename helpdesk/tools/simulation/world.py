"""The simulated world's people: departments with their agents, a manager, and the
customers of a few organisations of every SLA tier.

Support, where new cases start, is staffed for the volume and routes automatically
(manually in the baseline). Everyone starts the run off: the roster brings them in.
"""

import math
from dataclasses import dataclass

from cases import demo
from helpdesk.accounts.models import Department, Organization, User

from .config import DEPARTMENTS, Config

TIERS = ["basic", "standard", "premium", "standard"]


@dataclass
class World:
    departments: dict[str, Department]
    manager: User
    agents: dict[str, list[User]]
    customers: list[User]
    # Everyone by primary key: the same person object all run long.
    people: dict[int, User]


def team_size(config: Config, department: str) -> int:
    if department != "Support":
        return config.agents_per_department
    needed = math.ceil(config.cases_per_day / config.new_cases_per_support_agent)
    return max(config.agents_per_department, needed)


def build_world(config: Config) -> World:
    demo.seed_sla()
    departments = {name: Department.objects.get_or_create(name=name)[0] for name in DEPARTMENTS}
    routing = Department.Routing.MANUAL if config.baseline else Department.Routing.AUTOMATIC
    departments["Support"].routing = routing
    departments["Support"].save(update_fields=["routing"])
    off = User.Availability.OFF
    manager = User.objects.create_user(
        "sim-manager@sim.test", None, full_name="Sim Manager", role=User.Role.MANAGER,
        availability=off,  # the manager takes no new cases
    )  # fmt: skip
    manager.departments.add(departments["Support"])
    people: dict[int, User] = {manager.pk: manager}
    agents: dict[str, list[User]] = {}
    for name, department in departments.items():
        members = []
        for n in range(team_size(config, name)):
            agent = User.objects.create_user(
                f"sim-{name.lower()}-{n}@sim.test", None, full_name=f"{name} agent {n}",
                role=User.Role.AGENT, capacity=config.capacity, availability=off,
            )  # fmt: skip
            agent.departments.add(department)
            members.append(agent)
            people[agent.pk] = agent
        department.lead = members[0]
        department.save(update_fields=["lead"])
        agents[name] = members
    customers = []
    for n in range(config.organizations):
        organization = Organization.objects.create(
            name=f"Sim organisation {n}", sla_tier=TIERS[n % len(TIERS)],
            phone=f"+44 20 7946 0{n:03}",
        )  # fmt: skip
        for m in range(config.customers_per_organization):
            phone = (m + 1) / config.customers_per_organization <= config.p_prefers_phone
            customer = User.objects.create_user(
                f"sim-customer-{n}-{m}@sim.test",
                None,
                full_name=f"Customer {n}-{m}",
                organization=organization,
                phone=f"+44 7700 9{n:02}{m:03}",
                preferred_contact=User.Contact.PHONE if phone else User.Contact.EMAIL,
            )
            customers.append(customer)
            people[customer.pk] = customer
    return World(
        departments=departments,
        manager=manager,
        agents=agents,
        customers=customers,
        people=people,
    )
