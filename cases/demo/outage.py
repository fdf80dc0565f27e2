"""The demo outage: one incident across four organisations' cases."""

from datetime import timedelta

from django.utils import timezone

from helpdesk.accounts.models import Organization, User

OUTAGE_REPORTS = [
    ("Initech", "it@initech.test", "Initech IT desk",
     "Web program shows an error after sign in",
     "Our staff get an error page right after signing in to the web program since last week."),
    ("Umbrella", "ops@umbrella.test", "Umbrella operations",
     "Sign-in to the web program fails with error 500",
     "Every sign in to the web program ends on an internal server error (500)."),
]  # fmt: skip


def seed_outage(people: dict[str, User]) -> None:
    """The outage: four organisations' cases, one incident caused by a release two weeks
    ago, and a fifth report still in triage for the detector to match."""
    from cases import services
    from cases.models import Case, Incident, Priority
    from cases.services import incidents

    title = "Sign-in errors in the web program after release 4.2"
    if Incident.objects.filter(title=title).exists():
        return
    agent, manager = people["agent@demo.test"], people["manager@demo.test"]
    customers = []
    for org_name, email, full_name, case_title, description in OUTAGE_REPORTS:
        org, _ = Organization.objects.get_or_create(name=org_name)
        customer = User.objects.filter(email=email).first()
        if customer is None:
            customer = User.objects.create_user(email, None, full_name=full_name, organization=org)
        customers.append((customer, case_title, description))
    linked = [
        Case.objects.get(title__startswith="Our web program stopped working"),
    ]
    globex = services.open_case(
        acting_user=agent,
        customer=people["other@demo.test"],
        title="Customers see an error page after signing in to the web program",
        description="Since this morning our customers get an error page after sign in.",
        priority=Priority.HIGH,
    )
    linked.append(services.take_ownership(case=globex, acting_user=agent, expected_version=None))
    for customer, case_title, description in customers:
        case = services.open_case(
            acting_user=agent,
            customer=customer,
            title=case_title,
            description=description,
            priority=Priority.HIGH,
        )
        linked.append(services.take_ownership(case=case, acting_user=agent, expected_version=None))
    incident = incidents.open_incident(
        acting_user=manager,
        title=title,
        public_summary=(
            "Since release 4.2, signing in to the web program can end on an error page. "
            "We found the cause and are preparing a fix."
        ),
        cause="Release 4.2",
        cause_date=(timezone.now() - timedelta(days=14)).date(),
        cases=linked,
    )
    update = incidents.post_update(
        incident=incident,
        acting_user=manager,
        body=(
            "We have identified the cause: a change in release 4.2 to how sessions are "
            "stored. A fix is being tested; we expect to deploy it today."
        ),
        public=True,
        status="identified",
    )
    incidents.fan_out(update.pk)
    # A fifth report, still in triage: the case page matches it to the incident.
    services.open_case(
        acting_user=agent,
        customer=customers[0][0],
        title="Error page after login in the web program",
        description="A second department at Initech now gets the error page after login too.",
        priority=Priority.NORMAL,
    )
