"""A participant's thread: replies, edits, deletions and buttons become engine calls, and
the engine's outcome becomes a reaction, a confirmation and the next question.

Message keys follow ``slack:{channel}:{ts}`` (the answer's own Slack message), so a
replayed event is recognised by the engine; every post derives its key from the same
message key, so a replay plans the same posts and the outbox keeps the first of each.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from slack_sdk import WebClient

from bot.domain import round_choice
from bot.domain.errors import (
    DialogError,
    NoParticipation,
    NothingToEdit,
    NotYourThread,
    QuestionNotCurrent,
    RoundClosed,
    UnknownPerson,
    UnknownRound,
)
from bot.domain.results import Outcome, Participant, QuestionMessageChange, QuestionPrompt
from bot.escaping import mrkdwn
from bot.i18n import DEFAULT_LANG, t
from bot.slack import blocks, choose_round, question_updates
from bot.slack.button_values import QuestionButton
from bot.slack.context import SlackContext, error_text
from bot.slack.notifier import split_thread_ref, thread_ref
from bot.slack.poster import (
    LandingBatch,
    Planned,
    ephemeral_payload,
    message_payload,
    reaction_payload,
)
from bot.slack.recap import recap_message
from storage.outbox import NewPost

log = logging.getLogger(__name__)

CONFIRM_REACTION = "white_check_mark"
#: Message subtypes that are a person writing something (others are joins, topics, ...).
REPLY_SUBTYPES = (None, "thread_broadcast", "file_share")


@dataclass(frozen=True)
class Step:
    """What an incoming message did to the stored state, and what is left to post."""

    kind: Literal["reply", "not_yours", "error", "edited", "withdrawn", "choose"]
    channel: str
    thread: str
    key: str
    ts: str
    user: str
    outcome: Outcome | None = None
    text: str = ""
    #: For ``choose``: the open rounds a top-level DM could be for, with their titles.
    choices: tuple[tuple[Participant, str], ...] = ()
    lang: str = DEFAULT_LANG
    #: Posts the engine already wrote to the outbox with the change (one transaction).
    planned: Planned | None = None


@dataclass
class _StepPlanner:
    """Plans a message's posts inside the engine's transaction (:class:`bot.ports.PostPlanner`)."""

    conversation: Conversation
    kind: Literal["reply", "edited", "withdrawn"]
    channel: str
    thread: str
    ts: str
    key: str
    lease: timedelta
    posts: list[NewPost] = field(default_factory=list)
    updates: tuple[QuestionMessageChange, ...] = ()
    result: Planned | None = None
    platform: str = "slack"

    def posts_for(self, outcome: Outcome) -> list[NewPost]:
        """The reaction and the follow-up of a reply, the confirmation of an edit; and the
        claims of the updates of the question messages the outcome put out of date."""
        step = Step(self.kind, self.channel, self.thread, self.key, self.ts, "", outcome)
        self.posts = self.conversation.posts_for(step)
        self.updates = outcome.updates
        return self.posts + question_updates.update_claims(self.updates)

    def planned(self, keys: set[str], lease_until: datetime) -> None:
        """Remember what was written, to send it after the ack."""
        self.result = Planned(
            self.conversation.ws, tuple(self.posts), frozenset(keys), lease_until, self.updates
        )


def message_key(channel: str, ts: str) -> str:
    """The engine's idempotency key (and answer source) for a Slack message."""
    return f"slack:{channel}:{ts}"


