"""code42-enterprise: whole ticket lives on the pure engine, with exact actions and instants."""

from __future__ import annotations

from lives import Life, Verdict, policy

from sla_bridge.tickets import Status

CODE42 = policy("code42-enterprise")
COMPLETE = ("Since the upgrade restores fail for most of the deployment. CrashPlan 8.2 on "
            "Windows 10, GUID 123456789012345678, user ann@acme.example, logs attached, "
            "screenshot attached, we use the Code42 cloud.")


def gold(opened: str, severity: str = "2", **extra: object) -> Life:
    values: dict[str, object] = {"plan": "gold", "customer_severity": severity, "channel": "web",
                                 "registered_admins": ("u1",), "description": COMPLETE,
                                 "organization_id": "org-1"}
    values.update(extra)
    return Life([CODE42], opened, **values)


def test_gold_sev2_before_thanksgiving_answered_pending_solved_closed_followed_up() -> None:
    life = gold("2026-11-25T16:00:00-06:00")
    [due_field] = life.written
    assert due_field.action.fields == {"sla_first_response_due": "2026-11-30T11:00:00-06:00"}
    assert life.timer_at("first_response:warning") == "2026-11-30T10:00:00-06:00"
    assert life.timer_at("first_response:breach") == "2026-11-30T11:00:00-06:00"

    # Monday 10:00 is 3 of the 4 business hours: the pre-breach warning (75 %).
    warning = life.run_until("2026-11-30T10:15:00-06:00")
    assert [(w.at.isoformat(), w.kind) for w in warning] == [
        ("2026-11-30T10:00:00-06:00", "add_comment"), ("2026-11-30T10:00:00-06:00", "change_tags")]
    assert warning[0].text == ("SLA warning: the first response (4 business hours, severity 2, "
                               "plan gold) is due Mon 30 Nov 11:00 CST.")
    assert not warning[0].action.public

    # The agent answers at 10:30 and waits on the customer: met, 3.5 h used, no breach.
    assert life.agent("2026-11-30T10:30:00-06:00", "Please send the restore log",
                      status=Status.PENDING) == []
    clock = life.clock()
    assert clock.met_at.isoformat() == "2026-11-30T10:30:00-06:00"
    assert clock.used_seconds == 3.5 * 3600
    assert not clock.breached
    assert life.timers == []
    assert life.run_until("2026-12-10T00:00:00-06:00") == []  # no breach timer is left

    # The customer answers: re-opened. Solved, then closed by an agent (no auto-close here).
    [reopen] = life.customer("2026-12-10T09:00:00-06:00", "Log attached")
    assert (reopen.kind, reopen.action.status) == ("set_status", Status.OPEN)
    assert life.agent("2026-12-10T10:00:00-06:00", "Fixed", status=Status.SOLVED) == []
    assert life.change("2026-12-11T10:00:00-06:00", status=Status.CLOSED) == []

    # A reply to the closed ticket becomes a follow-up carrying plan, severity, organization.
    [follow_up] = life.customer("2026-12-14T09:00:00-06:00", "It broke again")
    assert follow_up.kind == "create_follow_up"
    assert follow_up.action.body == "It broke again"
    assert follow_up.action.carry == {"organization_id": "org-1", "requester_id": "u1",
                                      "plan": "gold", "customer_severity": "2",
                                      "follow_up_of": "100"}
    assert follow_up.action.subject == "Follow-up to ticket 100: Backups are failing"


def test_unanswered_ticket_breaches_once_with_note_and_tag() -> None:
    life = gold("2026-11-25T16:00:00-06:00")
    fired = life.run_until("2026-11-30T12:00:00-06:00")
    breach = [w for w in fired if w.at.isoformat() == "2026-11-30T11:00:00-06:00"]
    assert [w.kind for w in breach] == ["add_comment", "change_tags"]
    assert breach[0].text == ("SLA breach: the first response (4 business hours, severity 2, "
                              "plan gold) was due Mon 30 Nov 11:00 CST.")
    assert breach[1].action.add == ("sla_breached",)
    assert life.clock().breached
    assert [d.kind for d in life.decisions if d.kind.endswith("breach")] == [
        "sla.first_response.breach"]
    assert life.customer("2026-11-30T13:00:00-06:00", "Any news?") == []  # nothing repeated


