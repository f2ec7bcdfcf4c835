"""``TeamsNotifier``: the :class:`bot.ports.Notifier` port implemented with Teams posts.

The scheduler, the commands and the CLI use it for round starts, reminders, digests,
summaries and schedule problems. Managers get their questions in their personal chat
with the bot (Teams' natural channel: the bot sees every message there, while in a team
channel it only sees messages that @mention it); announcements and summaries go to the
receiving group's channel. Every post has a key, so calling a method again posts nothing
twice and fills in what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

from bot.clock import Clock, SystemClock
from bot.domain.errors import DialogError
from bot.domain.posts import occasion_key
from bot.domain.results import Participant, QuestionPrompt, RoundInfo, RoundStarted, RoundStatus
from bot.escaping import markdown
from bot.i18n import t
from bot.progress_text import left_text
from bot.services.conversations import NewPost
from bot.summary import RoundSummary, render_summary
from bot.teams import cards
from bot.teams.sender import Planned, TeamsSender

#: Threads sending a fan-out's personal chats (one Connector round trip each at a time).
#: The rate limiter counts calls in flight, so more threads cannot go over a limit; they
#: keep the tenant's 30 calls a second busy when round trips and the outbox's writes are
#: slow (4 threads fell behind at ~300 ms per manager on a loaded machine; 16 on SQLite
#: mostly wait for each other's writes).
FANOUT_WORKERS = 8
#: Threads creating personal chats while a round is being stored: a few keep up with the
#: tenant's pace, and every extra thread takes the interpreter lock from the start's own
#: (CPU-bound) work.
PREPARE_WORKERS = 2


def prompt_post(
    key: str, prompt: QuestionPrompt, target: dict[str, str], intro: str = ""
) -> NewPost:
    """A question card for ``target`` (``{"user": …}`` or ``{"conversation": …}``); where
    it lands is recorded so the card can be updated once the question is answered."""
    payload = {
        "op": "send",
        **target,
        "activity": cards.question_activity(prompt, intro),
        "shows": {"pid": prompt.participation_id, "ref": prompt.ref},
    }
    return NewPost(
        key, payload, target.get("conversation"), prompt.round_id, prompt.participation_id
    )


class TeamsNotifier:
    """Posts announcements, questions, reminders, digests and summaries to Teams.

    Args:
        sender: the outbox sender.
        tz: time zone of deadlines shown.
        occasion: distinguishes one reminder round from the next (by default the hour).
        clock: for the default occasion.
        fanout_workers: threads sending a round start's personal chats.
    """

    def __init__(
        self,
        sender: TeamsSender,
        tz: str = "Europe/Stockholm",
        occasion: str | None = None,
        clock: Clock | None = None,
        fanout_workers: int = FANOUT_WORKERS,
    ) -> None:
        self.sender = sender
        self.fanout_workers = fanout_workers
        self.tz = tz
        self._occasion = occasion
        self.clock: Clock = clock or SystemClock()

    @property
    def occasion(self) -> str:
        """The key part that makes one reminder round distinct from the next."""
        return occasion_key(self._occasion, self.clock.now())

    def round_started(self, started: RoundStarted) -> None:
        """Announce the round and give every participant their first question."""
        self.send_round_start(self.plan_round_start(started))

    def start_succeeded(self, started: RoundStarted, chat_id: str) -> None:
        """Tell the process support in their personal chat that the round they started
        has started (a start the scheduler took over; once per round and person)."""
        info = started.round
        text = t(
            info.lang,
            "teams.started",
            round_id=info.round_id,
            title=markdown(info.title),
            count=len(started.participants),
        )
        payload = {"op": "send", "user": chat_id, "activity": cards.message(text=text)}
        key = f"round:{info.round_id}:started-dm:{chat_id}"
        self.sender.post(info.workspace_id, NewPost(key, payload, None, info.round_id))

    def start_refused(self, workspace: str, chat_id: str, key: str, error: DialogError) -> None:
        """Tell the process support in their personal chat that the start they were told
        about was refused, and why (once per accepted start ``key``)."""
        lang = self.sender.services.people.lang_of(workspace, chat_id)
        reason = t(lang, error.key, **{k: markdown(v) for k, v in error.params.items()})
        text = t(lang, "teams.start_failed", reason=reason)
        payload = {"op": "send", "user": chat_id, "activity": cards.message(text=text)}
        self.sender.post(workspace, NewPost(f"start-refused:{key}", payload))

    def send_round_start(self, planned: Planned) -> None:
        """Send a planned fan-out: the announcement, then the personal chats in parallel
        (each is a conversation of its own; the rate limiter keeps the tenant's pace)."""
        announce, chats = planned.posts[:1], planned.posts[1:]
        self.sender.send_planned(replace(planned, posts=announce))
        if len(chats) <= 1 or self.fanout_workers <= 1:
            self.sender.send_planned(replace(planned, posts=chats))
            return
        with ThreadPoolExecutor(
            self.fanout_workers, thread_name_prefix="dialogbot-teams-fanout"
        ) as pool:
            list(
                pool.map(
                    lambda post: self.sender.send_planned(replace(planned, posts=(post,))),
                    chats,
                )
            )

    def prepare_round_start(self, workspace: str, chat_ids: Sequence[str]) -> Callable[[], None]:
        """Create the personal chats of a round start's likely participants while the round
        is being stored (:meth:`TeamsSender.open_personal_chats`; not on one thread,
        where tests run on virtual time); returns the function that ends it."""
        if self.fanout_workers <= 1 or not chat_ids:
            return lambda: None
        return self.sender.open_personal_chats(workspace, chat_ids, PREPARE_WORKERS)

    def plan_round_start(self, started: RoundStarted) -> Planned:
        """Write the fan-out to the outbox (call it before acknowledging the start)."""
        info = started.round
        posts = [
            NewPost(
                f"round:{info.round_id}:announce",
                {
                    "op": "channel",
                    "channel": info.group_ref,
                    "activity": cards.announcement(info, len(started.participants), self.tz),
                },
                info.group_ref,
                info.round_id,
            )
        ]
        for participant, prompt in started.participants:
            posts.append(
                prompt_post(
                    f"round:{info.round_id}:first:{participant.participation_id}",
                    prompt,
                    {"user": participant.chat_id},
                    cards.intro_text(info, participant),
                )
            )
        # Sent at the tenant's pace (about 30 a second): lease them long enough.
        lease = timedelta(seconds=40 + len(posts) // 10)
        return self.sender.plan(info.workspace_id, posts, lease)

    def remind(
        self, info: RoundInfo, participant: Participant, prompt: QuestionPrompt | None
    ) -> None:
        """Remind one participant in their personal chat, with their current question."""
        left = left_text(
            info.lang, participant.answered, participant.total, info.deadline_at, self.tz
        )
        text = t(info.lang, "reminder.text", title=markdown(info.title), left=left)
        key = f"remind:{info.round_id}:{participant.participation_id}:{self.occasion}"
        target = {"user": participant.chat_id}
        if prompt is not None:
            post = prompt_post(key, prompt, target, text.replace("*", "**"))
        else:
            payload = {"op": "send", **target, "activity": cards.message(text=text)}
            post = NewPost(key, payload, None, info.round_id, participant.participation_id)
        self.sender.post(info.workspace_id, post)

    def digest(self, status: RoundStatus, recipients: list[str]) -> None:
        """Tell process supports in their personal chat who is still missing."""
        info = status.round
        text = cards.status_text(status, self.tz)
        for chat_id in recipients:
            payload = {"op": "send", "user": chat_id, "activity": cards.message(text=text)}
            key = f"digest:{info.round_id}:{chat_id}:{self.occasion}"
            self.sender.post(info.workspace_id, NewPost(key, payload, None, info.round_id))

    def summary_ready(self, summary: RoundSummary) -> None:
        """Post a closed round's summary to the receiving channel: the first card starts a
        thread, further cards (a long summary) are replies in it."""
        info = summary.round
        parts = cards.summary_cards(render_summary(summary, "md"), info.title, info.lang)
        first = f"round:{info.round_id}:summary:0"
        for n, card in enumerate(parts):
            activity = cards.message(cards=[card])
            if n == 0:
                payload = {"op": "channel", "channel": info.group_ref, "activity": activity}
            else:
                payload = {"op": "send", "thread_of": first, "activity": activity}
            key = f"round:{info.round_id}:summary:{n}"
            self.sender.post(
                info.workspace_id, NewPost(key, payload, info.group_ref, info.round_id)
            )

    def schedule_failed(
        self, workspace: str, recipients: list[str], reason: str, lang: str
    ) -> None:
        """Tell process supports that the workspace's schedule cannot be planned."""
        text = t(lang, "schedule.planning_failed", reason=markdown(reason))
        for chat_id in recipients:
            payload = {"op": "send", "user": chat_id, "activity": cards.message(text=text)}
            key = f"schedule-failed:{chat_id}:{self.occasion}"
            self.sender.post(workspace, NewPost(key, payload))
