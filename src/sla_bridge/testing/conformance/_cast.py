"""The people, words and instants the conformance stories share.

code42-enterprise: contact hours Mon-Fri 08:00-17:00 in the customer's location's zone (USA:
US Central), one business day = 9 business hours, US holidays whole days in US Central
(Thanksgiving Thu 26 Nov 2026 and the day after); Gold Severity 1 is 1 calendar hour round
the clock, Gold Severity 2 four business hours, Severity 3 one business day, Severity 4
three; Silver 1/1/1/3 business days; warning at 75 %; clocks pause while pending. Managers
"Customer Champion managers"; approved escalations go to "Senior Customer Champions".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from ._driver import Customer, Organization, Scene

CENTRAL = ZoneInfo("America/Chicago")
EASTERN = ZoneInfo("America/New_York")
MANAGERS = "Customer Champion managers"
SENIORS = "Senior Customer Champions"

COMPLETE = ("Product: Code42 app 11.2 on Windows 11. GUID 987654321098765432, user "
            "dana@acme.test, logs attached, screenshot attached, cloud destination: Code42 "
            "cloud.")
RESTORES = ("Restores fail from many devices since Monday's upgrade; we can still restore "
            "from a few. " + COMPLETE)
OUTAGE = "Nobody in the company can restore anything since last night. " + COMPLETE
REPORTS = ("A problem with backup reports for a single user: the weekly report shows the wrong "
           "size. " + COMPLETE)
VAGUE = "Nobody in the company can restore files since last night."
BACKUPS = ("CrashPlan 11.2 on macOS 14 stopped backing up. Computer ID 123456789012345678, "
           "user ivy@initech.test, logs attached, screenshot attached, destination CrashPlan "
           "Central. It stalls at 42% every night.")
ANSWERED = "Restores fail from many devices since the upgrade. " + COMPLETE


def at(text: str, zone: tzinfo = CENTRAL) -> datetime:
    """``"2026-11-30 09:00"`` as an instant, by default in US Central."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def local(when: datetime, form: str = "%a %H:%M", zone: tzinfo = CENTRAL) -> str:
    """``when`` in ``zone`` as ``form`` (``Mon 09:00`` by default)."""
    return f"{when.astimezone(zone):{form}}"


def code42_scene(*extra_customers: Customer, **changes: object) -> Scene:
    """code42-enterprise from Mon 23 Nov 2026 08:00 CST: Acme (Gold, USA: Dana), Globex
    (Silver, USA: Gil, and Carl who is not its admin), Lisboa (Gold, Europe: Ines), the
    Code42 groups (Avery and Blake are Customer Champions, Blake also a Senior one), agents
    Avery and Blake, manager Morgan."""
    scene = Scene(
        start=at("2026-11-23 08:00"), policies=("code42-enterprise",),
        organizations=(Organization("Acme", "gold", "usa"),
                       Organization("Globex", "silver", "usa"),
                       Organization("Lisboa", "gold", "europe")),
        customers=(Customer("Dana", "Acme"), Customer("Gil", "Globex"),
                   Customer("Carl", "Globex", admin=False), Customer("Ines", "Lisboa"),
                   *extra_customers),
        agents=("Avery", "Blake", "Morgan"),
        groups=("Customer Champions", MANAGERS, SENIORS), manager_group=MANAGERS,
        members=(("Customer Champions", ("Avery", "Blake")), (MANAGERS, ("Morgan",)),
                 (SENIORS, ("Blake",))))
    return replace(scene, **changes)  # type: ignore[arg-type]


def initech_scene(policy: str, plan: str) -> Scene:
    """``policy`` from Mon 23 Nov 2026 08:00 CST with one customer, Ivy of Initech on
    ``plan``; agents Avery and Blake."""
    return Scene(start=at("2026-11-23 08:00"), policies=(policy,),
                 organizations=(Organization("Initech", plan),),
                 customers=(Customer("Ivy", "Initech"),), agents=("Avery", "Blake"))
