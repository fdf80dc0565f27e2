"""The history the reports read, written in bulk for a batch of bench cases, in
realistic shares: one owner each (1% bounced back), breaches (a third without a prior
notice), promises, closures, ratings, emails."""

ENTRY = (
    "INSERT INTO cases_timelineentry (case_id, kind, actor_id, department_id, "
    "visibility, body, body_html, data, created) "
)


def write_history(cursor, people: dict, *, first_id: int, last_id: int) -> None:
    params = {
        "first": first_id,
        "last": last_id,
        "agent": people["agent"].pk,
        "other": people["other_agent"].pk,
        "customer": people["customer"].pk,
        "dept": people["support"].pk,
    }
    timeline(cursor, params)
    sla_and_promises(cursor, params)
    ratings_and_emails(cursor, params)


def timeline(cursor, params: dict) -> None:
    cursor.execute(
        ENTRY + "SELECT id, 'ownership_change', %(agent)s, %(dept)s, 'public', '', '', "
        "jsonb_build_object('from', NULL, 'to', %(agent)s, 'department', 'Support'), "
        "first_owned_at FROM cases_case WHERE id BETWEEN %(first)s AND %(last)s "
        "AND first_owned_at IS NOT NULL",  # cases waiting in triage have had no owner
        params,
    )
    for step, (to, department) in enumerate(
        [("%(other)s", "Hardware"), ("%(agent)s", "Support")], start=1
    ):
        cursor.execute(
            ENTRY + f"SELECT id, 'ownership_change', %(agent)s, %(dept)s, 'public', '', '', "
            f"jsonb_build_object('from', 1, 'to', {to}, 'department', '{department}'), "
            f"first_owned_at + interval '{step} hours' FROM cases_case "
            "WHERE id BETWEEN %(first)s AND %(last)s AND id %% 100 = 7 "
            "AND first_owned_at IS NOT NULL",
            params,
        )
    cursor.execute(
        ENTRY + "SELECT id, 'status_change', %(agent)s, %(dept)s, 'public', '', '', "
        "jsonb_build_object('from', 'open', 'to', 'pending_confirmation'), "
        "created + interval '20 hours' FROM cases_case "
        "WHERE id BETWEEN %(first)s AND %(last)s AND status = 'closed'",
        params,
    )
    cursor.execute(
        ENTRY + "SELECT id, 'status_change', NULL, NULL, 'public', '', '', "
        'CASE WHEN id %% 5 = 0 THEN \'{"to": "closed", "auto": true}\'::jsonb '
        "ELSE '{\"to\": \"closed\"}'::jsonb END, created + interval '1 day' "
        "FROM cases_case WHERE id BETWEEN %(first)s AND %(last)s AND status = 'closed'",
        params,
    )
    cursor.execute(
        ENTRY + "SELECT id, 'confirmation', %(customer)s, NULL, 'public', '', '', "
        "'{}'::jsonb, created + interval '1 day' FROM cases_case "
        "WHERE id BETWEEN %(first)s AND %(last)s AND status = 'closed' AND id %% 5 <> 0",
        params,
    )
    cursor.execute(
        ENTRY + "SELECT id, 'reopen', %(customer)s, NULL, 'public', '', '', '{}'::jsonb, "
        "created + interval '21 hours' FROM cases_case "
        "WHERE id BETWEEN %(first)s AND %(last)s AND id %% 20 = 3",
        params,
    )


def sla_and_promises(cursor, params: dict) -> None:
    cursor.execute(
        "INSERT INTO cases_slaevent (case_id, target, due, step, by_owner, created) "
        "SELECT id, 'resolution', created + interval '2 days', 'breached', false, "
        "created + interval '2 days' FROM cases_case "
        "WHERE id BETWEEN %(first)s AND %(last)s AND id %% 33 = 1",
        params,
    )
    cursor.execute(
        "INSERT INTO cases_slaevent (case_id, target, due, step, by_owner, created) "
        "SELECT id, 'resolution', created + interval '2 days', 'customer_notified', false, "
        "created + interval '47 hours' FROM cases_case "
        "WHERE id BETWEEN %(first)s AND %(last)s AND id %% 33 = 1 AND id %% 3 <> 0",
        params,
    )
    cursor.execute(
        "INSERT INTO cases_promise (case_id, made_by_id, department_id, eta, created, "
        "settled_at, kept) SELECT id, %(agent)s, %(dept)s, created + interval '1 day', "
        "created + interval '2 hours', created + interval '20 hours', id %% 3 <> 0 "
        "FROM cases_case WHERE id BETWEEN %(first)s AND %(last)s AND id %% 20 = 5",
        params,
    )


def ratings_and_emails(cursor, params: dict) -> None:
    cursor.execute(
        "INSERT INTO cases_satisfaction (case_id, rating, comment, rated_by_id, created) "
        "SELECT id, 1 + id %% 5, '', %(customer)s, created + interval '2 days' "
        "FROM cases_case WHERE id BETWEEN %(first)s AND %(last)s "
        "AND status = 'closed' AND id %% 10 = 0",
        params,
    )
    cursor.execute(
        "INSERT INTO notifications_notice (recipient_id, case_id, kind, channel, subject, "
        "body, idempotency_key, status, attempts, last_error, created, send_after, "
        "sent_at, message_id, not_sent_because) SELECT %(customer)s, id, 'agent_reply', "
        "'email', 'Reply', '', 'bench:' || id, 'sent', 1, '', created + interval '3 hours', "
        "created + interval '3 hours', created + interval '3 hours', '', '' "
        "FROM cases_case WHERE id BETWEEN %(first)s AND %(last)s AND id %% 4 = 0",
        params,
    )
