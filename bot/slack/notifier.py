"""``SlackNotifier``: the :class:`bot.ports.Notifier` port implemented with Slack posts.

Listeners use it after a command; the scheduler uses it for reminders and automatic
summaries. Every post has a key, so calling a method again (a retry, a second replica,
a crash in between) posts nothing twice and fills in what is missing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import timedelta
from queue import SimpleQueue
from typing import Any

from slack_sdk import WebClient

from bot.clock import Clock, SystemClock
from bot.domain.errors import DialogError
from bot.domain.posts import occasion_key
from bot.domain.results import (
    Participant,
    QuestionMessageChange,
    QuestionPrompt,
    RoundInfo,
    RoundStarted,
    RoundStatus,
)
from bot.escaping import mrkdwn
from bot.i18n import t
from bot.progress_text import left_text
from bot.services.container import Services
from bot.services.landings import UpdateClaims
from bot.slack import blocks, question_updates
from bot.slack.links import permalink, thread_permalinks
from bot.slack.pacing import Pacer
from bot.slack.poster import LandedPost, LandingBatch, Planned, Posted, Poster, message_payload
from bot.slack.start_text import refused_text, started_text
from bot.summary import RoundSummary, render_summary
from storage.outbox import Landed, NewPost

log = logging.getLogger(__name__)


#: Threads posting in parallel when a round starts: enough to keep the workspace's rate
#: busy over Slack's round trip (each waits in the pacer for its channel's next slot).
FANOUT_WORKERS = 16


def thread_ref(channel: str, ts: str) -> str:
    """How a Slack thread is stored in the engine (``participation.thread_ref``)."""
    return f"{channel}:{ts}"


def split_thread_ref(ref: str) -> tuple[str, str]:
    """``(channel, thread_ts)`` of a stored thread reference."""
    channel, _, ts = ref.partition(":")
    return channel, ts


_THREAD_KEY = re.compile(r"^round:(\d+):thread:(\d+)$")
_ANNOUNCE_KEY = re.compile(r"^round:(\d+):announce$")


def landing_batch_hook(
    services: Services,
) -> Callable[[str, list[LandedPost], UpdateClaims | None], dict[int, list[QuestionMessageChange]]]:
    """What the engine must learn when posts of one workspace land, whoever sent them (the
    fan-out, the listener, the resender), with marking them sent: one transaction for the
    outbox rows and all the threads, announcements and question messages they tell (and,
    for an update of a question message, the state it now shows). Returns which question
    messages of the participations whose next question landed need an update
    (:meth:`bot.services.landings.Landings.record`), claimed in the same transaction when
    the sender passes ``updates``."""

    def landed(
        workspace: str, posts: list[LandedPost], updates: UpdateClaims | None = None
    ) -> dict[int, list[QuestionMessageChange]]:
        threads: dict[int, str] = {}
        announcements: dict[int, str] = {}
        shown = []
        sent = []
        states: dict[int, str] = {}
        findable = True
        for key, payload, posted in posts:
            sent.append(Landed(key, posted.channel, posted.ts))
            findable = findable and _found_again(payload)
            if (at := question_updates.shown_at(payload, posted)) is not None:
                shown.append(at)
            elif (now := question_updates.now_shows(payload)) is not None:
                states[now[0]] = now[1]
            if match := _THREAD_KEY.match(key):
                threads[int(match[2])] = thread_ref(posted.channel, posted.ts)
            elif match := _ANNOUNCE_KEY.match(key):
                announcements[int(match[1])] = thread_ref(posted.channel, posted.ts)
        return services.landings.record(
            workspace,
            threads,
            announcements,
            shown,
            sent,
            lazy_commit=findable,
            updates=updates,
            states=states,
        )

    return landed


def _found_again(payload: dict[str, Any]) -> bool:
    """True when the resender, taking the row over after a lost commit of its landing,
    would not post it twice: a thread post it looks for by its key in the thread, a
    reaction (Slack refuses a second one), or an update of a question message (given up,
    then the message is refreshed to the same content from the database)."""
    if question_updates.NOW_SHOWS in payload:
        return True
    method = payload.get("method")
    if method == "reactions.add":
        return True
    return (
        method == "chat.postMessage"
        and bool(payload.get("resend", True))
        and bool(payload.get("thread_ts") or payload.get("thread_of"))
    )


#: How many participants' posts a round start writes before it starts sending, when the
#: caller lets it write the rest while the first ones go out (:meth:`SlackNotifier.
#: plan_round_start`): 201 posts, four seconds of a 50/s workspace, written in a blink.
HEAD_CHAINS = 100


@dataclass(frozen=True)
class RoundStartPlan:
    """The posts of a round start, written to the outbox and not yet sent; ``rest`` are
    participants' posts not written yet (:meth:`SlackNotifier.send_round_start` writes
    them while the others go out)."""

    planned: Planned
    announce: NewPost
    chains: tuple[tuple[NewPost, ...], ...]
    delivery: str
    rest: tuple[tuple[NewPost, ...], ...] = ()
    lease: timedelta = timedelta(seconds=40)


def reminder_text(info: RoundInfo, participant: Participant, link: str | None, tz: str) -> str:
    """A reminder: the round, how many questions are left, the deadline and a link to the
    manager's thread (mrkdwn, escaped)."""
    left = left_text(info.lang, participant.answered, participant.total, info.deadline_at, tz)
    text = t(info.lang, "reminder.text", title=mrkdwn(info.title), left=left)
    if link:
        text += f" <{link}|{t(info.lang, 'reminder.link')}>"
    return text