def test_code42_categorises_a_how_to_filed_as_sev1_keeping_the_customers_choice() -> None:
    # "Each time you report an issue to us, we categorize it": the vendor's severity drives.
    life = gold("2026-11-24T09:00:00-06:00", severity="1")
    assert life.due() == "2026-11-24T10:00:00-06:00"  # provisional: Gold Sev 1, 1 calendar hour
    life.classification = Verdict("3", 0.9, ("affects a single user (scope: single user)",))
    applied, told, due = life.customer("2026-11-24T09:10:00-06:00", "Only my laptop is affected")
    assert applied.action.fields == {"vendor_severity": "3"}
    assert told.action.public
    assert told.text == ("We have reviewed this ticket and categorised it as severity 3 "
                         "(Medium) under our support policy: affects a single user (scope: "
                         "single user). You chose severity 1; both are recorded on the ticket.")
    # 10 min of the Sev 1 clock are used; the Sev 3 target (1 business day = 9 h) keeps them:
    # 8 h 50 min remain from 09:10: Tue 09:10-17:00, Wed 08:00-09:00.
    assert due.action.fields == {"sla_first_response_due": "2026-11-25T09:00:00-06:00"}
    assert life.clock().target == "1 business day"
    assert life.ticket.customer_severity == "1"  # both are kept
    assert life.customer("2026-11-24T09:20:00-06:00", "ok") == []


def test_code42_only_suggests_when_unsure_and_sets_an_agreeing_severity_quietly() -> None:
    life = gold("2026-11-24T09:00:00-06:00", severity="1")
    life.classification = Verdict("3", 0.5, ("a single user, perhaps",))
    [note] = life.customer("2026-11-24T09:10:00-06:00", "Only my laptop is affected")
    assert not note.action.public
    assert note.text.startswith("sla-bridge suggests severity 3 (Medium), confidence 50%")
    assert life.ticket.vendor_severity is None
    life = gold("2026-11-24T09:00:00-06:00", severity="2")
    life.classification = Verdict("2", 0.9, ("most of the deployment",))
    [categorised] = life.customer("2026-11-24T09:10:00-06:00", "Most laptops fail")
    assert categorised.action.fields == {"vendor_severity": "2"}
    assert [d.kind for d in life.decisions if d.kind.startswith("severity")] == [
        "severity.categorised"]


def test_escalation_asked_once_requested_reminded_approved_and_communicated() -> None:
    life = gold("2026-11-23T09:00:00-06:00")
    life.agent("2026-11-23T09:30:00-06:00", "Looking into it")
    [ask] = life.customer("2026-11-23T11:00:00-06:00",
                          "Please escalate this: restores have failed for two days and our "
                          "audit is on Friday.")
    assert ask.action.public
    assert ask.text == ("Thank you for asking us to escalate this ticket. So that a manager can "
                        "review it, please reply with the severity you expect.")
    [request] = life.customer("2026-11-23T11:30:00-06:00", "We think this is severity 1.")
    assert request.kind == "request_approval"
    assert request.action.group == "Customer Champion managers"
    assert "Reason: Please escalate this: restores have failed" in request.text
    assert "Expected severity: 1 (now 2)" in request.text
    # No decision within 4 business hours: Monday 15:30, the managers are reminded once.
    assert life.timer_at("escalation:remind") == "2026-11-23T15:30:00-06:00"
    [reminder] = life.run_until("2026-11-23T16:00:00-06:00")
    assert not reminder.action.public
    assert reminder.text.startswith("Reminder: the escalation request on this ticket has waited "
                                    "4 business hours for a decision by Customer Champion "
                                    "managers.")
    approved = life.change("2026-11-23T16:10:00-06:00", tags=life.ticket.tags | {
        "sla_escalation_approved", "sla_escalation_severity_accepted"})
    assert [(w.kind) for w in approved] == ["assign", "set_fields", "add_comment", "change_tags"]
    assert approved[3].action.remove == ("sla_approval_requested",)  # no longer awaiting
    assert approved[0].action.group == "Senior Customer Champions"
    assert approved[1].action.fields == {"vendor_severity": "1"}
    assert approved[2].action.public
    assert approved[2].text == ("A support manager has approved your escalation request and set "
                                "the ticket to severity 1; Senior Customer Champions will take it "
                                "from here.")
    assert [d.kind for d in life.decisions if d.kind.startswith("escalation")] == [
        "escalation.incomplete", "escalation.requested", "escalation.approved"]


