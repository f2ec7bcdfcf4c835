"""Links to stored threads: one manager's (reminders, App Home) and every manager's of a
round (its summary).

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

from bot.summary import RoundSummary

log = logging.getLogger(__name__)

#: Rounds with more threads than this get no links in their summary (one call per manager
#: would hold up the post, and such a summary is long anyway).
MAX_THREAD_LINKS = 60


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


def thread_permalinks(client: WebClient, summary: RoundSummary) -> dict[str, str]:
    """Each thread's permalink by its stored reference, for a round's summary; empty when
    links do not apply. Only rounds answered in threads of the receiving channel get them:
    a thread in a manager's DM is visible to that manager alone, and an anonymous round
    names no one. A link that cannot be fetched is left out."""
    info = summary.round
    if info.anonymous or info.delivery != "channel" or len(summary.threads) > MAX_THREAD_LINKS:
        return {}
    links = {thread.ref: permalink(client, thread.ref) for thread in summary.threads}
    return {ref: link for ref, link in links.items() if link}
