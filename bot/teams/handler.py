"""Incoming Teams activities become service calls; outcomes become posts.

Runs synchronously (in a worker thread, see :mod:`bot.teams.bridge`) and before the HTTP
response: an answer, an edit, a deletion, a button or a form is stored, and the posts it
calls for are written to the outbox, before Teams gets its 200. What is posted is sent
afterwards (:attr:`Reply.after`). Every change carries the idempotency key
``teams:{conversation}:{activity id}``, so an activity delivered twice is stored once.

The tenant is the workspace: an activity from any other tenant is refused (403) and
changes nothing.

A message in the personal chat answers the round of the question card it replies to
(``replyToId``, or a quoted reply's ``quotedReply`` entity). Otherwise, with several rounds
open for the person, nothing is stored: a card asks which round it is for, with one button
per round, and the click stores the message's text there under the message's own key
(:mod:`bot.domain.round_choice`), as on Slack.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from bot import absence_command
from bot.chain.chat import render_activity_outcome
from bot.command_text import parse_round_id, parse_start, split_command
from bot.domain.errors import (
    DialogError,
    InvalidInput,
    NoParticipation,
    NothingToEdit,
    QuestionNotCurrent,
    UnknownPerson,
)
from bot.domain.results import Outcome, Participant, RoundInfo, RoundStarted
from bot.domain.round_choice import Choice, from_data
from bot.escaping import markdown
from bot.i18n import DEFAULT_LANG, t
from bot.services.conversations import ConversationRef, NewPost
from bot.teams import cards
from bot.teams.deps import Services, StartAccepted, StartRound
from bot.teams.notifier import TeamsNotifier, prompt_post
from bot.teams.sender import PLATFORM, Planned, TeamsSender

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<at>.*?</at>", re.S)
_TAG = re.compile(r"<[^>]+>")
_CHANNEL = re.compile(r"^19:[^\s;]+$")
_PERSON_WORD = re.compile(r"^\x00(\d+)\x00$")


class NoOpenRound(DialogError):
    """A command needs a round, and none is open."""

    key = "teams.no_open_rounds"


class WhichRound(DialogError):
    """A command needs a round, and several are open."""

    key = "teams.which_round"


@dataclass
class Reply:
    """What the HTTP layer answers, and what to do after the answer (send posts)."""

    status: int = 200
    after: Callable[[], None] | None = None


def message_key(conversation: str, activity_id: str) -> str:
    """The idempotency key (and answer source) of a Teams activity."""
    return f"teams:{conversation}:{activity_id}"


def teams_channel(value: str) -> str:
    """A Teams channel id (``19:…@thread.tacv2``) for ``kanal:``."""
    raw = value.strip()
    if _CHANNEL.match(raw):
        return raw
    raise InvalidInput(f"kanal:{raw} (19:…@thread.tacv2)")


def inbound_text(activity: dict[str, Any]) -> str:
    """What the person typed: mentions of the bot removed, HTML turned into text."""
    return _plain(_MENTION.sub("", str(activity.get("text") or "")), activity)


def _plain(text: str, activity: dict[str, Any]) -> str:
    if "<" in text and activity.get("textFormat") in ("xml", "html", None):
        text = html.unescape(_TAG.sub("", text.replace("<br>", "\n").replace("</p>", "\n")))
    return text.strip()


def mentions_text(activity: dict[str, Any]) -> tuple[str, Callable[[str], str | None]]:
    """What the person typed, each @mention of a person as one word, and what reads such a
    word as the person's chat id (their Entra object id, from the message's ``mention``
    entity). Mentions of the bot are removed; a mention without an entity stays a word
    that names no one (its display name), so it cannot pass for the sender."""
    recipient = str((activity.get("recipient") or {}).get("id") or "")
    entities = [
        e
        for e in activity.get("entities") or []
        if isinstance(e, dict)
        and e.get("type") == "mention"
        and isinstance(e.get("mentioned"), dict)
    ]
    ids: list[str] = []

    def word(match: re.Match[str]) -> str:
        entity = next((e for e in entities if e.get("text") == match.group(0)), None)
        if entity is None:
            shown = html.unescape(_TAG.sub("", match.group(0)))
            return " @" + "".join(shown.split()) + " "
        entities.remove(entity)
        mentioned = entity["mentioned"]
        if recipient and mentioned.get("id") == recipient:
            return " "
        ids.append(str(mentioned.get("aadObjectId") or mentioned.get("id") or ""))
        return f" \x00{len(ids) - 1}\x00 "

    text = _plain(_MENTION.sub(word, str(activity.get("text") or "")), activity)

    def person(w: str) -> str | None:
        found = _PERSON_WORD.match(w)
        return ids[int(found.group(1))] if found and int(found.group(1)) < len(ids) else None

    return text, person


def replied_to(activity: dict[str, Any]) -> list[str]:
    """The ids of the messages an activity replies to: the Bot Framework's ``replyToId``
    and the messages a Teams quoted reply quotes (``quotedReply`` entities)."""
    ids = [str(activity["replyToId"])] if activity.get("replyToId") else []
    for entity in activity.get("entities") or []:
        if isinstance(entity, dict) and entity.get("type") == "quotedReply":
            quoted = entity.get("quotedReply")
            if isinstance(quoted, dict) and quoted.get("messageId"):
                ids.append(str(quoted["messageId"]))
    return ids


def error_text(lang: str, err: DialogError) -> str:
    """A domain error as a friendly message; parameters are escaped."""
    return t(lang, err.key, **{k: markdown(v) for k, v in err.params.items()})


@dataclass
class _Planner:
    """Plans a message's posts in the answer's own transaction (:class:`bot.ports.PostPlanner`)."""

    handler: TeamsHandler
    workspace: str
    conversation: str
    key: str
    kind: Literal["reply", "edited", "withdrawn"]
    lease: timedelta
    platform: str = PLATFORM
    #: Said before the follow-up when the reply was stored (where it was stored).
    note: str = ""
    posts: list[NewPost] = field(default_factory=list)
    result: Planned | None = None

    def posts_for(self, outcome: Outcome) -> list[NewPost]:
        """The follow-up of a reply, the confirmation of an edit or a withdrawal."""
        if self.kind == "reply":
            self.posts = self.handler.follow_ups(outcome, self.conversation, self.key)
            if self.note and outcome.kind == "answered":
                pid = outcome.participation_id
                note = self.handler._text_post(
                    self.conversation, f"{self.key}:chosen", self.note, pid
                )
                self.posts.insert(0, note)
        else:
            self.posts = self.handler.confirmation(outcome, self.kind, self.conversation, self.key)
        return self.posts

    def planned(self, keys: set[str], lease_until: datetime) -> None:
        """Remember what was written, to send it after the ack."""
        self.result = Planned(self.workspace, tuple(self.posts), frozenset(keys))


class TeamsHandler:
    """Handles the activities of one tenant.

    Args:
        services: the service layer.
        sender: the outbox sender.
        notifier: round starts, reminders and summaries.
        tenant: the tenant id this bot serves (the workspace).
        tz: time zone of deadlines typed and shown.
        links: a signed download link for a round's DOCX (None: export is off).
        link_hours: how long such a link is valid.
    """

    def __init__(
        self,
        services: Services,
        sender: TeamsSender,
        notifier: TeamsNotifier,
        tenant: str,
        tz: str = "Europe/Stockholm",
        links: Callable[[int], str] | None = None,
        link_hours: int = 1,
    ) -> None:
        self.services = services
        self.links = links
        self.link_hours = link_hours
        self.sender = sender
        self.notifier = notifier
        self.tenant = tenant
        self.tz = tz

    # Entry ---------------------------------------------------------------------------

    def handle(self, activity: dict[str, Any]) -> Reply:
        """Apply one activity; runs before the HTTP response."""
        conversation = activity.get("conversation") or {}
        tenant = conversation.get("tenantId") or (
            (activity.get("channelData") or {}).get("tenant") or {}
        ).get("id")
        if tenant != self.tenant:
            log.warning("activity %s from another tenant refused", activity.get("id"))
            return Reply(403)
        ws = str(tenant)
        conv = str(conversation.get("id") or "")
        sender = activity.get("from") or {}
        aad = str(sender.get("aadObjectId") or "")
        personal = conversation.get("conversationType") == "personal"
        if personal and aad and conv:
            self._remember(ws, aad, str(sender.get("id") or ""), conv, activity)
        kind = activity.get("type")
        activity_id = str(activity.get("id") or "")
        if kind == "message" and activity_id and aad:
            value = activity.get("value")
            if isinstance(value, dict) and value.get(cards.ACTION_KEY):
                return self._action(ws, conv, activity_id, aad, value)
            text = inbound_text(activity)
            first = text.split(maxsplit=1)[0].lower() if text else ""
            if first in ("dialog", "/dialog"):
                return self._command(
                    ws, conv, activity_id, aad, text.split(maxsplit=1)[1:], activity
                )
            if personal:
                return self._answer(ws, conv, activity_id, aad, text, replied_to(activity))
            return Reply()
        # An edit or a deletion carries the id of the message it changes.
        if kind == "messageUpdate" and activity_id:
            return self._edit(ws, conv, activity_id, inbound_text(activity), activity)
        if kind == "messageDelete" and activity_id:
            return self._withdraw(ws, conv, activity_id)
        return Reply()

    def _remember(
        self, ws: str, aad: str, user_ref: str, conv: str, activity: dict[str, Any]
    ) -> None:
        url = str(activity.get("serviceUrl") or self.sender.service_url)
        known = self.services.conversations.reference(ws, PLATFORM, aad)
        ref = ConversationRef(aad, user_ref or f"8:orgid:{aad}", conv, url)
        if known != ref:
            self.services.conversations.remember(ws, PLATFORM, ref)

    # Answers ------------------------------------------------------------------------

    def _answer(
        self, ws: str, conv: str, activity_id: str, aad: str, text: str, replied: list[str]
    ) -> Reply:
        key = message_key(conv, activity_id)
        here = self._participants_here(ws, aad, conv, replied)
        if not here:
            lang = self._lang(ws, aad)
            return self._say(ws, conv, f"{key}:none", t(lang, "teams.nothing_open"))
        if len(here) > 1:
            titles = [(p, self._title(ws, p)) for p in here]
            activity = cards.choose_round(here[0].lang, titles, conv, activity_id, text)
            payload = {"op": "send", "conversation": conv, "activity": activity}
            asked = self.sender.plan(ws, [NewPost(f"{key}:choose", payload, conv)])
            return Reply(after=lambda: self.sender.send_planned(asked))
        participant = here[0]
        planner = _Planner(self, ws, conv, key, "reply", self.sender.outbox.lease)
        try:
            self.services.answering.reply(ws, participant.participation_id, text, key, planner)
        except DialogError as err:
            return self._say(ws, conv, f"{key}:error", error_text(participant.lang, err))
        planned = planner.result
        pid = participant.participation_id
        return Reply(after=lambda: self._deliver(planned, ws, pid))

    def _participants_here(
        self, ws: str, aad: str, conv: str, replied: list[str]
    ) -> list[Participant]:
        """The participations a message in the personal chat may answer: the one whose
        question card it replies to; else the unfinished ones (several: the person is asked
        which); else one finished one (it is told it has finished). Never a guess."""
        try:
            found = self.services.queries.open_participations_for(ws, aad)
        except UnknownPerson:
            return []
        for activity_id in replied:
            shown = self.services.conversations.card_at(ws, PLATFORM, conv, activity_id)
            mine = [p for p in found if shown and p.participation_id == shown.participation_id]
            if mine:
                return mine
        return [p for p in found if p.status != "finished"] or found[:1]

    def _title(self, ws: str, participant: Participant) -> str:
        return self.services.queries.round_info(ws, participant.round_id).title

    def _round_chosen(
        self, ws: str, conv: str, activity_id: str, aad: str, choice: Choice
    ) -> Reply:
        """The person picked the round a message was for: store its text there under the
        message's own key (a second click, or a redelivery, changes nothing), or, when the
        text did not travel with the button, ask for it again with the round's question."""
        click = message_key(conv, activity_id)
        try:
            participant = self.services.queries.participant(ws, choice.participation_id)
        except NoParticipation:
            return Reply()
        lang = participant.lang
        if participant.chat_id != aad:
            text = t(lang, "teams.not_yours", name=markdown(participant.name))
            return self._say(ws, conv, f"{click}:not_yours", text)
        pid = participant.participation_id
        key = message_key(choice.channel, choice.ts)
        title = markdown(self._title(ws, participant))
        stored = self.services.people.participation_by_source(ws, key)
        if stored is not None and stored != pid:
            # Stored in another round by an earlier click on another button.
            other = self.services.queries.participant(ws, stored)
            text = t(lang, "teams.saved_elsewhere", title=markdown(self._title(ws, other)))
            return self._say(ws, conv, f"{click}:elsewhere", text)
        if choice.text is None:
            posts = [
                self._text_post(
                    conv, f"{key}:again", t(lang, "teams.write_again", title=title), pid
                )
            ]
            prompt = self.services.queries.current_prompt(ws, pid)
            if prompt is not None:
                posts.append(prompt_post(f"{key}:again:next", prompt, {"conversation": conv}))
            again = self.sender.plan(ws, posts)
            return Reply(after=lambda: self.sender.send_planned(again))
        planner = _Planner(self, ws, conv, key, "reply", self.sender.outbox.lease)
        planner.note = t(lang, "outbox-and-races.saved_in_round", title=title)
        try:
            self.services.answering.reply(ws, pid, choice.text, key, planner)
        except DialogError as err:
            return self._say(ws, conv, f"{key}:error", error_text(lang, err))
        planned = planner.result
        return Reply(after=lambda: self._deliver(planned, ws, pid))

    def _edit(
        self, ws: str, conv: str, activity_id: str, text: str, activity: dict[str, Any]
    ) -> Reply:
        source = message_key(conv, activity_id)
        stamp = str(activity.get("timestamp") or "") + text
        key = f"{source}:edit:{hashlib.sha256(stamp.encode()).hexdigest()[:16]}"
        planner = _Planner(self, ws, conv, key, "edited", self.sender.outbox.lease)
        try:
            outcome = self.services.answering.edit_by_source(ws, source, text, key, planner)
        except NothingToEdit:
            return Reply()
        except DialogError as err:
            return self._say(ws, conv, f"{key}:error", error_text(DEFAULT_LANG, err))
        planned = planner.result
        return Reply(after=lambda: self._deliver(planned, ws, outcome.participation_id))

    def _withdraw(self, ws: str, conv: str, activity_id: str) -> Reply:
        source = message_key(conv, activity_id)
        key = f"{source}:deleted"
        planner = _Planner(self, ws, conv, key, "withdrawn", self.sender.outbox.lease)
        try:
            outcome = self.services.answering.withdraw_by_source(ws, source, key, planner)
        except NothingToEdit:
            return Reply()
        except DialogError as err:
            return self._say(ws, conv, f"{key}:error", error_text(DEFAULT_LANG, err))
        planned = planner.result
        return Reply(after=lambda: self._deliver(planned, ws, outcome.participation_id))

    # Buttons and the form -------------------------------------------------------------

    def _action(
        self, ws: str, conv: str, activity_id: str, aad: str, value: dict[str, Any]
    ) -> Reply:
        key = message_key(conv, activity_id)
        action = str(value.get(cards.ACTION_KEY))
        if action == cards.CHOOSE_ROUND:
            choice = from_data(value)
            return (
                Reply()
                if choice is None
                else self._round_chosen(ws, conv, activity_id, aad, choice)
            )
        try:
            pid = int(value.get("pid") or 0)
            participant = self.services.queries.participant(ws, pid)
        except (ValueError, NoParticipation):
            return Reply()
        lang = participant.lang
        if participant.chat_id != aad:
            text = t(lang, "teams.not_yours", name=markdown(participant.name))
            return self._say(ws, conv, f"{key}:not_yours", text)
        question = str(value.get("q") or "")
        try:
            if action == cards.FORM:
                return self._send_form(ws, conv, key, participant)
            if action == cards.SKIP:
                outcome = self.services.answering.skip(ws, pid, key, question)
            elif action == cards.FINISH:
                outcome = self.services.answering.finish(ws, pid, key, question)
            elif action == cards.CONFIRM_ACTIVITIES:
                outcome = self.services.activities.confirm_activities(ws, pid, key)
            elif action == cards.FORM_SUBMIT:
                answers = {
                    k.removeprefix(cards.INPUT_PREFIX): str(v)
                    for k, v in value.items()
                    if k.startswith(cards.INPUT_PREFIX) and isinstance(v, str | int | float)
                }
                outcome = self.services.answering.submit_form(ws, pid, answers, key)
            else:
                return Reply()
        except QuestionNotCurrent as err:
            return self._say(ws, conv, f"{key}:not_current", error_text(lang, err))
        except DialogError as err:
            return self._say(ws, conv, f"{key}:error", error_text(lang, err))
        posts = []
        if outcome.kind == "form_saved":
            posts.append(self._text_post(conv, f"{key}:saved", t(lang, "teams.form_saved"), pid))
        posts += self.follow_ups(outcome, conv, key)
        planned = self.sender.plan(ws, posts)
        return Reply(after=lambda: self._deliver(planned, ws, pid))

    def _send_form(self, ws: str, conv: str, key: str, participant: Participant) -> Reply:
        pid = participant.participation_id
        lines = self.services.queries.answer_sheet(ws, pid)
        info = self.services.queries.round_info(ws, participant.round_id)
        if info.status != "open":
            return self._say(
                ws, conv, f"{key}:closed", t(info.lang, "teams.closed", round_id=info.round_id)
            )
        form = cards.form_card(info.title, participant.lang, pid, lines)
        payload = {"op": "send", "conversation": conv, "activity": cards.message(cards=[form])}
        planned = self.sender.plan(ws, [NewPost(f"{key}:form", payload, conv, info.round_id, pid)])
        return Reply(after=lambda: self.sender.send_planned(planned))

    # Commands -----------------------------------------------------------------------

    def _command(
        self,
        ws: str,
        conv: str,
        activity_id: str,
        aad: str,
        rest: list[str],
        activity: dict[str, Any],
    ) -> Reply:
        key = message_key(conv, activity_id)
        lang = self._lang(ws, aad)
        command = split_command(rest[0] if rest else "")
        try:
            if command.action == "start":
                return self._start(ws, conv, key, aad, command.rest, activity)
            if command.action == "status":
                info = self._round(ws, parse_round_id(command.rest), "status")
                status = self.services.queries.status_for(ws, info.round_id, aad)
                return self._say(ws, conv, f"{key}:status", cards.status_text(status, self.tz))
            if command.action == "remind":
                info = self._round(ws, parse_round_id(command.rest), "påminn")
                count = self.remind(ws, info, aad)
                return self._say(
                    ws, conv, f"{key}:reminded", t(lang, "teams.reminded", count=count)
                )
            if command.action == "export":
                return self._export(ws, conv, key, aad, lang, command.rest)
            if command.action == "absence":
                return self._absence(ws, conv, key, aad, lang, activity)
            if command.action == "close":
                info = self._round(ws, parse_round_id(command.rest), "stäng")
                summary, _ = self.services.rounds.close_round(ws, info.round_id, aad)
                reply = self._say(
                    ws, conv, f"{key}:closed", t(lang, "teams.closed", round_id=info.round_id)
                )
                first = reply.after

                def after() -> None:
                    if first is not None:
                        first()
                    self.notifier.summary_ready(summary)

                return Reply(after=after)
        except DialogError as err:
            return self._say(ws, conv, f"{key}:error", error_text(lang, err))
        return self._say(ws, conv, f"{key}:help", t(lang, "teams.help"))

    def _start(
        self, ws: str, conv: str, key: str, aad: str, text: str, activity: dict[str, Any]
    ) -> Reply:
        """Only the command is stored before the response (one short transaction; the
        common refusals answer at once); the round starts right after it
        (:meth:`_carry_out`): a round of a thousand managers takes seconds to start."""
        args = parse_start(text, self.tz, teams_channel)
        channel = args.channel or self._channel_of(activity)
        if channel is None:
            raise InvalidInput("kanal:19:…@thread.tacv2")
        lang = self._lang(ws, aad)
        command = args.command(
            channel_here=channel,
            lang=lang,
            started_by=aad,
            external_key=key,
            delivery="dm",
        )
        cmd = command.checked(self.services.kernel.clock.now(), self.tz)
        accepted = self.services.round_starts.accept(ws, cmd)
        return Reply(after=lambda: self._carry_out(ws, conv, key, lang, accepted, cmd))

    def _carry_out(
        self,
        ws: str,
        conv: str,
        key: str,
        lang: str,
        accepted: StartAccepted,
        cmd: StartRound,
    ) -> None:
        """Start the round accepted before the response, write its fan-out to the outbox,
        settle the job, then send: the note where the command was given, the
        announcement and the first questions. If this process dies in between, the
        scheduler takes the job over (:mod:`bot.services.round_starts`)."""
        starts = self.services.round_starts
        job = starts.claim(ws, accepted.job_key)
        if job is None:
            # Delivered again: the first delivery (or the scheduler) carries it out; a
            # round that started already is reported once (the note's key).
            if accepted.round_id is not None:
                started = self.services.rounds.start_round(ws, cmd)
                self.sender.send_now(ws, [self._started_note(conv, key, started)])
            return
        try:
            prospects = starts.prospects(ws, cmd)
        except DialogError:
            prospects = []  # the start below says why
        # The personal chats are created while the round is stored: the tenant's calls
        # a second are the fan-out's limit, and these need nothing from the round.
        ahead = self.notifier.prepare_round_start(ws, prospects)
        try:
            try:
                started = starts.start(job)
                fanout = self.notifier.plan_round_start(started)
            except DialogError as err:
                log.info("round start %s refused after the response: %s", job.job_key, err.key)
                starts.refused(job, err.key)
                text = t(lang, "teams.start_failed", reason=error_text(lang, err))
                self._say_now(ws, conv, f"{key}:error", text)
                return
            except Exception as exc:
                status = starts.failed(job, f"{type(exc).__name__}: {exc}")
                log.warning(
                    "round start %s failed after the response; the job is %s", job.job_key, status
                )
                raise
            if not starts.done(job, started):
                log.warning("round start %s finished after its lease was taken over", job.job_key)
            self.sender.send_now(ws, [self._started_note(conv, key, started)])
            self.notifier.send_round_start(fanout)
        finally:
            ahead()

    def _started_note(self, conv: str, key: str, started: RoundStarted) -> NewPost:
        info = started.round
        text = t(
            info.lang,
            "teams.started",
            round_id=info.round_id,
            title=markdown(info.title),
            count=len(started.participants),
        )
        return self._text_post(conv, f"{key}:started", text)

    def _absence(
        self, ws: str, conv: str, key: str, aad: str, lang: str, activity: dict[str, Any]
    ) -> Reply:
        """``dialog frånvaro …``: as on Slack, a person named by an @mention."""
        text, person = mentions_text(activity)
        words = text.split(maxsplit=1)
        raw = split_command(words[1] if len(words) > 1 else "").rest
        reply = absence_command.run(
            self.services.absences.in_zone(self.tz),
            self.services.people,
            ws,
            aad,
            lang,
            raw,
            key,
            markdown,
            person,
        )
        return self._say(ws, conv, f"{key}:absence", reply)

    def _export(self, ws: str, conv: str, key: str, aad: str, lang: str, rest: str) -> Reply:
        """A signed link to the round's documentation (DOCX), for process supports."""
        self.services.rounds.require_organiser(ws, aad, "export")
        words = [w for w in rest.split() if w.lower() not in ("docx", "md", "html")]
        info = self._round(ws, parse_round_id(words[0] if words else ""), "export")
        if self.links is None:
            return self._say(ws, conv, f"{key}:export", t(lang, "teams.export_off"))
        url = self.links(info.round_id)
        text = t(
            lang,
            "teams.export_ready",
            title=markdown(info.title),
            url=url,
            hours=self.link_hours,
        )
        return self._say(ws, conv, f"{key}:export", text)

    @staticmethod
    def _channel_of(activity: dict[str, Any]) -> str | None:
        channel = ((activity.get("channelData") or {}).get("channel") or {}).get("id")
        return str(channel) if channel else None

    def _round(self, ws: str, round_id: int | None, command: str) -> RoundInfo:
        if round_id is not None:
            return self.services.queries.round_info(ws, round_id)
        open_rounds = self.services.queries.rounds(ws, "open")
        if not open_rounds:
            raise NoOpenRound()
        if len(open_rounds) > 1:
            listed = ", ".join(f"{r.round_id} ({r.title})" for r in open_rounds[:10])
            raise WhichRound(
                "several", rounds=listed, command=command, example=open_rounds[0].round_id
            )
        return open_rounds[0]

    def remind(self, ws: str, info: RoundInfo, by: str) -> int:
        """Remind everyone who has not finished (``by`` must be a process support)."""
        self.services.rounds.require_organiser(ws, by, "remind")
        status = self.services.queries.status(ws, info.round_id)
        count = 0
        for participant in status.unfinished:
            if participant.status == "absent":
                continue
            prompt = self.services.queries.current_prompt(ws, participant.participation_id)
            self.notifier.remind(info, participant, prompt)
            count += 1
        return count

    # Posts ---------------------------------------------------------------------------

    def follow_ups(self, outcome: Outcome, conv: str, key: str) -> list[NewPost]:
        """What comes after an outcome: the next question, or the recap when finished."""
        pid = outcome.participation_id
        lang = outcome.lang
        posts: list[NewPost] = []
        about = render_activity_outcome(outcome, lang, markdown)
        if about and outcome.kind != "duplicate":
            activity = cards.activities_card(about, pid, lang, outcome.activities_to_confirm)
            payload = {"op": "send", "conversation": conv, "activity": activity}
            posts.append(NewPost(f"{key}:activities", payload, conv, None, pid))
        if outcome.kind in ("activities_confirmed", "activities_corrected", "edited", "withdrawn"):
            return posts
        return posts + self._next(outcome, conv, key)

    def _next(self, outcome: Outcome, conv: str, key: str) -> list[NewPost]:
        pid = outcome.participation_id
        lang = outcome.lang
        next_key = f"{key}:next"
        if outcome.prompt is not None:
            return [prompt_post(next_key, outcome.prompt, {"conversation": conv})]
        if outcome.kind == "already_finished":
            return [self._text_post(conv, next_key, t(lang, "already_finished"), pid)]
        if outcome.kind == "duplicate":
            return []
        if outcome.sheet:
            payload = {
                "op": "send",
                "conversation": conv,
                "activity": cards.recap(lang, outcome.sheet, pid),
            }
            return [NewPost(next_key, payload, conv, None, pid)]
        return [self._text_post(conv, next_key, t(lang, "finished"), pid)]

    def confirmation(self, outcome: Outcome, what: str, conv: str, key: str) -> list[NewPost]:
        """The note that an edit or a deletion changed answer N."""
        if outcome.kind == "duplicate" or outcome.question_number is None:
            return []
        text = t(outcome.lang, what, n=outcome.question_number)
        return [self._text_post(conv, f"{key}:ack", text, outcome.participation_id)]

    @staticmethod
    def _text_post(conv: str, key: str, text: str, pid: int | None = None) -> NewPost:
        payload = {"op": "send", "conversation": conv, "activity": cards.message(text=text)}
        return NewPost(key, payload, conv, None, pid)

    def _say(self, ws: str, conv: str, key: str, text: str) -> Reply:
        planned = self.sender.plan(ws, [self._text_post(conv, key, text)])
        return Reply(after=lambda: self.sender.send_planned(planned))

    def _say_now(self, ws: str, conv: str, key: str, text: str) -> None:
        self.sender.send_now(ws, [self._text_post(conv, key, text)])

    def _deliver(self, planned: Planned | None, ws: str, pid: int) -> None:
        if planned is not None:
            self.sender.send_planned(planned)
        self.refresh_cards(ws, pid)

    def refresh_cards(self, ws: str, pid: int) -> None:
        """Update in place (PUT) the participation's question cards whose question was
        answered, skipped, edited or withdrawn since they were posted: the card shows what
        became of it, without buttons."""
        shown = self.services.conversations.cards(ws, PLATFORM, pid)
        if not shown:
            return
        lines = {line.question_key: line for line in self.services.queries.answer_sheet(ws, pid)}
        current = self.services.queries.current_prompt(ws, pid)
        lang = self.services.queries.participant(ws, pid).lang
        posts = []
        for card in shown:
            line = lines.get(card.question_ref)
            if line is None or line.status == "unanswered":
                continue
            if (
                current is not None
                and current.ref == card.question_ref
                and line.status != "answered"
            ):
                continue
            digest = hashlib.sha256((line.answer or "").encode()).hexdigest()[:12]
            token = f"{line.status}:{digest}"
            if token == card.shown:
                continue
            activity = cards.message(
                cards=[
                    cards.settled_card(
                        lang, line.number, len(lines), line.question, line.status, line.answer
                    )
                ]
            )
            payload = {
                "op": "update",
                "conversation": card.conversation_id,
                "activity_id": card.activity_id,
                "activity": activity,
                "settles": {"card_id": card.card_id, "token": token},
            }
            posts.append(
                NewPost(
                    f"teams:card:{card.card_id}:{token}", payload, card.conversation_id, None, pid
                )
            )
        if posts:
            self.sender.send_now(ws, posts)

    def _lang(self, ws: str, aad: str) -> str:
        try:
            found = self.services.queries.open_participations_for(ws, aad)
        except UnknownPerson:
            return DEFAULT_LANG
        return found[0].lang if found else DEFAULT_LANG
