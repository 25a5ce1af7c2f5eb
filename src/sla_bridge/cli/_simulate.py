"""``sla-bridge simulate STORY``: play a ticket's life against a policy, before any helpdesk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import click

from sla_bridge.simulate import (
    StoryError,
    load_story,
    play_story,
    render_timeline,
    resolve_policies,
    result_to_json,
)

from ._context import AppContext, pass_app

# Exit status of a story whose reconciles never reach a fixed point.
NOT_SETTLED = 3


@click.command("simulate")
@click.argument("story_file", metavar="STORY",
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="A readable timeline, or one JSON document.")
@click.option("--policy", "policy_names", multiple=True, metavar="NAME|PATH",
              help="Play the story under this policy instead of the story's own; repeat for "
                   "several (the first that applies to the ticket wins).")
@pass_app
def simulate_command(app: AppContext, story_file: Path, output_format: Literal["text", "json"],
                     policy_names: tuple[str, ...]) -> None:
    """Play STORY (a JSON file, see docs/simulate.md) and print every write, timer and clock.

    Exit status 0 when the bridge settles, 2 for a bad story, 3 when the bridge keeps writing
    after its own writes (the output then shows the writes that repeat).
    """
    try:
        story = load_story(story_file)
        policies = resolve_policies(story, story_file, app.host.policy_library(), policy_names)
        result = play_story(story, policies, app.host.classify, origin=str(story_file))
    except StoryError as exc:
        raise click.BadParameter(str(exc), param_hint="STORY") from None
    if output_format == "json":
        click.echo(json.dumps(result_to_json(result), indent=2, default=str))
    else:
        click.echo(render_timeline(result), nl=False)
    if not result.settled:
        raise click.exceptions.Exit(NOT_SETTLED)