class Conversation:
    """Handles one workspace's thread traffic with one WebClient."""

    def __init__(self, ctx: SlackContext, client: WebClient, workspace: str) -> None:
        self.ctx = ctx
        self.services = ctx.services
        self.poster = ctx.poster
        self.client = client
        self.ws = workspace

    # Incoming messages ----------------------------------------------------------
    #
    # Handling a message has two halves. ``receive`` changes the stored state and runs
    # before Slack gets its acknowledgement, so an answer that was acknowledged is an
    # answer that was stored; when the database is unreachable the request fails and
    # Slack delivers the event again. ``deliver`` posts about it after the ack.

    def receive(self, event: dict[str, Any], bot_user_id: str | None = None) -> Step | None:
        """Apply a message event (reply, edit or deletion); what to post, or None.

        ``bot_user_id`` (when known) spares the look-up of a closed round's thread for
        replies in threads of other people's messages."""
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
        parent = event.get("parent_user_id")
        ours = not parent or not bot_user_id or parent == bot_user_id
        return self._receive_reply(
            channel,
            str(thread_ts) if thread_ts else None,
            str(event["ts"]),
            str(event["user"]),
            str(event.get("text") or ""),
            im,
            ours,
            bool(parent and bot_user_id and parent == bot_user_id),
        )

    def plan(self, step: Step) -> Planned:
        """Write what a received message calls for to the outbox (before the ack): a
        reaction and the next question, a confirmation of an edit, a refusal, a private
        note to someone else, or the question which round a DM is for. A reply's posts
        were written by the engine with the answer already."""
        if step.planned is not None:
            return step.planned
        return self.poster.plan(self.ws, self.posts_for(step))

    def deliver(self, planned: Planned) -> None:
        """Send the posts :meth:`plan` wrote (after the ack) and make the updates it claimed
        (the message of the question just answered), recording all of them in one
        transaction; then bring the participants' other question messages up to date
        (what to update was found while recording the posts, in the same transaction,
        when a next question landed)."""
        claims = question_updates.LandingClaims(self.poster.store.lease)
        batch = LandingBatch(self.poster, max_items=1_000_000, updates=claims)
        try:
            self.poster.send_planned(self.client, planned, batch)
            question_updates.make_planned(self.poster, self.client, planned, batch)
        finally:
            batch.flush()
        for pid in sorted({p.participation_id for p in planned.posts if p.participation_id}):
            found = batch.found.get(pid)
            if found != []:
                question_updates.refresh(
                    self.services,
                    self.poster,
                    self.client,
                    self.ws,
                    pid,
                    found=found,
                    claims=claims,
                )

    def posts_for(self, step: Step) -> list[NewPost]:
        """The posts a received message calls for, in order."""
        pid = step.outcome.participation_id if step.outcome else None
        if step.kind == "not_yours":
            payload = ephemeral_payload(step.channel, step.user, step.text, step.thread)
            return [NewPost(f"{step.key}:not_yours", payload, step.channel)]
        if step.kind == "error":
            return [self._say_post(step.channel, step.thread, f"{step.key}:error", step.text)]
        if step.kind == "choose":
            message = choose_round.question(
                step.lang, list(step.choices), step.channel, step.ts, step.text
            )
            payload = message_payload(step.channel, message.text, message.blocks, step.ts)
            return [NewPost(f"{step.key}:choose", payload, step.channel)]
        if step.outcome is None:
            return []
        if step.kind == "reply":
            posts = []
            if step.outcome.kind == "answered":  # a redelivery was confirmed the first time
                payload = reaction_payload(step.channel, step.ts, CONFIRM_REACTION)
                posts.append(NewPost(f"{step.key}:react", payload, step.channel, None, pid))
            return posts + self.follow_up_posts(
                step.outcome, step.outcome.lang, step.channel, step.thread, step.key
            )
        return self._confirm_change(step.outcome, step.kind, step.key)

    def _receive_reply(
        self,
        channel: str,
        thread_ts: str | None,
        ts: str,
        user: str,
        text: str,
        im: bool,
        ours: bool = True,
        bot_thread: bool = False,
    ) -> Step | None:
        key = message_key(channel, ts)
        if thread_ts:
            ref = thread_ref(channel, thread_ts)
            planner = self._planner(channel, thread_ts, ts, key)
            try:
                outcome = self.services.answering.reply_in_thread(
                    self.ws, ref, user, text, key, planner
                )
            except NotYourThread as err:
                lang = self.ctx.lang_for(self.ws, user)
                return Step(
                    "not_yours", channel, thread_ts, key, ts, user, text=error_text(lang, err)
                )
            except DialogError as err:
                found = self.services.queries.participation_for_thread(self.ws, ref)
                lang = found.lang if found else DEFAULT_LANG
                return Step("error", channel, thread_ts, key, ts, user, text=error_text(lang, err))
            if outcome is not None:
                return Step(
                    "reply", channel, thread_ts, key, ts, user, outcome, planned=planner.result
                )
            closed = self._closed_thread(channel, thread_ts) if ours or im else None
            if closed is None and bot_thread:
                closed = self._forgotten_thread(channel, thread_ts, user)
            if closed is not None:
                return Step("error", channel, thread_ts, key, ts, user, text=closed)
            if not im:
                return None
        here = self._dm_participants(channel, user)
        if len(here) > 1:
            titles = tuple((p, self._title(p)) for p in here)
            lang = here[0].lang
            return Step("choose", channel, ts, key, ts, user, text=text, choices=titles, lang=lang)
        if not here:
            return None
        participant = here[0]
        _, thread = split_thread_ref(participant.thread_ref or "")
        dm_planner = self._planner(channel, thread, ts, key)
        try:
            outcome = self.services.answering.reply(
                self.ws, participant.participation_id, text, key, dm_planner
            )
        except DialogError as err:
            return Step(
                "error", channel, thread, key, ts, user, text=error_text(participant.lang, err)
            )
        return Step("reply", channel, thread, key, ts, user, outcome, planned=dm_planner.result)

    def _planner(
        self,
        channel: str,
        thread: str,
        ts: str,
        key: str,
        kind: Literal["reply", "edited", "withdrawn"] = "reply",
    ) -> _StepPlanner:
        return _StepPlanner(self, kind, channel, thread, ts, key, self.poster.store.lease)

    def _closed_thread(self, channel: str, thread_ts: str) -> str | None:
        """The refusal for a reply in the thread of a round that is closed (an anonymous
        round no longer knows its threads; the thread's first post still names the round)."""
        round_id = self.ctx.store.round_of_post(self.ws, channel, thread_ts)
        if round_id is None:
            return None
        try:
            info = self.services.queries.round_info(self.ws, round_id)
        except UnknownRound:
            return None
        if info.status == "open":
            return None
        return error_text(info.lang, RoundClosed(round_id))

    def _forgotten_thread(self, channel: str, thread_ts: str, user: str) -> str | None:
        """A reply in a thread of one of the bot's messages that no participant owns and
        that went to no group: a closed anonymous round's thread, whose every trace was
        erased at close. The reply is not saved, and the person is told so."""
        if self.ctx.store.group_post_at(self.ws, channel, thread_ts):
            return None
        return t(self.ctx.lang_for(self.ws, user), "outbox-and-races.thread_closed")

    def _title(self, participant: Participant) -> str:
        return self.services.queries.round_info(self.ws, participant.round_id).title

    def _receive_edit(self, channel: str, ts: str, edit_ts: str, text: str) -> Step | None:
        key = f"{message_key(channel, ts)}:edit:{edit_ts}"
        planner = self._planner(channel, "", ts, key, "edited")
        try:
            outcome = self.services.answering.edit_by_source(
                self.ws, message_key(channel, ts), text, key, planner
            )
        except NothingToEdit:
            return None
        except DialogError as err:
            return self._error_step(channel, ts, key, err)
        return Step("edited", channel, "", key, ts, "", outcome, planned=planner.result)

    def _receive_delete(self, channel: str, ts: str) -> Step | None:
        key = f"{message_key(channel, ts)}:deleted"
        planner = self._planner(channel, "", ts, key, "withdrawn")
        try:
            outcome = self.services.answering.withdraw_by_source(
                self.ws, message_key(channel, ts), key, planner
            )
        except NothingToEdit:
            return None
        except DialogError as err:
            return self._error_step(channel, ts, key, err)
        return Step("withdrawn", channel, "", key, ts, "", outcome, planned=planner.result)

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
                outcome = self.services.answering.skip(self.ws, participation_id, key, question)
            else:
                outcome = self.services.answering.finish(self.ws, participation_id, key, question)
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
            self.services, self.poster, self.client, self.ws, participation_id, current
        )

    def _show_current(self, participant: Participant, channel: str, thread: str, key: str) -> None:
        """Post the current question again, with buttons that say which question it is."""
        prompt = self.services.queries.current_prompt(self.ws, participant.participation_id)
        if prompt is not None:
            self._post_prompt(prompt, channel, thread, key)

    def _button_target(
        self, action_id: str, participation_id: int, user: str, channel: str, message_ts: str
    ) -> tuple[Participant, str, str] | None:
        """The participant a button acts for, their thread and the action's key; None (with
        a private note to the clicker) when someone else clicked."""
        try:
            participant = self.services.queries.participant(self.ws, participation_id)
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
        """Answers from the form modal: store, then post (errors are posted in the thread)."""
        channel, thread = split_thread_ref(participant.thread_ref or "")
        try:
            planned = self.store_form(participant, answers, view_id)
        except DialogError as err:
            if channel:
                key = f"slack:view:{view_id}"
                self._say(channel, thread, f"{key}:error", error_text(participant.lang, err))
            return
        self.deliver(planned)

    def store_form(
        self, participant: Participant, answers: dict[str, str], view_id: str
    ) -> Planned:
        """Store the form's answers and write the posts they call for to the outbox; run
        before the modal is acknowledged. Domain and database errors propagate."""
        channel, thread = split_thread_ref(participant.thread_ref or "")
        key = f"slack:view:{view_id}"
        outcome = self.services.answering.submit_form(
            self.ws, participant.participation_id, answers, key
        )
        posts: list[NewPost] = []
        if channel:
            if outcome.kind == "form_saved":
                text = t(participant.lang, "slack.form_saved")
                posts.append(
                    self._say_post(
                        channel, thread, f"{key}:saved", text, participant.participation_id
                    )
                )
            posts += self.follow_up_posts(outcome, participant.lang, channel, thread, key)
        return self.poster.plan(self.ws, posts)

    def round_chosen(self, choice: round_choice.Choice, user: str) -> Planned | None:
        """The person picked the round a top-level DM was for: store that message's text as
        their answer there (under the message's own key, so a second click changes
        nothing), or ask them to write it again in the round's thread when the text did not
        fit in the button. None when the click is not theirs to make."""
        try:
            participant = self.services.queries.participant(self.ws, choice.participation_id)
        except NoParticipation:
            return None
        if participant.chat_id != user:
            return None
        channel, thread = split_thread_ref(participant.thread_ref or "")
        key = message_key(choice.channel, choice.ts)
        pid = participant.participation_id
        lang = participant.lang
        if choice.text is None:
            posts = [
                self._say_post(
                    channel, thread, f"{key}:again", t(lang, "outbox-and-races.write_again"), pid
                )
            ]
            prompt = self.services.queries.current_prompt(self.ws, pid)
            if prompt is not None:
                posts.append(self._prompt_post(prompt, channel, thread, f"{key}:again:next"))
            return self.poster.plan(self.ws, posts)
        try:
            outcome = self.services.answering.reply(self.ws, pid, choice.text, key)
        except DialogError as err:
            text = error_text(lang, err)
            return self.poster.plan(
                self.ws, [self._say_post(choice.channel, choice.ts, f"{key}:error", text, pid)]
            )
        posts = []
        if outcome.kind == "answered":
            payload = reaction_payload(choice.channel, choice.ts, CONFIRM_REACTION)
            posts.append(NewPost(f"{key}:react", payload, choice.channel, None, pid))
            title = mrkdwn(self._title(participant))
            saved = t(lang, "outbox-and-races.saved_in_round", title=title)
            posts.append(self._say_post(choice.channel, choice.ts, f"{key}:chosen", saved, pid))
        posts += self.follow_up_posts(outcome, lang, channel, thread, key)
        return self.poster.plan(self.ws, posts)

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
            outcome = self.services.activities.confirm_activities(self.ws, participation_id, key)
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
            outcome = self.services.activities.correct_activities(
                self.ws, participant.participation_id, text, key
            )
        except DialogError as err:
            if channel:
                self._say(channel, thread, f"{key}:error", error_text(participant.lang, err))
            return
        if channel:
            self.follow_up(outcome, participant.lang, channel, thread, key)

    def follow_up(self, outcome: Outcome, lang: str, channel: str, thread: str, key: str) -> None:
        """Post what comes after an outcome now (see :meth:`follow_up_posts`)."""
        self.send_now(self.follow_up_posts(outcome, lang, channel, thread, key))

    def send_now(self, posts: list[NewPost]) -> None:
        """Write ``posts`` to the outbox and send them."""
        self.poster.send_planned(self.client, self.poster.plan(self.ws, posts))

    def follow_up_posts(
        self, outcome: Outcome, lang: str, channel: str, thread: str, key: str
    ) -> list[NewPost]:
        """What comes after an outcome: activities to confirm or a saved follow-up, then
        the next question or the closing words."""
        pid = outcome.participation_id
        rid = outcome.prompt.round_id if outcome.prompt is not None else None
        posts: list[NewPost] = []
        about_activities = blocks.activities_message(outcome, lang)
        if about_activities is not None and outcome.kind != "duplicate":
            payload = message_payload(
                channel, about_activities.text, about_activities.blocks, thread
            )
            posts.append(NewPost(f"{key}:activities", payload, channel, rid, pid))
        if outcome.kind in ("activities_confirmed", "activities_corrected"):
            return posts
        if outcome.kind == "duplicate" and self.ctx.store.superseded(self.ws, key):
            return posts  # a later message has posted the current question already
        next_key = f"{key}:next"
        if outcome.prompt is not None:
            posts.append(self._prompt_post(outcome.prompt, channel, thread, next_key))
        elif outcome.kind == "already_finished":
            posts.append(
                self._say_post(channel, thread, next_key, t(lang, "already_finished"), pid)
            )
        elif outcome.kind != "edited" and outcome.kind != "withdrawn":
            if outcome.sheet:
                recap = recap_message(outcome.sheet, lang, pid)
                payload = message_payload(channel, recap.text, recap.blocks, thread)
                posts.append(NewPost(next_key, payload, channel, rid, pid))
            else:
                posts.append(self._say_post(channel, thread, next_key, t(lang, "finished"), pid))
        return posts

    def _prompt_post(self, prompt: QuestionPrompt, channel: str, thread: str, key: str) -> NewPost:
        """A question with its buttons; where it lands is recorded (``shows``), so its
        message can be updated once the question is answered or skipped."""
        message = blocks.prompt_message(prompt)
        payload = message_payload(channel, message.text, message.blocks, thread)
        payload[question_updates.SHOWS] = question_updates.shows(prompt)
        return NewPost(key, payload, channel, prompt.round_id, prompt.participation_id)

    def _post_prompt(self, prompt: QuestionPrompt, channel: str, thread: str, key: str) -> None:
        """Post a question with its buttons now."""
        self.send_now([self._prompt_post(prompt, channel, thread, key)])

    def _confirm_change(self, outcome: Outcome, what: str, key: str) -> list[NewPost]:
        if outcome.kind == "duplicate" or outcome.question_number is None:
            return []
        participant = self.services.queries.participant(self.ws, outcome.participation_id)
        if not participant.thread_ref:
            return []
        thread_channel, thread = split_thread_ref(participant.thread_ref)
        text = t(participant.lang, what, n=outcome.question_number)
        return [
            self._say_post(thread_channel, thread, f"{key}:ack", text, participant.participation_id)
        ]

    def _error_step(self, channel: str, ts: str, key: str, err: DialogError) -> Step | None:
        """Where to say that an edit or deletion of message ``ts`` was refused."""
        participant = self._participant_by_source(channel, ts)
        if participant is None or not participant.thread_ref:
            return None
        thread_channel, thread = split_thread_ref(participant.thread_ref)
        text = error_text(participant.lang, err)
        return Step("error", thread_channel, thread, key, ts, "", text=text)

    def _say(self, channel: str, thread: str, key: str, text: str) -> None:
        self.send_now([self._say_post(channel, thread, key, text)])

    @staticmethod
    def _say_post(
        channel: str, thread: str, key: str, text: str, participation_id: int | None = None
    ) -> NewPost:
        payload = message_payload(channel, text, thread_ts=thread or None)
        return NewPost(key, payload, channel, None, participation_id)

    # Lookups ------------------------------------------------------------------------

    def _dm_participants(self, channel: str, user: str) -> list[Participant]:
        """A message in the DM outside a thread: the participant's open threads here."""
        try:
            pending = self.services.queries.pending_for(self.ws, user)
        except UnknownPerson:
            return []
        return [
            p for p, _ in pending if p.thread_ref and split_thread_ref(p.thread_ref)[0] == channel
        ]

    def _participant_by_source(self, channel: str, ts: str) -> Participant | None:
        pid = self.services.people.participation_by_source(self.ws, message_key(channel, ts))
        return None if pid is None else self.services.queries.participant(self.ws, pid)
