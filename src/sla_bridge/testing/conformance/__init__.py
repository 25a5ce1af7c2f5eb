"""The conformance suite: the workflow stories written once, for every platform to run.

A platform plugin's test module runs the whole suite with its own driver::

    from sla_bridge.testing.conformance import *  # noqa: F403  (the stories, as tests)

    @pytest.fixture
    def helpdesk_driver(tmp_path):
        driver = AcmeDriver(tmp_path / "world")
        yield driver
        driver.close()

A driver implements :class:`HelpdeskDriver` (most of it comes from :class:`HarnessDriver`):
the people of the helpdesk acting through the platform's sandbox, and tickets read back as a
neutral :class:`TicketView`. The stories assert views only, so they hold on every platform;
what only one platform does (Zendesk's priorities, macros, audits) stays in that plugin's
tests. A story that needs what a platform lacks (``features``: ``follow_ups``) is skipped
there. :class:`MemoryDriver` runs the suite on the memory platform (the reference).

The stories: SLA clocks (:mod:`._stories_sla`), the ticket's life after the answer
(:mod:`._stories_lifecycle`), the escalation approval (:mod:`._stories_escalation`), triage
(:mod:`._stories_triage`) and the faults (:mod:`._stories_faults`).
"""

from ._cast import CENTRAL, MANAGERS, SENIORS, at, code42_scene, initech_scene, local
from ._driver import (
    FOLLOW_UPS,
    AgentUpdate,
    Customer,
    Fault,
    FaultKind,
    HarnessDriver,
    HelpdeskDriver,
    Organization,
    Scene,
    severity_names,
)
from ._memory_driver import MemoryDriver
from ._sandbox_faults import SandboxFaults
from ._stories_escalation import (
    test_a_follow_up_of_an_escalated_ticket_replays_no_escalation,
    test_a_late_decision_is_reminded_once_then_declined_with_the_managers_reason,
    test_a_request_recorded_by_tag_and_field_is_one_round_however_often_the_ticket_echoes,
    test_missing_parts_are_asked_once_then_approved_with_the_severity,
)
from ._stories_faults import (
    FAULTS,
    FaultPlan,
    test_a_lost_webhook_for_a_new_ticket_is_healed_by_the_next_event,
    test_a_lost_webhook_for_an_answer_is_healed_by_the_warning_timer,
    test_a_lost_webhook_for_the_managers_decision_is_healed_by_the_reminder_timer,
    test_every_action_lands_exactly_once_whatever_the_platform_does,
)
from ._stories_lifecycle import (
    test_a_customer_reply_before_closing_re_opens_and_nothing_closes_it,
    test_a_re_opened_ticket_goes_back_to_the_agent_who_solved_it,
    test_a_reply_to_a_closed_ticket_becomes_a_follow_up_with_the_original_severity,
    test_a_reply_to_a_pending_ticket_goes_back_to_the_original_agent_under_2013,
    test_a_solved_ticket_closes_after_two_days_with_the_notice_under_the_2013_policy,
    test_pending_closes_after_seven_days_with_a_notice_under_the_2013_policy,
    test_solved_and_pending_tickets_close_by_themselves_with_the_survey,
)
from ._stories_sla import (
    test_a_severity_change_re_targets_the_clock_and_keeps_the_time_used,
    test_first_response_due_is_written_across_thanksgiving,
    test_pending_pauses_the_clock_and_the_due_instant_moves_by_the_paused_time,
    test_premier_high_next_update_every_two_hours_pauses_while_pending,
    test_warning_then_breach_leave_internal_notes_and_tags,
)
from ._stories_triage import (
    test_code42_categorises_a_how_to_filed_as_severity_1_and_tells_the_customer,
    test_entitlement_breaches_get_a_note_and_a_polite_reply_never_a_silent_drop,
    test_missing_intake_information_is_asked_for_once,
    test_ownbackup_applies_the_severity_and_tells_the_customer,
)
from ._view import BRIDGE, SeenApproval, SeenChange, SeenComment, TicketView

