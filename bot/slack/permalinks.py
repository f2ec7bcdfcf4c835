"""Links to the managers' threads for a round's summary (``chat.getPermalink``).

Only for rounds answered in threads of the receiving channel: a thread in a manager's DM
with the app is visible to that manager alone, and an anonymous round names no one. A
round with more threads than :data:`MAX_THREAD_LINKS` gets none (its summary is long
anyway, and one call per manager would hold up the post). A link that cannot be fetched
is left out; the summary is posted regardless.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.summary import RoundSummary

log = logging.getLogger(__name__)

#: Rounds with more threads than this get no links in their summary.
MAX_THREAD_LINKS = 60


def thread_permalinks(client: WebClient, summary: RoundSummary) -> dict[str, str]:
    """Each thread's permalink by its stored reference (empty when links do not apply)."""
    from bot.slack.notifier import split_thread_ref

    info = summary.round
    if info.anonymous or info.delivery != "channel" or len(summary.threads) > MAX_THREAD_LINKS:
        return {}
    links: dict[str, str] = {}
    for thread in summary.threads:
        channel, ts = split_thread_ref(thread.ref)
        try:
            response = client.chat_getPermalink(channel=channel, message_ts=ts)
        except SlackApiError as exc:
            log.warning(
                "no permalink for a thread of round %s: %s",
                info.round_id,
                exc.response.get("error"),
            )
            continue
        link = response.get("permalink")
        if isinstance(link, str):
            links[thread.ref] = link
    return links
