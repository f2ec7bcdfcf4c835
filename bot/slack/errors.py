"""Errors of the Slack adapter's settings."""

from __future__ import annotations


class SlackConfigError(ValueError):
    """A required Slack setting is missing; the message names it."""
