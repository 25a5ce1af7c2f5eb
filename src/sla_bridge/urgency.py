"""How urgent a piece of work is: the order the bridge spends a vendor's API budget in.

Every wake of a ticket (a webhook, a fired timer) carries an urgency class, a small integer,
lower = more urgent. The work queue keeps, per ticket, the most urgent class of the wakes
it has not reconciled yet, and workers claim ready work by ``(class, ready_at)``: the most
urgent class first, the earliest due first within a class. When the API budget (Zendesk's
requests per minute, Salesforce's daily limit) is the bottleneck, a Severity 1 breach
warning goes before an auto-close.

=====  ==================  =============================================================
Class  Name                What wakes a ticket in it
=====  ==================  =============================================================
0      ``critical``        a warning or breach timer of an SLA clock of a ticket at the
                           policy's most severe level (the first of its ``severities``)
1      ``first_response``  a first-response warning or breach timer; a webhook about a
                           new ticket or a new comment (not the bridge's own)
2      ``next_update``     a next-update (or any other SLA clock's) warning or breach
3      ``routine``         any other webhook (status, fields, assignment, a sweep's
                           find), an escalation reminder, a timer of any other kind
4      ``housekeeping``    an auto-close timer (pending to solved, solved to closed;
                           the survey goes out with the close)
5      ``echo``            a webhook that reports the bridge's own write
=====  ==================  =============================================================

A share for the oldest, so a steady stream of urgent work cannot starve the rest: one claim
in :data:`OLDEST_TURN_EVERY` (per process) takes the work that has been ready longest,
whatever its class. Less urgent work so gets at least that share of the API budget, and a
long backlog (an outage, a spent daily limit) still goes most urgent first for the other
claims: a fresh Severity 1 breach never waits behind hours of older auto-closes. (An age
cut-off would turn a long backlog into oldest-first exactly when the order matters most.)

The engine gives each timer it schedules its class (it knows the policy's severity order);
the store classes webhooks with :func:`event_urgency`. No database code here.
"""

from __future__ import annotations

from enum import IntEnum


class Urgency(IntEnum):
    """The urgency classes, most urgent first (see the module's table)."""

    CRITICAL = 0
    FIRST_RESPONSE = 1
    NEXT_UPDATE = 2
    ROUTINE = 3
    HOUSEKEEPING = 4
    ECHO = 5

    @property
    def label(self) -> str:
        """The class's name as the admin API shows it, e.g. ``first_response``."""
        return self.name.lower()


#: What one class means, for the admin API and the docs.
DESCRIPTIONS: dict[Urgency, str] = {
    Urgency.CRITICAL: "SLA warning or breach of a ticket at the most severe level",
    Urgency.FIRST_RESPONSE: "first-response warning or breach; a new ticket or comment",
    Urgency.NEXT_UPDATE: "next-update warning or breach",
    Urgency.ROUTINE: "other webhooks, escalation reminders, other timers",
    Urgency.HOUSEKEEPING: "auto-close",
    Urgency.ECHO: "the bridge's own write reported back",
}

#: One claim in this many takes the work ready longest, whatever its class.
OLDEST_TURN_EVERY = 8


def clock_urgency(metric: str, most_severe: bool) -> Urgency:
    """The class of an SLA clock's warning or breach timer: ``critical`` for a ticket at the
    policy's most severe level, else by the clock's ``metric``."""
    if most_severe:
        return Urgency.CRITICAL
    return Urgency.FIRST_RESPONSE if metric == "first_response" else Urgency.NEXT_UPDATE


def event_urgency(event_type: str, by_bridge: bool) -> Urgency:
    """The class of a webhook: the bridge's own write echoed back least; a new comment or a
    new ticket (``ticket.created``, ``comment.created``, ``case.comment.created``,
    ``ticket.comment_added``, ``case.email.created`` ...) as a first response; the rest
    routine."""
    if by_bridge:
        return Urgency.ECHO
    kind = event_type.lower()
    if "comment" in kind or "email" in kind or "created" in kind:
        return Urgency.FIRST_RESPONSE
    return Urgency.ROUTINE
