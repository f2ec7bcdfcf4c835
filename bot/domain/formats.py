"""The output formats a command line option offers, in a module that imports nothing, so
that the ``dialogbot`` parser can list them without loading the renderers
(:mod:`bot.summary`, :mod:`bot.chain.export`)."""

from __future__ import annotations

from typing import Literal

#: A round's summary: Markdown, Slack mrkdwn or plain text (:func:`bot.summary.render_summary`).
Format = Literal["md", "mrkdwn", "text"]
FORMATS: tuple[Format, ...] = ("md", "mrkdwn", "text")

#: A round's documentation and a unit's report (:mod:`bot.chain.export`).
ExportFormat = Literal["md", "html", "docx"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("md", "html", "docx")
