"""Listeners grouped by Slack's kinds; each module has ``register(app, ctx)``."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import observe
from bot.slack.context import SlackContext
from bot.slack.listeners import (
    absence,
    actions,
    choose,
    commands,
    events,
    installs,
    start,
    views,
)


def register_all(app: App, ctx: SlackContext) -> None:
    """Register every listener of the adapter on ``app``."""
    observe.register(app)
    for module in (commands, events, actions, start, views, choose, installs, absence):
        module.register(app, ctx)
