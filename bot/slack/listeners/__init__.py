"""Listeners grouped by Slack's kinds: module-level functions, and in each module a
``register(app)`` that registers them. They find the adapter's :class:`SlackContext` in
Bolt's request context (:func:`bot.slack.context.provide`)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import observe
from bot.slack.context import SlackContext, provide
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
    app.middleware(provide(ctx, app.installation_store))
    # Bolt tries the listeners in this order until one matches, asking each matcher through
    # its keyword injection (~10 µs): the events (every answer) first. No two kinds match
    # the same request, so the order decides nothing else.
    for module in (events, commands, actions, start, views, choose, installs, absence):
        module.register(app)
