"""A participant's thread: replies, edits, deletions and buttons become engine calls, and
the engine's outcome becomes a reaction, a confirmation and the next question.

Message keys follow ``slack:{channel}:{ts}`` (the answer's own Slack message), so a
replayed event is recognised by the engine; every post derives its key from the same
message key, so a replay re-posts only what was never recorded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any, Literal

from slack_sdk import WebClient

from bot.errors import (
    DialogError,
    NoParticipation,
    NothingToEdit,
    NotYourThread,
    QuestionNotCurrent,
    UnknownPerson,
)
from bot.escaping import mrkdwn
from bot.i18n import DEFAULT_LANG, t
from bot.results import Outcome, Participant, QuestionPrompt
from bot.slack import blocks, question_updates
from bot.slack.button_values import QuestionButton
from bot.slack.context import SlackContext, error_text
from bot.slack.notifier import split_thread_ref, thread_ref
from bot.slack.recap import recap_message

log = logging.getLogger(__name__)

CONFIRM_REACTION = "white_check_mark"
#: Message subtypes that are a person writing something (others are joins, topics, ...).
REPLY_SUBTYPES = (None, "thread_broadcast", "file_share")


@dataclass(frozen=True)
class Step:
    """What an incoming message did to the stored state, and what is left to post."""

    kind: Literal["reply", "not_yours", "error", "edited", "withdrawn"]
    channel: str
    thread: str
    key: str
    ts: str
    user: str
    outcome: Outcome | None = None
    text: str = ""


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
    #
    # Handling a message has two halves. ``receive`` changes the stored state and runs
    # before Slack gets its acknowledgement, so an answer that was acknowledged is an
    # answer that was stored; when the database is unreachable the request fails and
    # Slack delivers the event again. ``deliver`` posts about it after the ack.

    def receive(self, event: dict[str, Any]) -> Step | None:
        """Apply a message event (reply, edit or deletion); what to post, or None."""
        subtype = event.get("subtype")
        channel = str(event.get("channel") or "")
        if subtype == "message_changed":
            message = event.get("message") or {}
            if message.get("bot_id") or not message.get("edited") or not message.get("ts"):
                return None  # our own updates, or reply-count changes of a parent message
            edit_ts = str(message["edited"].get("ts") or event.get("ts"))
            return self._receive_edit(
                channel, str(message["ts"]), edit_ts, str(message.get("text") or "")
            )
        if subtype == "message_deleted":
            deleted = str(
                event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts") or ""
            )
            return self._receive_delete(channel, deleted) if deleted else None
        if subtype not in REPLY_SUBTYPES or event.get("bot_id") or not event.get("user"):
            return None
        thread_ts = event.get("thread_ts")
        im = event.get("channel_type") == "im"
        if not thread_ts and not im:
            return None  # top-level channel chatter is none of our business
        return self._receive_reply(
            channel,
            str(thread_ts) if thread_ts else None,
            str(event["ts"]),
            str(event["user"]),
            str(event.get("text") or ""),
            im,
        )

    def deliver(self, step: Step) -> None:
        """Post what a received message calls for: a reaction and the next question, a
        confirmation of an edit, a refusal, or a private note to someone else."""
        if step.kind == "not_yours":
            self.poster.ephemeral(
                self.client,
                self.ws,
                f"{step.key}:not_yours",
                channel=step.channel,
                user=step.user,
                thread_ts=step.thread,
                text=step.text,
            )
        elif step.kind == "error":
            self._say(step.channel, step.thread, f"{step.key}:error", step.text)
        elif step.outcome is not None and step.kind == "reply":
            if step.outcome.kind == "answered":  # a redelivery was confirmed the first time
                self.poster.react(self.client, step.channel, step.ts, CONFIRM_REACTION)
            self.follow_up(step.outcome, step.outcome.lang, step.channel, step.thread, step.key)
            self.refresh_questions(step.outcome.participation_id, step.outcome.prompt)
        elif step.outcome is not None:
            self._confirm_change(step.outcome, step.kind, step.key)
            self.refresh_questions(step.outcome.participation_id)

    def _receive_reply(
        self, channel: str, thread_ts: str | None, ts: str, user: str, text: str, im: bool
    ) -> Step | None:
        key = message_key(channel, ts)
        if thread_ts:
            ref = thread_ref(channel, thread_ts)
            try:
                outcome = self.engine.reply_in_thread(self.ws, ref, user, text, key)
            except NotYourThread as err:
                lang = self.ctx.lang_for(self.ws, user)
                return Step(
                    "not_yours", channel, thread_ts, key, ts, user, text=error_text(lang, err)
                )
            except DialogError as err:
                found = self.engine.participation_for_thread(self.ws, ref)
                lang = found.lang if found else DEFAULT_LANG
                return Step("error", channel, thread_ts, key, ts, user, text=error_text(lang, err))
            if outcome is not None:
                return Step("reply", channel, thread_ts, key, ts, user, outcome)
            if not im:
                return None
        participant = self._dm_participant(channel, user)
        if participant is None:
            return None
        _, thread = split_thread_ref(participant.thread_ref or "")
        try:
            outcome = self.engine.reply(self.ws, participant.participation_id, text, key)
        except DialogError as err:
            return Step(
                "error", channel, thread, key, ts, user, text=error_text(participant.lang, err)
            )
        return Step(
            "reply", channel, thread, key, ts, user, replace(outcome, lang=participant.lang)
        )

    def _receive_edit(self, channel: str, ts: str, edit_ts: str, text: str) -> Step | None:
        key = f"{message_key(channel, ts)}:edit:{edit_ts}"
        try:
            outcome = self.engine.edit_by_source(self.ws, message_key(channel, ts), text, key)
        except NothingToEdit:
            return None
        except DialogError as err:
            return self._error_step(channel, ts, key, err)
        return Step("edited", channel, "", key, ts, "", outcome)

    def _receive_delete(self, channel: str, ts: str) -> Step | None:
        key = f"{message_key(channel, ts)}:deleted"
        try:
            outcome = self.engine.withdraw_by_source(self.ws, message_key(channel, ts), key)
        except NothingToEdit:
            return None
        except DialogError as err:
            return self._error_step(channel, ts, key, err)
        return Step("withdrawn", channel, "", key, ts, "", outcome)

    # Buttons ------------------------------------------------------------------------

    def button(
        self,
        action_id: str,
        pressed: QuestionButton,
        user: str,
        channel: str,
        message_ts: str,
        nonce: str,
    ) -> Participant | None:
        """Skip or finish from the buttons under a question; returns the participant when the
        user may act (so the caller can open the form), None otherwise.

        Skip and finish act only on the button's own question: on a question that is no
        longer current they change nothing and the clicker gets a private note saying
        which question is current (``nonce``, the click's own id, keys that note).
        """
        participation_id = pressed.participation_id
        target = self._button_target(action_id, participation_id, user, channel, message_ts)
        if target is None:
            return None
        participant, thread, key = target
        if action_id not in (blocks.ACTION_SKIP, blocks.ACTION_FINISH):
            return participant
        question = pressed.question_ref if pressed.question_ref is not None else ""
        note = f"{key}:{user}:{nonce}"
        lang = participant.lang
        try:
            if action_id == blocks.ACTION_SKIP:
                outcome = self.engine.skip(self.ws, participation_id, key, question)
            else:
                outcome = self.engine.finish(self.ws, participation_id, key, question)
        except QuestionNotCurrent as err:
            self.note(channel, user, thread, f"{note}:not_current", error_text(lang, err))
            if err.number is None and err.current is not None:
                self._show_current(participant, channel, thread, f"{key}:current")
            self.refresh_questions(participation_id)
            return None
        except DialogError as err:
            self.note(channel, user, thread, f"{note}:error", error_text(lang, err))
            return None
        if outcome.kind == "already_finished":
            self.note(channel, user, thread, f"{note}:finished", t(lang, "already_finished"))
        else:
            self.follow_up(outcome, lang, channel, thread, key)
        self.refresh_questions(participation_id, outcome.prompt)
        return participant

    def note(self, channel: str, user: str, thread: str, key: str, text: str) -> None:
        """A private note to ``user`` in the thread (an ephemeral message)."""
        self.poster.ephemeral(
            self.client,
            self.ws,
            key,
            channel=channel,
            user=user,
            thread_ts=thread or None,
            text=text,
        )

    def refresh_questions(
        self, participation_id: int, current: QuestionPrompt | None = None
    ) -> None:
        """Update the participation's question messages whose state changed (``current``:
        the question the participant is on now, when known)."""
        question_updates.refresh(
            self.engine, self.poster, self.client, self.ws, participation_id, current
        )

    def _show_current(self, participant: Participant, channel: str, thread: str, key: str) -> None:
        """Post the current question again, with buttons that say which question it is."""
        prompt = self.engine.current_prompt(self.ws, participant.participation_id)
        if prompt is not None:
            self._post_prompt(prompt, channel, thread, key)

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
        self.refresh_questions(participant.participation_id, outcome.prompt)

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
            self._post_prompt(outcome.prompt, channel, thread, next_key)
        elif outcome.kind == "already_finished":
            self._say(channel, thread, next_key, t(lang, "already_finished"))
        elif outcome.kind != "edited" and outcome.kind != "withdrawn":
            sheet = self.engine.answer_sheet(self.ws, outcome.participation_id)
            recap = recap_message(sheet, lang, outcome.participation_id)
            self.poster.post(
                self.client,
                self.ws,
                next_key,
                channel=channel,
                thread_ts=thread,
                text=recap.text,
                blocks=recap.blocks,
            )

    def _post_prompt(self, prompt: QuestionPrompt, channel: str, thread: str, key: str) -> None:
        """Post a question with its buttons and record where it is."""
        message = blocks.prompt_message(prompt)
        posted = self.poster.post(
            self.client,
            self.ws,
            key,
            channel=channel,
            thread_ts=thread,
            text=message.text,
            blocks=message.blocks,
        )
        if posted is not None:
            question_updates.record(self.engine, self.ws, prompt, posted)

    def _confirm_change(self, outcome: Outcome, what: str, key: str) -> None:
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

    def _error_step(self, channel: str, ts: str, key: str, err: DialogError) -> Step | None:
        """Where to say that an edit or deletion of message ``ts`` was refused."""
        participant = self._participant_by_source(channel, ts)
        if participant is None or not participant.thread_ref:
            return None
        thread_channel, thread = split_thread_ref(participant.thread_ref)
        text = error_text(participant.lang, err)
        return Step("error", thread_channel, thread, key, ts, "", text=text)

    def _say(self, channel: str, thread: str, key: str, text: str) -> None:
        self.poster.post(self.client, self.ws, key, channel=channel, thread_ts=thread, text=text)

    # Lookups ------------------------------------------------------------------------

    def _dm_participant(self, channel: str, user: str) -> Participant | None:
        """A message in the DM outside a thread: the participant's only open thread here."""
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
