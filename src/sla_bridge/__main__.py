"""``python -m sla_bridge`` runs the command line."""

from sla_bridge.cli import main

main()
