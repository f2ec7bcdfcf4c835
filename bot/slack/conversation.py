"""A participant's thread: replies, edits, deletions and buttons become engine calls, and
the engine's outcome becomes a reaction, a confirmation and the next question.

Message keys follow ``slack:{channel}:{ts}`` (the answer's own Slack message), so a
replayed event is recognised by the engine; every post derives its key from the same
message key, so a replay re-posts only what was never recorded.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.errors import DialogError, NoParticipation, NothingToEdit, UnknownPerson
from bot.escaping import mrkdwn
from bot.i18n import t
from bot.results import Outcome, Participant
from bot.slack import blocks
from bot.slack.context import SlackContext, error_text
from bot.slack.notifier import split_thread_ref, thread_ref

log = logging.getLogger(__name__)

CONFIRM_REACTION = "white_check_mark"


def message_key(channel: str, ts: str) -> str:
    """The engine's idempotency key (and answer source) for a Slack message."""
    return f"slack:{channel}:{ts}"


class Conversation:
    """Handles one workspace's thread traffic with one WebClient."""

    def __init__(self, ctx: SlackContext, client: WebClient, workspace: str) -> None:
        self.ctx = ctx
        self.engine = ctx.engine
        self.poster = ctx.poster
        self.client = client
        self.ws = workspace

    # Incoming messages ----------------------------------------------------------

    def reply(
        self, channel: str, thread_ts: str | None, ts: str, user: str, text: str, im: bool
    ) -> None:
        """A message in a thread (or, in a DM, anywhere) that may answer a question."""
        participant = self._participant_for(channel, thread_ts, user, im)
        if participant is None:
            return
        _, thread = split_thread_ref(participant.thread_ref or "")
        key = message_key(channel, ts)
        if user != participant.chat_id:
            self.poster.ephemeral(
                self.client,
                self.ws,
                f"{key}:not_yours",
                channel=channel,
                user=user,
                thread_ts=thread,
                text=t(participant.lang, "not_your_thread", name=mrkdwn(participant.name)),
            )
            return
        try:
            outcome = self.engine.reply(self.ws, participant.participation_id, text, key)
        except DialogError as err:
            self._say(channel, thread, f"{key}:error", error_text(participant.lang, err))
            return
        if outcome.kind in ("answered", "duplicate"):
            self.poster.react(self.client, channel, ts, CONFIRM_REACTION)
        self.follow_up(outcome, participant.lang, channel, thread, key)

    def edit(self, channel: str, ts: str, edit_ts: str, text: str) -> None:
        """An edited message: update the answer that came from it (and its history)."""
        key = f"{message_key(channel, ts)}:edit:{edit_ts}"
        try:
            outcome = self.engine.edit_by_source(self.ws, message_key(channel, ts), text, key)
        except NothingToEdit:
            return
        except DialogError as err:
            self._reply_error(channel, ts, key, err)
            return
        self._confirm_change(outcome, "edited", channel, key)

    def delete(self, channel: str, ts: str) -> None:
        """A deleted message: withdraw the answer that came from it."""
        key = f"{message_key(channel, ts)}:deleted"
        try:
            outcome = self.engine.withdraw_by_source(self.ws, message_key(channel, ts), key)
        except NothingToEdit:
            return
        except DialogError as err:
            self._reply_error(channel, ts, key, err)
            return
        self._confirm_change(outcome, "withdrawn", channel, key)

    # Buttons ------------------------------------------------------------------------

    def button(
        self, action_id: str, participation_id: int, user: str, channel: str, message_ts: str
    ) -> Participant | None:
        """Skip or finish from the buttons under a question; returns the participant when the
        user may act (so the caller can open the form), None otherwise."""
        target = self._button_target(action_id, participation_id, user, channel, message_ts)
        if target is None:
            return None
        participant, thread, key = target
        try:
            if action_id == blocks.ACTION_SKIP:
                outcome = self.engine.skip(self.ws, participation_id, key)
            elif action_id == blocks.ACTION_FINISH:
                outcome = self.engine.finish(self.ws, participation_id, key)
            else:
                return participant
        except DialogError as err:
            self._say(channel, thread, f"{key}:error", error_text(participant.lang, err))
            return None
        self.follow_up(outcome, participant.lang, channel, thread, key)
        return participant

    def _button_target(
        self, action_id: str, participation_id: int, user: str, channel: str, message_ts: str
    ) -> tuple[Participant, str, str] | None:
        """The participant a button acts for, their thread and the action's key; None (with
        a private note to the clicker) when someone else clicked."""
        try:
            participant = self.engine.participant(self.ws, participation_id)
        except NoParticipation:
            return None
        _, thread = split_thread_ref(participant.thread_ref or f"{channel}:{message_ts}")
        key = f"slack:action:{channel}:{message_ts}:{action_id}"
        if user != participant.chat_id:
            self.poster.ephemeral(
                self.client,
                self.ws,
                f"{key}:{user}:not_yours",
                channel=channel,
                user=user,
                thread_ts=thread,
                text=t(participant.lang, "not_your_thread", name=mrkdwn(participant.name)),
            )
            return None
        return participant, thread, key

    def form_saved(self, participant: Participant, answers: dict[str, str], view_id: str) -> None:
        """Answers from the form modal."""
        channel, thread = split_thread_ref(participant.thread_ref or "")
        key = f"slack:view:{view_id}"
        try:
            outcome = self.engine.submit_form(self.ws, participant.participation_id, answers, key)
        except DialogError as err:
            if channel:
                self._say(channel, thread, f"{key}:error", error_text(participant.lang, err))
            return
        if not channel:
            return
        if outcome.kind == "form_saved":
            self._say(channel, thread, f"{key}:saved", t(participant.lang, "slack.form_saved"))
        self.follow_up(outcome, participant.lang, channel, thread, key)

    # Output -------------------------------------------------------------------------

    def activities_button(
        self, action_id: str, participation_id: int, user: str, channel: str, message_ts: str
    ) -> Participant | None:
        """Confirm the proposed activities; for "correct", return the participant so the
        caller can open the correction modal. None when the user may not act."""
        target = self._button_target(action_id, participation_id, user, channel, message_ts)
        if target is None:
            return None
        participant, thread, key = target
        if action_id == blocks.ACTION_CORRECT_ACTIVITIES:
            return participant
        try:
            outcome = self.engine.confirm_activities(self.ws, participation_id, key)
        except DialogError as err:
            self._say(channel, thread, f"{key}:error", error_text(participant.lang, err))
            return None
        self.follow_up(outcome, participant.lang, channel, thread, key)
        return participant

    def activities_corrected(self, participant: Participant, text: str, view_id: str) -> None:
        """A corrected activity list from the modal."""
        channel, thread = split_thread_ref(participant.thread_ref or "")
        key = f"slack:view:{view_id}"
        try:
            outcome = self.engine.correct_activities(
                self.ws, participant.participation_id, text, key
            )
        except DialogError as err:
            if channel:
                self._say(channel, thread, f"{key}:error", error_text(participant.lang, err))
            return
        if channel:
            self.follow_up(outcome, participant.lang, channel, thread, key)

    def follow_up(self, outcome: Outcome, lang: str, channel: str, thread: str, key: str) -> None:
        """Post what comes after an outcome: activities to confirm or a saved follow-up,
        then the next question or the closing words."""
        about_activities = blocks.activities_message(outcome, lang)
        if about_activities is not None and outcome.kind != "duplicate":
            self.poster.post(
                self.client,
                self.ws,
                f"{key}:activities",
                channel=channel,
                thread_ts=thread,
                text=about_activities.text,
                blocks=about_activities.blocks,
            )
        if outcome.kind in ("activities_confirmed", "activities_corrected"):
            return
        next_key = f"{key}:next"
        if outcome.prompt is not None:
            message = blocks.prompt_message(outcome.prompt)
            self.poster.post(
                self.client,
                self.ws,
                next_key,
                channel=channel,
                thread_ts=thread,
                text=message.text,
                blocks=message.blocks,
            )
        elif outcome.kind == "already_finished":
            self._say(channel, thread, next_key, t(lang, "already_finished"))
        elif outcome.kind != "edited" and outcome.kind != "withdrawn":
            self._say(channel, thread, next_key, t(lang, "finished"))

    def _confirm_change(self, outcome: Outcome, what: str, channel: str, key: str) -> None:
        if outcome.kind == "duplicate" or outcome.question_number is None:
            return
        participant = self.engine.participant(self.ws, outcome.participation_id)
        if not participant.thread_ref:
            return
        thread_channel, thread = split_thread_ref(participant.thread_ref)
        self._say(
            thread_channel,
            thread,
            f"{key}:ack",
            t(participant.lang, what, n=outcome.question_number),
        )

    def _reply_error(self, channel: str, ts: str, key: str, err: DialogError) -> None:
        participant = self._participant_by_source(channel, ts)
        if participant is None or not participant.thread_ref:
            return
        thread_channel, thread = split_thread_ref(participant.thread_ref)
        self._say(thread_channel, thread, f"{key}:error", error_text(participant.lang, err))

    def _say(self, channel: str, thread: str, key: str, text: str) -> None:
        self.poster.post(self.client, self.ws, key, channel=channel, thread_ts=thread, text=text)

    # Lookups ------------------------------------------------------------------------

    def _participant_for(
        self, channel: str, thread_ts: str | None, user: str, im: bool
    ) -> Participant | None:
        if thread_ts:
            found = self.engine.participation_for_thread(self.ws, thread_ref(channel, thread_ts))
            if found is not None or not im:
                return found
        if not im:
            return None
        # A message in the DM outside the thread: the participant's only open thread here.
        try:
            pending = self.engine.pending_for(self.ws, user)
        except UnknownPerson:
            return None
        here = [
            p for p, _ in pending if p.thread_ref and split_thread_ref(p.thread_ref)[0] == channel
        ]
        return here[0] if len(here) == 1 else None

    def _participant_by_source(self, channel: str, ts: str) -> Participant | None:
        with self.engine.unit_of_work(self.ws) as uow:
            answer = uow.repo.answer_by_source(message_key(channel, ts))
            pid = answer.participation_id if answer is not None else None
        return None if pid is None else self.engine.participant(self.ws, pid)