def test_escalation_declined_tells_the_customer_why() -> None:
    life = gold("2026-11-23T09:00:00-06:00")
    life.customer("2026-11-23T10:00:00-06:00", "Please escalate to severity 1, the whole "
                                              "deployment cannot restore since this morning.")
    declined = life.change("2026-11-23T11:00:00-06:00",
                           tags=life.ticket.tags | {"sla_escalation_declined"},
                           fields={**life.ticket.fields,
                                   "escalation_decision_reason": "A fix ships tomorrow."})
    assert [w.kind for w in declined] == ["add_comment", "change_tags"]
    assert declined[0].text == ("A support manager has reviewed your escalation request and "
                                "decided not to escalate this ticket at this time. A fix ships "
                                "tomorrow.")


def test_silver_entitlements_admin_and_channel() -> None:
    life = Life([CODE42], "2026-11-23T09:00:00-06:00", plan="silver", customer_severity="3",
                channel="chat", registered_admins=("u9", "u1"), requester_id="u1",
                description=COMPLETE)
    notes = [(w.action.public, w.text) for w in life.written if w.kind == "add_comment"]
    assert notes == [
        (False, "Entitlement: requester u1 is not one of the first 1 registered admins of the "
                "organization (Code42 Silver Support allows one administrator)."),
        (True, "Thank you for your request. Your Code42 Silver Support plan allows one "
               "administrator of your organization to contact support; please ask a registered "
               "administrator to open the ticket, or contact your account manager to change who "
               "is registered."),
        (False, "Entitlement: the ticket came in by chat, which Code42 Silver Support does not "
                "include (web)."),
        (True, "Thank you for your request. Your Code42 Silver Support plan includes support by "
               "web; we have recorded your request and will answer it here."),
    ]
    # The ticket still gets its SLA: 9 business hours from Monday 09:00 end Tuesday 09:00.
    assert life.due() == "2026-11-24T09:00:00-06:00"
    assert [w.kind for w in life.customer("2026-11-23T10:00:00-06:00", "hello")] == []


def test_intake_asks_once_for_what_is_missing() -> None:
    life = gold("2026-11-23T09:00:00-06:00",
                description="Backups fail on CrashPlan 8.2, see the attached logs. "
                            "User ann@acme.example on Windows 11, we back up to the Code42 "
                            "cloud and nothing has completed since Friday evening.")
    [ask] = [w for w in life.written if w.kind == "add_comment"]
    assert ask.action.public
    assert ask.text == ("Thank you for contacting support. To help us diagnose this quickly, "
                        "please reply with:\n"
                        "- the computer ID (GUID) of the affected devices\n"
                        "- the logs from the app\n"
                        "- screenshots of the relevant settings or error messages")
    assert life.customer("2026-11-23T09:30:00-06:00", "GUID is 123456789012345678") == []