#: Every story: a test function taking the ``helpdesk_driver`` fixture.
STORIES = (
    "test_a_severity_change_re_targets_the_clock_and_keeps_the_time_used",
    "test_first_response_due_is_written_across_thanksgiving",
    "test_pending_pauses_the_clock_and_the_due_instant_moves_by_the_paused_time",
    "test_premier_high_next_update_every_two_hours_pauses_while_pending",
    "test_warning_then_breach_leave_internal_notes_and_tags",
    "test_a_customer_reply_before_closing_re_opens_and_nothing_closes_it",
    "test_a_re_opened_ticket_goes_back_to_the_agent_who_solved_it",
    "test_a_reply_to_a_closed_ticket_becomes_a_follow_up_with_the_original_severity",
    "test_a_reply_to_a_pending_ticket_goes_back_to_the_original_agent_under_2013",
    "test_a_solved_ticket_closes_after_two_days_with_the_notice_under_the_2013_policy",
    "test_pending_closes_after_seven_days_with_a_notice_under_the_2013_policy",
    "test_solved_and_pending_tickets_close_by_themselves_with_the_survey",
    "test_a_follow_up_of_an_escalated_ticket_replays_no_escalation",
    "test_a_late_decision_is_reminded_once_then_declined_with_the_managers_reason",
    "test_a_request_recorded_by_tag_and_field_is_one_round_however_often_the_ticket_echoes",
    "test_missing_parts_are_asked_once_then_approved_with_the_severity",
    "test_code42_categorises_a_how_to_filed_as_severity_1_and_tells_the_customer",
    "test_entitlement_breaches_get_a_note_and_a_polite_reply_never_a_silent_drop",
    "test_missing_intake_information_is_asked_for_once",
    "test_ownbackup_applies_the_severity_and_tells_the_customer",
    "test_a_lost_webhook_for_a_new_ticket_is_healed_by_the_next_event",
    "test_a_lost_webhook_for_an_answer_is_healed_by_the_warning_timer",
    "test_a_lost_webhook_for_the_managers_decision_is_healed_by_the_reminder_timer",
    "test_every_action_lands_exactly_once_whatever_the_platform_does",
)

__all__ = [
    "BRIDGE",
    "CENTRAL",
    "FAULTS",
    "FOLLOW_UPS",
    "MANAGERS",
    "SENIORS",
    "STORIES",
    "AgentUpdate",
    "Customer",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "HarnessDriver",
    "HelpdeskDriver",
    "MemoryDriver",
    "Organization",
    "SandboxFaults",
    "Scene",
    "SeenApproval",
    "SeenChange",
    "SeenComment",
    "TicketView",
    "at",
    "code42_scene",
    "initech_scene",
    "local",
    "severity_names",
    "test_a_customer_reply_before_closing_re_opens_and_nothing_closes_it",
    "test_a_follow_up_of_an_escalated_ticket_replays_no_escalation",
    "test_a_late_decision_is_reminded_once_then_declined_with_the_managers_reason",
    "test_a_lost_webhook_for_a_new_ticket_is_healed_by_the_next_event",
    "test_a_lost_webhook_for_an_answer_is_healed_by_the_warning_timer",
    "test_a_lost_webhook_for_the_managers_decision_is_healed_by_the_reminder_timer",
    "test_a_re_opened_ticket_goes_back_to_the_agent_who_solved_it",
    "test_a_reply_to_a_closed_ticket_becomes_a_follow_up_with_the_original_severity",
    "test_a_reply_to_a_pending_ticket_goes_back_to_the_original_agent_under_2013",
    "test_a_request_recorded_by_tag_and_field_is_one_round_however_often_the_ticket_echoes",
    "test_a_severity_change_re_targets_the_clock_and_keeps_the_time_used",
    "test_a_solved_ticket_closes_after_two_days_with_the_notice_under_the_2013_policy",
    "test_code42_categorises_a_how_to_filed_as_severity_1_and_tells_the_customer",
    "test_entitlement_breaches_get_a_note_and_a_polite_reply_never_a_silent_drop",
    "test_every_action_lands_exactly_once_whatever_the_platform_does",
    "test_first_response_due_is_written_across_thanksgiving",
    "test_missing_intake_information_is_asked_for_once",
    "test_missing_parts_are_asked_once_then_approved_with_the_severity",
    "test_ownbackup_applies_the_severity_and_tells_the_customer",
    "test_pending_closes_after_seven_days_with_a_notice_under_the_2013_policy",
    "test_pending_pauses_the_clock_and_the_due_instant_moves_by_the_paused_time",
    "test_premier_high_next_update_every_two_hours_pauses_while_pending",
    "test_solved_and_pending_tickets_close_by_themselves_with_the_survey",
    "test_warning_then_breach_leave_internal_notes_and_tags",
]