class SlackNotifier:
    """Posts announcements, threads, reminders, digests and summaries to Slack.

    Args:
        services: to remember where threads and announcements live.
        poster: deduplicated posting.
        clients: the WebClient for a workspace (team id).
        tz: time zone for deadlines shown.
        occasion: distinguishes one reminder/digest round from the next (e.g. the
            trigger id of ``/dialog remind``); by default the current UTC hour, so the
            same reminder is sent at most once an hour.
    """

    def __init__(
        self,
        services: Services,
        poster: Poster,
        clients: Callable[[str], WebClient],
        tz: str = "Europe/Stockholm",
        occasion: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.services = services
        self.poster = poster
        self.clients = clients
        self.tz = tz
        self._occasion = occasion
        self.clock: Clock = clock or SystemClock()

    @property
    def occasion(self) -> str:
        """The key part that makes one reminder round distinct from the next."""
        return occasion_key(self._occasion, self.clock.now())

    def round_started(self, started: RoundStarted) -> None:
        """Announce the round in its channel and open a thread per participant."""
        self.send_round_start(self.plan_round_start(started))

    def start_succeeded(self, started: RoundStarted, chat_id: str) -> None:
        """Tell the process support in a direct message that the round they started has
        started (once per round and person)."""
        info = started.round
        lang = self.services.people.lang_of(info.workspace_id, chat_id)
        self.poster.post(
            self.clients(info.workspace_id),
            info.workspace_id,
            f"round:{info.round_id}:started-dm:{chat_id}",
            channel=chat_id,
            text=started_text(lang, started),
            round_id=info.round_id,
        )

    def start_refused(self, workspace: str, chat_id: str, key: str, error: DialogError) -> None:
        """Tell the process support in a direct message that the start they were told was
        under way was refused, and why (once per accepted start ``key``)."""
        lang = self.services.people.lang_of(workspace, chat_id)
        self.poster.post(
            self.clients(workspace),
            workspace,
            f"start-refused:{key}",
            channel=chat_id,
            text=refused_text(lang, error),
        )

    def plan_round_start(self, started: RoundStarted, *, head: int | None = None) -> RoundStartPlan:
        """Write the posts of the fan-out to the outbox (one statement): the announcement,
        each participant's thread opening and their first question, which goes in the
        thread once it has opened. With ``head``, only the first ``head`` participants'
        posts are written now; :meth:`send_round_start` writes the others while those go
        out (a post is always in the outbox before it is sent). A process that dies
        before or during :meth:`send_round_start` leaves what was written to the
        resender (and what was not to whoever carries out the start again); the engine
        learns each thread as it lands (:func:`landing_batch_hook`)."""
        info = started.round
        announce = self._announcement_post(info, len(started.participants))
        chains = tuple(
            tuple(self._thread_posts(info, participant, prompt))
            for participant, prompt in started.participants
        )
        count = 1 + sum(len(chain) for chain in chains)
        # Posts go at the pace of their channel (about one a second) and of the workspace:
        # lease them long enough for that.
        in_one_channel = count if info.delivery == "channel" else 3
        pacer = self.poster.pacer or Pacer()
        lease = timedelta(seconds=40 + 2 * pacer.seconds_for(count, in_one_channel))
        first = chains if head is None else chains[:head]
        posts = [announce] + [post for chain in first for post in chain]
        planned = self.poster.plan(info.workspace_id, posts, lease)
        return RoundStartPlan(planned, announce, first, info.delivery, chains[len(first) :], lease)

    def send_round_start(
        self, plan: RoundStartPlan, written: Callable[[], None] | None = None
    ) -> None:
        """Send what :meth:`plan_round_start` wrote and this process holds: the threads in
        parallel (each waits for its channel's and the workspace's next slot in the
        poster's pacer), what landed recorded in batches. The posts it left out
        (``plan.rest``) are written meanwhile, in this thread, and sent after them;
        ``written`` is called once the whole fan-out is in the outbox."""
        client = self.clients(plan.planned.workspace)
        batch = LandingBatch(self.poster)

        def send(planned: Planned, chain: tuple[NewPost, ...]) -> int:
            return self.poster.send_planned(client, replace(planned, posts=chain), batch)

        try:
            self.poster.send_planned(client, replace(plan.planned, posts=(plan.announce,)), batch)
            parallel = plan.delivery == "dm" or self.poster.pacer is not None
            count = len(plan.chains) + len(plan.rest)
            if parallel and count > 1:
                # Every DM is a channel of its own with its own rate limit; in one receiving
                # channel the pacer spaces the posts (without one, it goes in order).
                self._send_in_parallel(plan, send, written, min(FANOUT_WORKERS, count))
            else:
                for chain in plan.chains:
                    send(plan.planned, chain)
                rest = self._plan_rest(plan)
                if written is not None:
                    written()
                for chain in rest.chains:
                    send(rest.planned, chain)
        finally:
            batch.flush()

    def _send_in_parallel(
        self,
        plan: RoundStartPlan,
        send: Callable[[Planned, tuple[NewPost, ...]], int],
        written: Callable[[], None] | None,
        workers: int,
    ) -> None:
        """Send the participants' chains on ``workers`` threads, in order, the ones of
        ``plan.rest`` once this thread has written them. Each thread takes the next chain
        from a queue (one work item per thread, not per participant: handing a thousand
        participants to a pool one by one cost ~0.1 ms of CPU each). A chain that fails
        does not stop the others; the first failure is raised once all are sent."""
        jobs: SimpleQueue[tuple[int, Planned, tuple[NewPost, ...]] | None] = SimpleQueue()
        failed: list[tuple[int, Exception]] = []

        def work() -> None:
            while (job := jobs.get()) is not None:
                n, planned, chain = job
                try:
                    send(planned, chain)
                except Exception as exc:  # raised below, once the others are sent
                    failed.append((n, exc))

        with ThreadPoolExecutor(workers, thread_name_prefix="dialogbot-fanout") as pool:
            threads = [pool.submit(work) for _ in range(workers)]
            try:
                for n, chain in enumerate(plan.chains):
                    jobs.put((n, plan.planned, chain))
                rest = self._plan_rest(plan)
                if written is not None:
                    written()
                for n, chain in enumerate(rest.chains, len(plan.chains)):
                    jobs.put((n, rest.planned, chain))
            finally:
                for _ in threads:
                    jobs.put(None)
        for thread in threads:
            thread.result()
        if failed:
            raise min(failed, key=lambda item: item[0])[1]

    def _plan_rest(self, plan: RoundStartPlan) -> RoundStartPlan:
        """Write the posts :meth:`plan_round_start` left out (one statement)."""
        if not plan.rest:
            return replace(plan, chains=())
        posts = [post for chain in plan.rest for post in chain]
        planned = self.poster.plan(plan.planned.workspace, posts, plan.lease)
        return replace(plan, planned=planned, chains=plan.rest, rest=())

    def _announcement_post(self, info: RoundInfo, count: int) -> NewPost:
        message = blocks.announcement(info, count, self.tz)
        payload = message_payload(info.group_ref, message.text, message.blocks)
        return NewPost(f"round:{info.round_id}:announce", payload, info.group_ref, info.round_id)

    def _thread_posts(
        self, info: RoundInfo, participant: Participant, prompt: QuestionPrompt | None
    ) -> list[NewPost]:
        """A participant's thread opening (unless they have a thread) and first question."""
        pid = participant.participation_id
        posts: list[NewPost] = []
        thread_key = f"round:{info.round_id}:thread:{pid}"
        if participant.thread_ref:
            channel, ts = split_thread_ref(participant.thread_ref)
            where: dict[str, str] = {"channel": channel, "thread_ts": ts}
        else:
            target = info.group_ref if info.delivery == "channel" else participant.chat_id
            intro = blocks.thread_intro(info, participant)
            posts.append(
                NewPost(thread_key, message_payload(target, intro.text), target, info.round_id, pid)
            )
            where = {"channel": target, "thread_of": thread_key}
        if prompt is not None:
            message = blocks.prompt_message(prompt)
            payload = {**message_payload("", message.text, message.blocks), **where}
            payload[question_updates.SHOWS] = question_updates.shows(prompt)
            first_key = f"round:{info.round_id}:first:{pid}"
            posts.append(NewPost(first_key, payload, where["channel"], info.round_id, pid))
        return posts

    def open_thread(
        self,
        client: WebClient,
        info: RoundInfo,
        participant: Participant,
        prompt: QuestionPrompt | None,
    ) -> Posted | None:
        """Make sure the participant has a thread and their current question is in it.

        In ``channel`` delivery the thread hangs off a message in the receiving channel;
        in ``dm`` delivery off a message in the app's DM with the manager.
        """
        ws = info.workspace_id
        if participant.thread_ref:
            channel, ts = split_thread_ref(participant.thread_ref)
            where = Posted(channel, ts)
        else:
            target = info.group_ref if info.delivery == "channel" else participant.chat_id
            intro = blocks.thread_intro(info, participant)
            posted = self.poster.post(
                client,
                ws,
                f"round:{info.round_id}:thread:{participant.participation_id}",
                channel=target,
                text=intro.text,
                resend=False,
                round_id=info.round_id,
                participation_id=participant.participation_id,
            )
            if posted is None:
                log.warning(
                    "no thread for participation %s yet; /dialog remind retries",
                    participant.participation_id,
                )
                return None
            where = posted
            self.services.rounds.set_thread(
                ws, participant.participation_id, thread_ref(where.channel, where.ts)
            )
        if prompt is not None:
            message = blocks.prompt_message(prompt)
            first = self.poster.post(
                client,
                ws,
                f"round:{info.round_id}:first:{participant.participation_id}",
                channel=where.channel,
                thread_ts=where.ts,
                text=message.text,
                blocks=message.blocks,
                round_id=info.round_id,
                participation_id=participant.participation_id,
            )
            if first is not None:
                question_updates.record(self.services, ws, prompt, first)
        return where

    def remind(
        self, info: RoundInfo, participant: Participant, prompt: QuestionPrompt | None
    ) -> None:
        """Remind one participant in their thread (creating it if it is missing)."""
        ws = info.workspace_id
        client = self.clients(ws)
        if not participant.thread_ref:
            self.open_thread(client, info, participant, prompt)
            return
        channel, ts = split_thread_ref(participant.thread_ref)
        text = f"{blocks.mention(participant.chat_id, participant.name)} " + reminder_text(
            info, participant, permalink(client, participant.thread_ref), self.tz
        )
        reminder_blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": blocks.clip(text, 3000)}}
        ]
        if prompt is not None:
            reminder_blocks += blocks.prompt_message(prompt).blocks or []
        reminder = self.poster.post(
            client,
            ws,
            f"remind:{info.round_id}:{participant.participation_id}:{self.occasion}",
            channel=channel,
            thread_ts=ts,
            text=text,
            blocks=reminder_blocks,
            round_id=info.round_id,
            participation_id=participant.participation_id,
        )
        if reminder is not None and prompt is not None:
            question_updates.record(self.services, ws, prompt, reminder)

    def digest(self, status: RoundStatus, recipients: list[str]) -> None:
        """Send process supports (chat ids) the round's progress as a direct message."""
        info = status.round
        client = self.clients(info.workspace_id)
        text = blocks.status_text(status, self.tz)
        for chat_id in recipients:
            self.poster.post(
                client,
                info.workspace_id,
                f"digest:{info.round_id}:{chat_id}:{self.occasion}",
                channel=chat_id,
                text=text,
                round_id=info.round_id,
            )

    def schedule_failed(
        self, workspace: str, recipients: list[str], reason: str, lang: str
    ) -> None:
        """Tell process supports in a direct message that the schedule cannot be planned."""
        client = self.clients(workspace)
        text = t(lang, "schedule.planning_failed", reason=mrkdwn(reason))
        for chat_id in recipients:
            self.poster.post(
                client,
                workspace,
                f"schedule-failed:{chat_id}:{self.occasion}",
                channel=chat_id,
                text=text,
            )

    def summary_ready(self, summary: RoundSummary) -> None:
        """Post a closed round's summary to its receiving channel."""
        self.post_summary(summary, f"round:{summary.round.round_id}:summary")

    def post_summary(self, summary: RoundSummary, key: str) -> None:
        """Post ``summary`` under ``key``: split over several messages when long, as a
        short overview plus a Markdown file when even that is too long."""
        info = summary.round
        ws = info.workspace_id
        client = self.clients(ws)
        messages = blocks.summary_messages(summary, thread_permalinks(client, summary))
        if messages is None:
            overview = blocks.summary_overview(summary)
            self.poster.post(
                client,
                ws,
                f"{key}:overview",
                channel=info.group_ref,
                text=overview.text,
                blocks=overview.blocks,
                round_id=info.round_id,
            )
            self.poster.upload(
                client,
                ws,
                f"{key}:file",
                channel=info.group_ref,
                filename=blocks.summary_filename(info),
                content=render_summary(summary, "md"),
                title=f"{t(info.lang, 'summary.title')}: {info.title}",
            )
            return
        for n, message in enumerate(messages):
            self.poster.post(
                client,
                ws,
                f"{key}:{n}",
                channel=info.group_ref,
                text=message.text,
                blocks=message.blocks,
                round_id=info.round_id,
            )
