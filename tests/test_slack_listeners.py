"""Slack listeners are module-level functions: importable, registered by register(app)."""

from __future__ import annotations

import inspect

import pytest
from slack_bolt import BoltContext

from bot.slack.context import SlackContext, provide, slack_context
from bot.slack.listeners import absence, actions, choose, commands, events, installs, start, views


@pytest.mark.parametrize(
    "module", [absence, actions, choose, commands, events, installs, start, views]
)
def test_every_kind_registers_on_an_app_alone(module: object) -> None:
    register = module.register  # type: ignore[attr-defined]
    assert list(inspect.signature(register).parameters) == ["app"]


def test_the_listeners_are_importable() -> None:
    assert callable(actions.question_button) and callable(views.start_submitted)
    assert callable(commands.dialog_command) and callable(events.store_before_ack)


def test_the_context_reaches_listeners_through_bolt_context() -> None:
    context = BoltContext()
    with pytest.raises(RuntimeError):
        slack_context(context)
    ctx = SlackContext.__new__(SlackContext)  # the fields do not matter here
    called: list[bool] = []
    provide(ctx).handler({}, context, lambda: called.append(True))
    assert called == [True]
    assert slack_context(context) is ctx
