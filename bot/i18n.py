"""User-facing text in Swedish (default) and English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

DEFAULT_LANG = "sv"
DEFAULT_TZ = "Europe/Stockholm"

MESSAGES: dict[str, dict[str, str]] = {
    "progress": {"sv": "Fråga {n} av {total}", "en": "Question {n} of {total}"},
    "hint": {"sv": "Metodstöd", "en": "Method support"},
    "previous_answer": {"sv": "Ditt tidigare svar", "en": "Your earlier answer"},
    "button.skip": {"sv": "Hoppa över", "en": "Skip"},
    "button.form": {"sv": "Svara i formulär", "en": "Answer in a form"},
    "button.finish": {"sv": "Klar", "en": "Done"},
    "button.back": {"sv": "Tillbaka", "en": "Back"},
    "answered": {"sv": "Tack, svaret är sparat.", "en": "Thanks, your answer is saved."},
    "edited": {
        "sv": "Svaret på fråga {n} är uppdaterat.",
        "en": "Your answer to question {n} is updated.",
    },
    "withdrawn": {
        "sv": "Svaret på fråga {n} är borttaget.",
        "en": "Your answer to question {n} is withdrawn.",
    },
    "skipped": {"sv": "Frågan hoppades över.", "en": "Question skipped."},
    "finished": {
        "sv": "Tack! Dina svar är sparade. Du kan ändra ett svar så länge rundan är öppen.",
        "en": "Thank you! Your answers are saved. You can change an answer while the round is open.",
    },
    "already_finished": {
        "sv": "Du har redan svarat klart. Redigera ditt tidigare meddelande för att ändra ett svar.",
        "en": "You have already finished. Edit your earlier message to change an answer.",
    },
    "not_your_thread": {
        "sv": "Den här tråden är till för {name}. Dina frågor hittar du med /dialog mina.",
        "en": "This thread belongs to {name}. Find your own questions with /dialog mina.",
    },
    "round.announce": {
        "sv": "*{title}* har startat. {count} chefer får frågor i var sin tråd.{deadline}",
        "en": "*{title}* has started. {count} managers get their questions in a thread each.{deadline}",
    },
    "round.deadline": {"sv": " Sista dag: {when}.", "en": " Deadline: {when}."},
    "round.thread_intro": {
        "sv": "{name} — {unit}: dina frågor i {title}. Svara genom att skriva i tråden.",
        "en": "{name} — {unit}: your questions in {title}. Answer by replying in the thread.",
    },
    "round.closed_notice": {
        "sv": "Rundan är stängd. Sammanfattningen finns i kanalen.",
        "en": "The round is closed. The summary is in the channel.",
    },
    "summary.title": {"sv": "Sammanfattning", "en": "Summary"},
    "summary.response_rate": {"sv": "Svarsfrekvens", "en": "Response rate"},
    "summary.of": {"sv": "{a} av {b}", "en": "{a} of {b}"},
    "summary.units_answered": {"sv": "enheter har svarat", "en": "units have answered"},
    "summary.not_answered": {"sv": "Ej svarat", "en": "Not answered"},
    "summary.none_missing": {"sv": "Alla har svarat.", "en": "Everyone has answered."},
    "summary.anonymous_missing": {
        "sv": "{n} har inte svarat (anonym runda).",
        "en": "{n} have not answered (anonymous round).",
    },
    "summary.skipped": {"sv": "hoppade över", "en": "skipped"},
    "summary.no_answers": {
        "sv": "Inga svar på den här frågan.",
        "en": "No answers to this question.",
    },
    "summary.template": {"sv": "Mall", "en": "Template"},
    "summary.round": {"sv": "Runda", "en": "Round"},
    "summary.status.open": {"sv": "pågår", "en": "open"},
    "summary.status.closed": {"sv": "stängd", "en": "closed"},
    "summary.deadline": {"sv": "Sista dag", "en": "Deadline"},
    "summary.closed_at": {"sv": "Stängd", "en": "Closed"},
    "summary.answered_count": {"sv": "{a}/{b} svarat", "en": "{a}/{b} answered"},
    "summary.anonymous": {"sv": "Anonym runda", "en": "Anonymous round"},
    "error.generic": {"sv": "Något gick fel.", "en": "Something went wrong."},
    "error.unknown_template": {
        "sv": "Okänd mall '{name}'. Välj en av: {known}.",
        "en": "Unknown template '{name}'. Choose one of: {known}.",
    },
    "error.unknown_unit": {
        "sv": "Okänd enhet '{name}'. Kända enheter: {known}.",
        "en": "Unknown unit '{name}'. Known units: {known}.",
    },
    "error.unknown_person": {
        "sv": "Okänd användare '{name}'. Kända användare: {known}.",
        "en": "Unknown user '{name}'. Known users: {known}.",
    },
    "error.unknown_round": {
        "sv": "Det finns ingen runda {round_id}.",
        "en": "There is no round {round_id}.",
    },
    "error.no_participation": {
        "sv": "Du deltar inte i den rundan.",
        "en": "You are not taking part in that round.",
    },
    "error.empty_answer": {
        "sv": "Svaret är tomt. Skriv ditt svar som text, eller välj Hoppa över.",
        "en": "The answer is empty. Write your answer as text, or choose Skip.",
    },
    "error.round_closed": {
        "sv": "Runda {round_id} är stängd och tar inte emot fler svar.",
        "en": "Round {round_id} is closed and accepts no more answers.",
    },
    "error.not_allowed": {
        "sv": "Tyvärr, bara processtöd och administratörer kan göra det ({action}).",
        "en": "Sorry, only process supports and administrators can do that ({action}).",
    },
    "error.no_participants": {
        "sv": "De valda enheterna har inga chefer att fråga: {units}.",
        "en": "The chosen units have no managers to ask: {units}.",
    },
    "error.nothing_to_edit": {
        "sv": "Det meddelandet är inte sparat som ett svar.",
        "en": "That message is not stored as an answer.",
    },
    "error.invalid_input": {"sv": "Ogiltigt värde: {what}.", "en": "Invalid value: {what}."},
}


def t(lang: str, key: str, **params: object) -> str:
    """The message ``key`` in ``lang`` (falling back to Swedish), formatted with ``params``."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**params) if params else text


def format_local(moment: datetime | None, lang: str = DEFAULT_LANG, tz: str = DEFAULT_TZ) -> str:
    """A UTC moment as local date and time, e.g. ``2027-05-17 17:00``."""
    if moment is None:
        return "–"
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