def test_an_unsupported_version_becomes_severity_4_and_the_customer_is_told_why() -> None:
    from datetime import date

    from sla_bridge.classify import classify_ticket

    releases = {"10.0": date(2023, 1, 10), "10.0.1": date(2023, 3, 1), "11.0": date(2024, 6, 3)}
    # 10.0 is supported until 18 months after 11.0's GA (3 Dec 2025): a ticket on 10.0.3
    # opened in November 2026 is on an unsupported version, so it is Severity 4.
    life = gold("2026-11-23T09:00:00-06:00", severity="2", version="10.0.3",
                fields={"release_dates": {k: v.isoformat() for k, v in releases.items()}})
    life.classification = classify_ticket(CODE42, life.ticket)
    written = life.customer("2026-11-23T09:05:00-06:00", "Any news?")
    [applied] = [w for w in written if w.kind == "set_fields"
                 and "vendor_severity" in w.action.fields]
    assert applied.action.fields == {"vendor_severity": "4"}
    [told] = [w for w in written if w.kind == "add_comment" and w.action.public]
    assert "categorised it as severity 4 (Low)" in told.text
    assert "10.0" in told.text
    assert "18 months" in told.text
    # Only a patch release (10.0.1) after 10.0: still supported, the customer's severity stands.
    life = gold("2026-11-23T09:00:00-06:00", severity="2", version="10.0.3",
                fields={"release_dates": {"10.0": "2023-01-10", "10.0.1": "2023-03-01"}})
    assert classify_ticket(CODE42, life.ticket).severity != "4"


def test_a_version_in_its_end_of_life_period_is_noted_for_the_agents_once() -> None:
    # 11.0 became available 1 Jul 2025: 10.x is supported until 1 Jan 2027, and in its last
    # six months "we will only provide security-related fixes".
    dates = {"10.0": "2024-01-16", "11.0": "2025-07-01"}
    life = gold("2026-11-23T09:00:00-06:00", version="10.0.3", fields={"release_dates": dates})
    [note] = [w for w in life.written if w.action.key == "versions:end_of_life:10.0"]
    assert not note.action.public
    assert note.text.startswith("Version 10.0 is in its end-of-life period: supported until "
                                "01 Jan 2027, and until then only security-related fixes are "
                                "provided.")
    assert life.customer("2026-11-23T09:30:00-06:00", "any news?") == []
    # Earlier in its support: nothing to say.
    life = gold("2026-03-02T09:00:00-06:00", version="10.0.3", fields={"release_dates": dates})
    assert not any(w.action.key.startswith("versions:") for w in life.written)


def test_a_silver_request_for_best_practices_is_told_consultation_is_not_included() -> None:
    life = Life([CODE42], "2026-11-23T09:00:00-06:00", plan="silver", customer_severity="4",
                channel="web", registered_admins=("u1",), subject="Best practices for "
                "rolling out to 3,000 laptops", description=COMPLETE)
    replies = [w.text for w in life.written if w.action.key == "entitlement:consultation:reply"]
    assert replies == ["Thank you for your request. Consultation for pre-planning and best "
                       "practices is not included in your Code42 Silver Support plan; your "
                       "account manager can tell you about plans that include it."]
    life = gold("2026-11-23T09:00:00-06:00", subject="Best practices for the rollout")
    assert not any(w.action.key.startswith("entitlement:") for w in life.written)


def test_texts_name_a_ticket_by_the_number_people_know_it_by() -> None:
    # Salesforce: the Case's id is 5005g00037CsSJGAA3, agents and customers say 00001001.
    life = gold("2026-12-01T09:00:00-06:00", number="00001001")
    life.agent("2026-12-01T09:30:00-06:00", "Fixed", status=Status.SOLVED)
    life.change("2026-12-02T10:00:00-06:00", status=Status.CLOSED)
    [follow_up] = life.customer("2026-12-03T09:00:00-06:00", "It broke again")
    assert follow_up.action.subject == "Follow-up to ticket 00001001: Backups are failing"
