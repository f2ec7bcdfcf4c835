"""Links to a stored thread.

A manager's thread is stored as ``channel:ts``. Its link comes from ``chat.getPermalink``
rather than being pieced together from Slack's archive URL form
(``https://<domain>.slack.com/archives/<channel>/p<ts>``): that form needs the workspace's
domain, which we do not store and which differs on Enterprise Grid, while the API answers
with the right URL for every kind of workspace (rate-limit tier 4, more than a hundred
calls a minute, so a reminder round stays well within it). When Slack cannot give a
link the message goes out without one.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)


def permalink(client: WebClient, ref: str | None) -> str | None:
    """A link to a stored thread (``channel:ts``), or None if Slack cannot give one."""
    if not ref:
        return None
    channel, _, ts = ref.partition(":")
    try:
        link = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except (SlackApiError, SlackClientError) as err:
        log.info("no permalink for %s: %s", ref, err)
        return None
    return str(link) if link else None
