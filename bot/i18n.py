"""User-facing text in Swedish (default) and English."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

DEFAULT_LANG = "sv"
DEFAULT_TZ = "Europe/Stockholm"

MESSAGES: dict[str, dict[str, str]] = {
    "progress": {"sv": "Fråga {n} av {total}", "en": "Question {n} of {total}"},
    "hint": {"sv": "Metodstöd", "en": "Method support"},
    "previous_answer": {"sv": "Ditt tidigare svar", "en": "Your earlier answer"},
    "button.skip": {"sv": "Hoppa över", "en": "Skip"},
    "button.form": {"sv": "Svara i formulär", "en": "Answer in a form"},
    "button.finish": {"sv": "Klar", "en": "Done"},
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
    # Dialog chain: context, activities, follow-up, evaluation, exports (bot/chain).
    "chain.context.truncated": {
        "sv": "förkortat, hela svaret finns i dokumentationen",
        "en": "shortened, the whole answer is in the documentation",
    },
    "chain.followup.question": {
        "sv": "Uppföljning av en aktivitet från en tidigare dialog: «{title}»{owner}. Hur går det — klar, pågår eller stoppad, och varför?",
        "en": "Follow-up of an activity from an earlier dialog: «{title}»{owner}. How is it going — done, in progress or stopped, and why?",
    },
    "chain.followup.owner": {"sv": " (ansvarig: {owner})", "en": " (responsible: {owner})"},
    "chain.followup.hint": {
        "sv": "Svara till exempel ”klar”, ”pågår – väntar på budget” eller ”stoppad, prioriterades bort”.",
        "en": "Answer for example “done”, “in progress – waiting for the budget” or “stopped, deprioritised”.",
    },
    "chain.followup.not_anonymous": {
        "sv": "Uppföljningen är inte anonym: den sparas på enhetens aktivitet (som i enhetens aktivitetslista) men visas inte i rundans sammanfattning. Hoppar du över den ändras ingenting.",
        "en": "The follow-up is not anonymous: it is stored with the unit's activity (as in the unit's list of activities) but not shown in the round's summary. Skipping it changes nothing.",
    },
    "chain.followup.saved": {
        "sv": "Tack! «{title}»: {status}.",
        "en": "Thanks! «{title}»: {status}.",
    },
    "chain.activities.to_confirm": {
        "sv": "Jag uppfattade följande aktiviteter ({n} st). Stämmer listan? Bekräfta den, eller rätta den (en aktivitet per rad).",
        "en": "I read these activities ({n} in all). Is the list right? Confirm it, or correct it (one activity per line).",
    },
    "chain.activities.confirmed": {
        "sv": "Aktiviteterna är bekräftade och följs upp i nästa dialog.",
        "en": "The activities are confirmed and will be followed up in the next dialog.",
    },
    "chain.activities.corrected": {
        "sv": "Listan är rättad ({n} st) och följs upp i nästa dialog.",
        "en": "The list is corrected ({n} in all) and will be followed up in the next dialog.",
    },
    "chain.activities.none": {"sv": "Inga aktiviteter.", "en": "No activities."},
    "chain.activities.title": {"sv": "Aktiviteter för {unit}", "en": "Activities of {unit}"},
    "chain.status.proposed": {"sv": "föreslagen", "en": "proposed"},
    "chain.status.open": {"sv": "öppen", "en": "open"},
    "chain.status.in_progress": {"sv": "pågår", "en": "in progress"},
    "chain.status.done": {"sv": "klar", "en": "done"},
    "chain.status.stopped": {"sv": "stoppad", "en": "stopped"},
    "chain.evaluation.title": {"sv": "Utvärdering: {title}", "en": "Evaluation: {title}"},
    "export.title": {"sv": "Dokumentation: {title}", "en": "Documentation: {title}"},
    "export.generated": {"sv": "Skapad {when}", "en": "Generated {when}"},
    "export.period": {"sv": "Period", "en": "Period"},
    "export.participants": {"sv": "Deltagare", "en": "Participants"},
    "export.group": {"sv": "Mottagande grupp", "en": "Receiving group"},
    "export.answers": {"sv": "Svar per nivå", "en": "Answers per level"},
    "export.activities": {"sv": "Aktiviteter", "en": "Activities"},
    "export.followups": {
        "sv": "Uppföljning av tidigare aktiviteter",
        "en": "Follow-up of earlier activities",
    },
    "export.followups_anonymous": {
        "sv": "{n} aktiviteter från tidigare dialoger följdes upp. I en anonym runda visas de inte här (de skulle visa vilka enheter som svarade); deras status finns i enheternas aktivitetslistor.",
        "en": "{n} activities from earlier dialogs were followed up. In an anonymous round they are not shown here (they would tell which units answered); their status is in the units' lists of activities.",
    },
    "export.evaluation": {"sv": "Utvärdering av dialogen", "en": "Evaluation of the dialog"},
    "export.evaluation_none": {
        "sv": "Ingen utvärdering har skickats.",
        "en": "No evaluation has been sent.",
    },
    "export.activity": {"sv": "Aktivitet", "en": "Activity"},
    "export.unit": {"sv": "Enhet", "en": "Unit"},
    "export.owner": {"sv": "Ansvarig", "en": "Responsible"},
    "export.status": {"sv": "Status", "en": "Status"},
    "export.note": {"sv": "Kommentar", "en": "Comment"},
    "export.level": {"sv": "Nivå", "en": "Level"},
    "export.rates": {"sv": "Svarsfrekvens per enhet", "en": "Response rate per unit"},
    "export.report_title": {
        "sv": "Årsrapport {year}: {unit}",
        "en": "Annual report {year}: {unit}",
    },
    "export.report_intro": {
        "sv": "Enhetens planering, avstämningar och resultat {year}, sida vid sida.",
        "en": "The unit's planning, follow-ups and results {year}, side by side.",
    },
    "export.dialogs": {"sv": "Dialoger", "en": "Dialogs"},
    "export.date": {"sv": "Datum", "en": "Date"},
    "export.no_answer": {"sv": "Inget svar.", "en": "No answer."},
    "export.answered": {"sv": "Besvarade frågor", "en": "Questions answered"},
    "error.followup_status": {
        "sv": "Jag förstod inte statusen. Börja svaret med klar, pågår eller stoppad, till exempel ”pågår – väntar på budget”.",
        "en": "I did not understand the status. Start your answer with done, in progress or stopped, e.g. “in progress – waiting for the budget”.",
    },
    "error.no_activities": {
        "sv": "Det finns ingen lista med aktiviteter att bekräfta eller rätta.",
        "en": "There is no list of activities to confirm or correct.",
    },
    "error.no_rounds_for_report": {
        "sv": "{unit} har inga dialoger under {year}.",
        "en": "{unit} has no dialogs in {year}.",
    },
    # Slack adapter (bot/slack)
    "slack.help": {
        "sv": (
            "*Dialogbot* — kommandon:\n"
            "• `/dialog start` öppnar ett formulär för att starta en runda\n"
            '• `/dialog start avstamning enheter:"Socialförvaltningen" kanal:#ledning '
            "deadline:2027-05-15` startar direkt. Välj enheter med `enheter:`, `avdelningar:`, "
            "`forvaltningar:` (den nivån under enheten) eller `units:` (hela underträdet); "
            'även `anonym:ja`, `lang:en`, `leverans:dm`, `titel:"…"`\n'
            "• `/dialog status [runda]` visar svarsläget\n"
            "• `/dialog påminn [runda]` påminner dem som inte är klara\n"
            "• `/dialog stäng [runda]` stänger rundan och postar sammanfattningen\n"
            "• `/dialog mina` visar dina obesvarade frågor\n"
            "• `/dialog aktiviteter [enhet]` visar enhetens aktiviteter och deras status\n"
            "• `/dialog export [runda] [md|html|docx]` lägger dokumentationen av en runda i kanalen\n"
            "• `/dialog frånvaro 2027-07-01 2027-08-09 [ersättare @person]` registrerar frånvaro "
            "(`/dialog frånvaro` listar, `/dialog frånvaro ta bort N` tar bort)\n"
            "• `/dialog hjälp` visar den här hjälpen"
        ),
        "en": (
            "*Dialogbot* — commands:\n"
            "• `/dialog start` opens a form to start a round\n"
            '• `/dialog start avstamning units:"Socialförvaltningen" channel:#ledning '
            "deadline:2027-05-15` starts one directly. Choose units with `enheter:`, "
            "`avdelningar:`, `forvaltningar:` (that level below the unit) or `units:` (the "
            'whole subtree); also `anonym:ja`, `lang:en`, `leverans:dm`, `title:"…"`\n'
            "• `/dialog status [round]` shows the response rate\n"
            "• `/dialog remind [round]` reminds everyone who has not finished\n"
            "• `/dialog close [round]` closes the round and posts the summary\n"
            "• `/dialog mina` lists your unanswered questions\n"
            "• `/dialog activities [unit]` lists a unit's activities and their status\n"
            "• `/dialog export [round] [md|html|docx]` posts a round's documentation to the channel\n"
            "• `/dialog absence 2027-07-01 2027-08-09 [deputy @person]` registers an absence "
            "(`/dialog absence` lists, `/dialog absence remove N` removes)\n"
            "• `/dialog help` shows this help"
        ),
    },
    "slack.started": {
        "sv": "Runda {round_id} *{title}* har startat med {count} deltagare i <#{channel}>.",
        "en": "Round {round_id} *{title}* has started with {count} participants in <#{channel}>.",
    },
    "slack.starting": {
        "sv": "Startar rundan … du får besked här när den har startat.",
        "en": "Starting the round … you will be told here when it has started.",
    },
    "slack.start_failed": {
        "sv": "Rundan du startade kunde inte startas: {reason}",
        "en": "The round you started could not be started: {reason}",
    },
    "slack.no_manager": {
        "sv": "Obs: {units} har ingen chef och får inga frågor.",
        "en": "Note: {units} have no manager and get no questions.",
    },
    "slack.no_open_rounds": {
        "sv": "Det finns inga öppna rundor.",
        "en": "There are no open rounds.",
    },
    "slack.which_round": {
        "sv": "Det finns flera öppna rundor: {rounds}. Ange vilken, t.ex. `/dialog {command} {example}`.",
        "en": "There are several open rounds: {rounds}. Say which, e.g. `/dialog {command} {example}`.",
    },
    "slack.status": {
        "sv": "*{title}* (runda {round_id}, {status}): {responded} av {units} enheter har svarat, {finished} av {participants} är klara. Sista dag: {deadline}.",
        "en": "*{title}* (round {round_id}, {status}): {responded} of {units} units have answered, {finished} of {participants} have finished. Deadline: {deadline}.",
    },
    "slack.status_missing": {"sv": "Ej svarat: {names}", "en": "Not answered: {names}"},
    "slack.reminded": {
        "sv": "Påminnelse skickad till {count} chefer i runda {round_id}.",
        "en": "Reminder sent to {count} managers in round {round_id}.",
    },
    "slack.closed": {
        "sv": "Runda {round_id} är stängd och sammanfattningen är postad i <#{channel}>.",
        "en": "Round {round_id} is closed and the summary is posted in <#{channel}>.",
    },
    "slack.already_closed": {
        "sv": "Runda {round_id} var redan stängd; sammanfattningen finns i <#{channel}>.",
        "en": "Round {round_id} was already closed; the summary is in <#{channel}>.",
    },
    "slack.mine_none": {
        "sv": "Du har inga obesvarade frågor just nu.",
        "en": "You have no unanswered questions right now.",
    },
    "slack.mine_header": {"sv": "Dina obesvarade frågor:", "en": "Your unanswered questions:"},
    "slack.go_to_thread": {"sv": "Gå till tråden", "en": "Go to the thread"},
    "slack.channel_by_name": {
        "sv": "Kanalen '{name}' kan inte slås upp på namn. Välj den i listan som visas när du skriver # (då skickar Slack kanalens id), eller utelämna kanal: för att använda den här kanalen.",
        "en": "The channel '{name}' cannot be looked up by name. Pick it from the list shown when you type # (Slack then sends its id), or leave out channel: to use this channel.",
    },
    "slack.form_saved": {
        "sv": "Dina svar från formuläret är sparade.",
        "en": "Your answers from the form are saved.",
    },
    "slack.form_too_long": {
        "sv": "Ditt svar på fråga {n} är {length} tecken, längre än formuläret klarar ({limit}). Det ligger kvar som det är; ändra det genom att redigera ditt meddelande i tråden.",
        "en": "Your answer to question {n} is {length} characters, longer than the form allows ({limit}). It stays as it is; change it by editing your message in the thread.",
    },
    "slack.summary_file": {
        "sv": "Sammanfattningen är lång och bifogas därför som Markdown-fil.",
        "en": "The summary is long and is therefore attached as a Markdown file.",
    },
    "slack.summary_part": {"sv": "Del {n} av {total}", "en": "Part {n} of {total}"},
    "slack.modal.start_title": {"sv": "Starta dialogrunda", "en": "Start a dialog round"},
    "slack.modal.form_title": {"sv": "Dina svar", "en": "Your answers"},
    "slack.modal.start": {"sv": "Starta", "en": "Start"},
    "slack.modal.save": {"sv": "Spara", "en": "Save"},
    "slack.modal.cancel": {"sv": "Avbryt", "en": "Cancel"},
    "slack.field.template": {"sv": "Mall", "en": "Template"},
    "slack.field.units": {
        "sv": "Svarande enheter (med allt under)",
        "en": "Answering units (with everything below)",
    },
    "slack.field.channel": {"sv": "Mottagande kanal", "en": "Receiving channel"},
    "slack.field.deadline": {"sv": "Sista dag", "en": "Deadline"},
    "slack.field.anonymous": {
        "sv": "Anonym runda (inga namn i sammanfattningen)",
        "en": "Anonymous round (no names in the summary)",
    },
    "slack.field.lang": {"sv": "Språk", "en": "Language"},
    "slack.field.delivery": {"sv": "Frågorna ställs", "en": "Questions are asked"},
    "slack.delivery.channel": {
        "sv": "i en tråd per chef i kanalen",
        "en": "in a thread per manager in the channel",
    },
    "slack.delivery.dm": {
        "sv": "i ett direktmeddelande till varje chef",
        "en": "in a direct message to each manager",
    },
    "config.invalid": {
        "sv": "Inställningen {variable} går inte att använda: {problem}",
        "en": "The setting {variable} cannot be used: {problem}",
    },
    "slack.field.required": {"sv": "Välj minst en enhet.", "en": "Choose at least one unit."},
    "slack.home.open_rounds": {"sv": "Öppna rundor", "en": "Open rounds"},
    "slack.home.closed_rounds": {"sv": "Nyligen stängda rundor", "en": "Recently closed rounds"},
    "slack.home.no_rounds": {"sv": "Inga öppna rundor.", "en": "No open rounds."},
    "slack.home.pending": {"sv": "Dina obesvarade frågor", "en": "Your unanswered questions"},
    "slack.home.intro": {
        "sv": "Skriv `/dialog hjälp` för att se vad Dialogbot kan.",
        "en": "Type `/dialog help` to see what Dialogbot can do.",
    },
    "slack.home.unit_line": {
        "sv": "{unit}: {answered}/{total} frågor",
        "en": "{unit}: {answered}/{total} questions",
    },
    "slack.button.remind": {"sv": "Påminn dem som inte svarat", "en": "Remind non-responders"},
    "slack.button.close": {"sv": "Stäng och sammanfatta", "en": "Close and summarise"},
    "slack.button.repost": {"sv": "Posta sammanfattningen igen", "en": "Re-post the summary"},
    # Scheduler (bot/schedule): console notifier texts.
    "schedule.remind_question": {
        "sv": "Du är på fråga {n} av {total}: {text}",
        "en": "You are on question {n} of {total}: {text}",
    },
    "schedule.digest": {
        "sv": "Till processtöd {recipients}: i ”{title}” har {missing} av {total} inte svarat klart: {names}.",
        "en": "To process support {recipients}: in ”{title}” {missing} of {total} have not finished: {names}.",
    },
    "schedule.digest_anonymous": {
        "sv": "Till processtöd {recipients}: i ”{title}” har {missing} av {total} inte svarat klart (anonym runda).",
        "en": "To process support {recipients}: in ”{title}” {missing} of {total} have not finished (anonymous round).",
    },
    "schedule.summary_to": {"sv": "Sammanfattning till {group}:", "en": "Summary to {group}:"},
    "followup.progress": {
        "sv": "Uppföljning av aktiviteter ({n} kvar)",
        "en": "Follow-up of activities ({n} left)",
    },
    "slack.button.confirm_activities": {"sv": "Stämmer", "en": "Correct"},
    "slack.button.correct_activities": {"sv": "Rätta listan", "en": "Edit the list"},
    "slack.activities_modal_title": {"sv": "Rätta aktiviteter", "en": "Edit activities"},
    "slack.activities_modal_label": {
        "sv": "En aktivitet per rad, gärna med (ansvarig: namn)",
        "en": "One activity per line, optionally with (ansvarig: name)",
    },
    "slack.activities_which_unit": {
        "sv": "Vilken enhet? Skriv till exempel `/dialog aktiviteter Hemtjänst Norr`.",
        "en": "Which unit? For example `/dialog activities Hemtjänst Norr`.",
    },
    "slack.export_posted": {
        "sv": "Dokumentationen av runda {round_id} ligger nu i <#{channel}>.",
        "en": "The documentation of round {round_id} is now in <#{channel}>.",
    },
    "slack.export_comment": {
        "sv": "Dokumentation: {title}",
        "en": "Documentation: {title}",
    },
    "buttons.confirm_finish.title": {"sv": "Är du klar?", "en": "Are you done?"},
    "buttons.confirm_finish.text": {
        "sv": "Frågor som saknar svar lämnas obesvarade. Du kan ändra dina svar så länge rundan är öppen.",
        "en": "Questions without an answer stay unanswered. You can change your answers while the round is open.",
    },
    "buttons.confirm_finish.yes": {"sv": "Ja, jag är klar", "en": "Yes, I am done"},
    "buttons.confirm_finish.no": {"sv": "Fortsätt svara", "en": "Keep answering"},
    "buttons.confirm_close.title": {"sv": "Stänga rundan?", "en": "Close the round?"},
    "buttons.confirm_close.text": {
        "sv": "När rundan är stängd kan ingen svara mer, och sammanfattningen postas i den mottagande kanalen.",
        "en": "Once the round is closed no one can answer any more, and the summary is posted in the receiving channel.",
    },
    "buttons.confirm_close.yes": {"sv": "Stäng och sammanfatta", "en": "Close and summarise"},
    "buttons.confirm_close.no": {"sv": "Avbryt", "en": "Cancel"},
    "buttons.state.answered": {"sv": "✓ Besvarad", "en": "✓ Answered"},
    "buttons.state.skipped": {"sv": "Hoppades över", "en": "Skipped"},
    "buttons.state.withdrawn": {"sv": "Svaret är borttaget", "en": "Answer withdrawn"},
    "buttons.state.unanswered": {"sv": "Inte besvarad", "en": "Not answered"},
    "buttons.state.followed_up": {"sv": "✓ Besvarad", "en": "✓ Answered"},
    "buttons.followup": {"sv": "Uppföljning av en aktivitet", "en": "Follow-up of an activity"},
    "buttons.bad_value": {
        "sv": "Knappen gick inte att läsa, så ingenting ändrades. Använd knapparna under den senaste frågan i tråden, eller svara genom att skriva i tråden.",
        "en": "That button could not be read, so nothing changed. Use the buttons under the latest question in the thread, or answer by replying in the thread.",
    },
    "buttons.bad_home_value": {
        "sv": "Knappen gick inte att läsa, så ingenting ändrades. Öppna fliken Hem igen så får du nya knappar.",
        "en": "That button could not be read, so nothing changed. Open the Home tab again to get fresh buttons.",
    },
    "error.question_not_current": {
        "sv": "Knappen hör till fråga {n}, som inte är den aktuella frågan, så ingenting ändrades. Aktuell fråga är fråga {current}.",
        "en": "That button belongs to question {n}, which is not the current question, so nothing changed. The current question is question {current}.",
    },
    "error.question_answered_not_current": {
        "sv": "Knappen hör till fråga {n}, som redan är besvarad, så ingenting ändrades och ditt svar står kvar. Aktuell fråga är fråga {current}.",
        "en": "That button belongs to question {n}, which is already answered, so nothing changed and your answer stays. The current question is question {current}.",
    },
    "error.question_not_current_finished": {
        "sv": "Du har redan svarat klart, så knappen ändrar ingenting. Redigera ditt meddelande i tråden för att ändra ett svar.",
        "en": "You have already finished, so the button changes nothing. Edit your message in the thread to change an answer.",
    },
    "error.button_outdated": {
        "sv": "Knappen kommer från ett äldre meddelande som inte säger vilken fråga den gäller, så ingenting ändrades. Aktuell fråga är fråga {current}; den kommer här i tråden igen.",
        "en": "That button comes from an older message that does not say which question it belongs to, so nothing changed. The current question is question {current}; it is posted in the thread again.",
    },
    "anonymity.notice": {
        "sv": (
            "Rundan är anonym. Frågorna kommer privat (DM), aldrig i kanalen. Gruppen ser "
            "svaren per fråga utan namn och enhet, sammanslagna i grupper med minst {k} "
            "svarande; där färre än {k} har svarat ser gruppen bara antalet, och de svaren "
            "raderas när rundan stängs. När rundan stängs raderas också kopplingen mellan "
            "person och svar."
        ),
        "en": (
            "This round is anonymous. The questions come privately (DM), never in the "
            "channel. The group sees the answers per question without names or units, "
            "pooled in groups of at least {k} respondents; where fewer than {k} have "
            "answered, the group sees only how many, and those answers are deleted when the "
            "round closes. When the round closes, the link between people and answers is "
            "erased too."
        ),
    },
    "anonymity.explained": {
        "sv": (
            "Anonym runda: svaren visas per fråga utan namn och enhet, sammanslagna på den "
            "lägsta nivå där minst {k} har svarat, och sorterade efter text. Där färre än "
            "{k} har svarat visas bara antalet svar. De som inte svarat räknas bara."
        ),
        "en": (
            "Anonymous round: answers are shown per question without names or units, pooled "
            "at the lowest level where at least {k} have answered, and sorted by text. Where "
            "fewer than {k} have answered, only the number of answers is shown. Those who "
            "did not answer are only counted."
        ),
    },
    "anonymity.pool": {
        "sv": "{unit} ({level}) — {n} svarande",
        "en": "{unit} ({level}) — {n} respondents",
    },
    "anonymity.withheld": {
        "sv": "{n} svar visas inte: färre än {k} svarande i gruppen.",
        "en": "{n} answers not shown: fewer than {k} respondents in the group.",
    },
    "anonymity.setting_set": {
        "sv": "anonymity_k är nu {k} i arbetsytan {workspace} (rundor som redan startat behåller sitt värde).",
        "en": "anonymity_k is now {k} in workspace {workspace} (rounds already started keep theirs).",
    },
    "anonymity.setting_show": {
        "sv": "anonymity_k = {k} (minsta antal svarande innan en grupps svar visas i en anonym runda)",
        "en": "anonymity_k = {k} (the fewest respondents before a group's answers are shown in an anonymous round)",
    },
    "anonymity.bad_setting": {
        "sv": "Okänd inställning {name}. Känd: anonymity_k (ett heltal från {low} till {high}).",
        "en": "Unknown setting {name}. Known: anonymity_k (a whole number from {low} to {high}).",
    },
    "anonymity.bad_k": {
        "sv": "anonymity_k måste vara ett heltal från {low} till {high}, inte ”{value}”.",
        "en": "anonymity_k must be a whole number from {low} to {high}, not ”{value}”.",
    },
    "anonymity.activities_after_close": {
        "sv": "Aktiviteterna i en anonym runda visas när rundan har stängts.",
        "en": "The activities of an anonymous round are shown once the round has closed.",
    },
    "console.unknown_command": {
        "sv": "Okänt kommando: {command}.{suggestion} Det sparades inte som svar. /hjälp visar alla kommandon; ett svar som börjar med / skriver du med två: //text.",
        "en": "Unknown command: {command}.{suggestion} It was not saved as an answer. /help lists every command; to answer with text that starts with /, type two: //text.",
    },
    "console.did_you_mean": {"sv": " Menade du {command}?", "en": " Did you mean {command}?"},
    "console.edit_usage": {
        "sv": "Så ändrar du ett svar: {command} N ny text, där N är frågans nummer (1–{total}), t.ex. {command} 2 Vi har anställt två sjuksköterskor. /svar visar dina svar.",
        "en": "To change an answer: {command} N new text, where N is the question's number (1–{total}), e.g. {command} 2 We have hired two nurses. /answers lists your answers.",
    },
    "console.correct_usage": {
        "sv": "Skriv {command} följt av den rättade listan, en aktivitet per rad.",
        "en": "Type {command} followed by the corrected list, one activity per line.",
    },
    "console.skip_kept": {
        "sv": "Fråga {n} har redan ett svar, och det behålls. Ändra det med /ändra {n} ny text.",
        "en": "Question {n} already has an answer, and it is kept. Change it with /edit {n} new text.",
    },
    "console.already_finished": {
        "sv": "Du har redan svarat klart. Ändra ett svar med /ändra N ny text; /svar visar dina svar och /klar avslutar.",
        "en": "You have already finished. Change an answer with /edit N new text; /answers lists your answers and /done quits.",
    },
    "console.welcome_back": {
        "sv": "Välkommen tillbaka! Du har svarat klart, men rundan är öppen och du kan ändra dina svar:",
        "en": "Welcome back! You have finished, but the round is open and you can change your answers:",
    },
    "console.your_answers": {"sv": "Dina svar:", "en": "Your answers:"},
    "console.sheet.skipped": {"sv": "(hoppade över)", "en": "(skipped)"},
    "console.sheet.unanswered": {"sv": "(inget svar)", "en": "(no answer)"},
    "console.sheet.howto": {
        "sv": "Ändra ett svar med /ändra N ny text (t.ex. /ändra 2 …). /klar avslutar.",
        "en": "Change an answer with /edit N new text (e.g. /edit 2 …). /done quits.",
    },
    "console.activities.ask": {
        "sv": "Skriv ja om listan stämmer, eller skriv den rättade listan (en aktivitet per rad). /hoppa låter den stå kvar som förslag.",
        "en": "Type yes if the list is right, or type the corrected list (one activity per line). /skip leaves it as a proposal.",
    },
    "console.activities.write_list": {
        "sv": "Skriv den rättade listan, en aktivitet per rad (eller /hoppa).",
        "en": "Type the corrected list, one activity per line (or /skip).",
    },
    "console.activities.left": {
        "sv": "Listan står kvar som förslag; bekräfta den senare med /stämmer eller rätta den med /rätta.",
        "en": "The list stays a proposal; confirm it later with /confirm or correct it with /correct.",
    },
    "console.choose_round": {"sv": "Välj runda", "en": "Choose a round"},
    "console.finished_mark": {"sv": "klar, kan ändras", "en": "finished, can be changed"},
    "error.invalid_id": {
        "sv": "Ogiltigt rundnummer {value!r}: ange ett heltal mellan 1 och {max}.",
        "en": "Invalid round number {value!r}: give a whole number between 1 and {max}.",
    },
    "error.org_cycle": {
        "sv": "Organisationen har en cykel ({units}); rätta överordnad enhet och importera igen.",
        "en": "The organisation has a cycle ({units}); fix the parent units and import again.",
    },
    "error.too_long.title": {
        "sv": "Titeln är för lång ({length} tecken; högst {max}).",
        "en": "The title is too long ({length} characters; at most {max}).",
    },
    "error.too_long.group": {
        "sv": "Kanalen är för lång ({length} tecken; högst {max}).",
        "en": "The channel is too long ({length} characters; at most {max}).",
    },
    "schedule.planning_failed": {
        "sv": "Årsschemat för den här arbetsytan kunde inte planeras, så inga rundor eller "
        "påminnelser skickas från det: {reason}. Importera ett rättat schema med "
        "`dialogbot schedule import`.",
        "en": "The annual schedule of this workspace could not be planned, so it starts no "
        "rounds and sends no reminders: {reason}. Import a corrected schedule with "
        "`dialogbot schedule import`.",
    },
    # Problems of an annual schedule file (bot/schedule/config.py, bot/schedule/store.py).
    "schedule.problem.header": {
        "sv": "{source}: {n} problem i årsschemat",
        "en": "{source}: {n} problems in annual schedule",
    },
    "schedule.problem.invalid": {"sv": "ogiltigt årsschema", "en": "invalid schedule"},
    "schedule.problem.empty": {"sv": "årsschemat är tomt", "en": "the schedule is empty"},
    "schedule.problem.not_mapping": {
        "sv": "väntade en mappning med 'rounds' på översta nivån, fick {kind}",
        "en": "expected a mapping with 'rounds' at the top level, got {kind}",
    },
    "schedule.problem.duration": {
        "sv": "ogiltig tidslängd {value}: ange ett helt antal dagar, t.ex. '14d', '2w', "
        "'P14D' eller 'P2W'",
        "en": "bad duration {value}: expected a whole number of days such as '14d', '2w', "
        "'P14D' or 'P2W'",
    },
    "schedule.problem.duration_negative": {
        "sv": "ogiltig tidslängd {value}: får inte vara negativ",
        "en": "bad duration {value}: must not be negative",
    },
    "schedule.problem.rrule": {
        "sv": "ogiltig rrule-text {value}: {reason}",
        "en": "invalid rrule text {value}: {reason}",
    },
    "schedule.problem.rrule_expected": {
        "sv": "väntade en RFC 5545-regel som 'FREQ=YEARLY;BYMONTH=5;BYDAY=1MO'",
        "en": "expected an RFC 5545 rule such as 'FREQ=YEARLY;BYMONTH=5;BYDAY=1MO'",
    },
    "schedule.problem.rrule_one_line": {
        "sv": "väntade en enda RRULE-rad utan DTSTART, EXDATE eller andra egenskaper",
        "en": "expected a single RRULE line without DTSTART, EXDATE or other properties",
    },
    "schedule.problem.rrule_dtstart": {
        "sv": "DTSTART är inte tillåtet; förekomsterna räknas ut per kalenderår",
        "en": "DTSTART is not allowed; occurrences are computed per calendar year",
    },
    "schedule.problem.rrule_count": {
        "sv": "COUNT stöds inte eftersom regler räknas ut per år; använd UNTIL",
        "en": "COUNT is not supported because rules are evaluated per year; use UNTIL",
    },
    "schedule.problem.rrule_time_of_day": {
        "sv": "{part} är inte tillåtet; tiden på dagen kommer från send_hour",
        "en": "{part} is not allowed; the time of day comes from send_hour",
    },
    "schedule.problem.rrule_byeaster": {
        "sv": "BYEASTER ingår inte i RFC 5545",
        "en": "BYEASTER is not part of RFC 5545",
    },
    "schedule.problem.rrule_until_z": {
        "sv": "UNTIL ska vara ett lokalt datum utan 'Z', t.ex. UNTIL=20301231",
        "en": "UNTIL must be a local date without 'Z', e.g. UNTIL=20301231",
    },
    "schedule.problem.rrule_range": {
        "sv": "{name}-värdet {item} ligger utanför det tillåtna intervallet ({expected})",
        "en": "{name} value {item} is out of range (expected {expected})",
    },
    "schedule.problem.rrule_parse": {
        "sv": "{detail} (väntade en RFC 5545-regel som 'FREQ=YEARLY;BYMONTH=5;BYDAY=1MO')",
        "en": "{detail} (expected an RFC 5545 rule such as 'FREQ=YEARLY;BYMONTH=5;BYDAY=1MO')",
    },
    "schedule.problem.rrule_single": {
        "sv": "väntade en enda regel",
        "en": "expected a single rule",
    },
    "schedule.problem.rrule_freq": {
        "sv": "FREQ ska vara YEARLY, MONTHLY, WEEKLY eller DAILY (rundor startar högst en "
        "gång om dagen)",
        "en": "FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY (rounds start at most once a day)",
    },
    "schedule.problem.rrule_never": {
        "sv": "regeln inträffar aldrig under något år (ett datum som 30 februari, eller en "
        "BYSETPOS bortom de dagar regeln väljer)",
        "en": "the rule never occurs in any year (a date such as 30 February, or a BYSETPOS "
        "beyond the days the rule selects)",
    },
    "schedule.problem.timezone": {
        "sv": "okänd tidszon {value}: ange ett IANA-namn som 'Europe/Stockholm'",
        "en": "unknown timezone {value}: expected an IANA name like 'Europe/Stockholm'",
    },
    "schedule.problem.country": {
        "sv": "okänt land för helgdagar {value} (t.ex. 'SE')",
        "en": "unknown holiday country {value} (expected e.g. 'SE')",
    },
    "schedule.problem.reminders": {
        "sv": "väntade en lista med tidslängder före deadline, t.ex. [7d, 2d, 0d], fick {value}",
        "en": "expected a list of durations before the deadline such as [7d, 2d, 0d], got {value}",
    },
    "schedule.problem.name_empty": {
        "sv": "namnet får inte vara tomt",
        "en": "expected a non-empty name",
    },
    "schedule.problem.same_levels": {
        "sv": "answering_level och receiving_level är båda {level}; en dialog förs mellan två "
        "olika nivåer",
        "en": "answering_level and receiving_level are both {level}; a dialog is between two "
        "different levels",
    },
    "schedule.problem.duplicate_key": {
        "sv": "rundnyckeln {name} finns flera gånger: nycklar måste vara unika",
        "en": "duplicate round key {name}: keys must be unique",
    },
    "schedule.problem.hours_order": {
        "sv": "send_hour ({send}) måste vara tidigare än deadline_hour ({deadline})",
        "en": "send_hour ({send}) must be earlier than deadline_hour ({deadline})",
    },
    "schedule.problem.unknown_field": {
        "sv": "okänt fält (tillåtna: {fields})",
        "en": "unknown field (expected one of: {fields})",
    },
    "schedule.problem.missing": {
        "sv": "obligatoriskt fält saknas",
        "en": "required field is missing",
    },
    "schedule.problem.key_pattern": {
        "sv": "väntade en nyckel av gemena bokstäver, siffror, '-' eller '_'{got}",
        "en": "expected a key of lower-case letters, digits, '-' or '_'{got}",
    },
    "schedule.problem.at_least": {
        "sv": "ska vara minst {ge}{got}",
        "en": "Input should be greater than or equal to {ge}{got}",
    },
    "schedule.problem.at_most": {
        "sv": "ska vara högst {le}{got}",
        "en": "Input should be less than or equal to {le}{got}",
    },
    "schedule.problem.too_short": {
        "sv": "ska ha minst {min_length} tecken{got}",
        "en": "String should have at least {min_length} character{got}",
    },
    "schedule.problem.too_long": {
        "sv": "får ha högst {max_length} tecken{got}",
        "en": "String should have at most {max_length} characters{got}",
    },
    "schedule.problem.not_int": {
        "sv": "ska vara ett heltal{got}",
        "en": "Input should be a valid integer{got}",
    },
    "schedule.problem.not_bool": {
        "sv": "ska vara true eller false{got}",
        "en": "Input should be a valid boolean{got}",
    },
    "schedule.problem.not_text": {
        "sv": "ska vara en text{got}",
        "en": "Input should be a valid string{got}",
    },
    "schedule.problem.not_list": {
        "sv": "ska vara en lista{got}",
        "en": "Input should be a valid tuple{got}",
    },
    "schedule.problem.not_a_mapping": {
        "sv": "ska vara en mappning (fält: värde){got}",
        "en": "Input should be a valid dictionary or instance of the model{got}",
    },
    "schedule.problem.other": {"sv": "{detail}{got}", "en": "{detail}{got}"},
    "schedule.problem.got": {"sv": " (fick {value})", "en": " (got {value})"},
    "schedule.problem.lang": {
        "sv": "väntade 'sv' eller 'en', fick {value}",
        "en": "expected 'sv' or 'en', got {value}",
    },
    "schedule.cli.showing_preset": {
        "sv": "(Inget årsschema är sparat för arbetsytan {workspace}; visar det medföljande "
        "förvalet. Spara ett med `dialogbot schedule import`.)",
        "en": "(No schedule stored for workspace {workspace}; showing the shipped preset. "
        "Store one with `dialogbot schedule import`.)",
    },
    "schedule.cli.stored_source": {
        "sv": "{source} (sparat för {workspace})",
        "en": "{source} (stored for {workspace})",
    },
    "schedule.cli.file_or_preset": {
        "sv": "Ange antingen en schemafil (FILE) eller --preset.",
        "en": "Give either a schedule FILE or --preset.",
    },
    "schedule.cli.stored": {
        "sv": "Sparade ett årsschema för arbetsytan {workspace} från {source}: {n} rundor, "
        "planeras från {when}.",
        "en": "Stored a schedule for workspace {workspace} from {source}: {n} rounds, "
        "planning from {when}.",
    },
    "schedule.cli.replaced": {
        "sv": "Ersatte årsschemat för arbetsytan {workspace} från {source}: {n} rundor, "
        "planeras från {when}.",
        "en": "Replaced the schedule for workspace {workspace} from {source}: {n} rounds, "
        "planning from {when}.",
    },
    "schedule.cli.dropped": {
        "sv": "Tog bort {n} kommande jobb från det tidigare schemat.",
        "en": "Dropped {n} upcoming jobs of the earlier schedule.",
    },
    "schedule.cli.warning": {"sv": "Varning: {text}", "en": "Warning: {text}"},
    "schedule.warning.no_org": {
        "sv": "arbetsytan {workspace} har ingen organisation än; importera en med "
        "`dialogbot org import`",
        "en": "workspace {workspace} has no organisation yet; import one with "
        "`dialogbot org import`",
    },
    "schedule.warning.unknown_level": {
        "sv": "nivån {value} finns inte i organisationen (kända: {known}); rundan startar "
        "ingenting",
        "en": "level {value} is not in the organisation (known: {known}); the round will "
        "start nothing",
    },
    "schedule.problem.unknown_template": {
        "sv": "okänd mall {value} (tillåtna: {known})",
        "en": "unknown template {value} (expected one of: {known})",
    },
    "outbox-and-races.which_round": {
        "sv": "Du har flera rundor öppna, så jag vet inte vilken ditt svar gäller. "
        "Välj rundan – inget är sparat förrän du har valt:",
        "en": "You have several rounds open, so I do not know which one your answer is for. "
        "Pick the round – nothing is saved until you do:",
    },
    "outbox-and-races.write_again": {
        "sv": "Svaret var för långt för att följa med knappen. Skriv det igen här i tråden, "
        "så sparas det i den här rundan.",
        "en": "The answer was too long to travel with the button. Write it again here in "
        "the thread and it is saved in this round.",
    },
    "outbox-and-races.saved_in_round": {
        "sv": "Sparat i rundan ”{title}”.",
        "en": "Saved in the round “{title}”.",
    },
    "outbox-and-races.thread_closed": {
        "sv": "Den här tråden har ingen öppen fråga längre – rundan är stängd. Svaret "
        "sparades inte.",
        "en": "This thread has no open question any more – the round is closed. Your reply "
        "was not saved.",
    },
    "outbox-and-races.form_unavailable": {
        "sv": "Det gick inte att spara just nu. Försök igen om en stund – det du skrev finns kvar.",
        "en": "Your answers could not be saved right now. Try again in a moment – what you "
        "wrote is still here.",
    },
    "access.denied": {
        "sv": "Tyvärr, det kan du inte se ({what}). Processtöd och administratörer ser allt; "
        "en chef ser sina egna enheter och allt som ligger under dem.",
        "en": "Sorry, you cannot see that ({what}). Process supports and administrators see "
        "everything; a manager sees their own units and everything below them.",
    },
    "access.home.branch": {
        "sv": "Öppna rundor i din del av organisationen",
        "en": "Open rounds in your part of the organisation",
    },
    "privacy.retention_invalid": {
        "sv": "DIALOGBOT_RETENTION_DAYS ska vara ett antal dagar (minst 1) eller 'off', "
        "inte '{value}'.",
        "en": "DIALOGBOT_RETENTION_DAYS must be a number of days (at least 1) or 'off', "
        "not '{value}'.",
    },
    "year.wheel_format": {
        "sv": "Årshjulet kan sparas som .png eller .svg, inte {suffix}. Exempel: -o arshjul.png",
        "en": "The annual wheel can be saved as .png or .svg, not {suffix}. Example: -o arshjul.png",
    },
    "year.bad_output": {
        "sv": "Kan inte skriva till {path}: mappen finns inte, eller så är det en mapp.",
        "en": "Cannot write to {path}: the folder does not exist, or it is a folder.",
    },
    "year.wheel_written": {
        "sv": "Årshjulet för {year} ({count} dialogomgångar) är sparat i {path}.",
        "en": "The annual wheel of {year} ({count} dialog rounds) is saved in {path}.",
    },
    "year.ical_written": {
        "sv": "Kalendern för {year} ({count} händelser) är sparad i {path}. Importera den i Outlook eller Google Kalender; en ny import uppdaterar samma händelser.",
        "en": "The calendar of {year} ({count} events) is saved in {path}. Import it into Outlook or Google Calendar; importing again updates the same events.",
    },
    "history.pooled": {"sv": "Sammanslaget: {unit}", "en": "Pooled: {unit}"},
    "history.need_dates": {
        "sv": "Ange perioden med --from och --to, t.ex. --from 2026-01-01 --to 2027-12-31.",
        "en": "Give the period with --from and --to, e.g. --from 2026-01-01 --to 2027-12-31.",
    },
    "history.bad_range": {
        "sv": "--to ({end}) ligger före --from ({start}).",
        "en": "--to ({end}) is before --from ({start}).",
    },
    "history.need_output": {
        "sv": "Ange filen att skriva med -o, t.ex. {example}.",
        "en": "Give the file to write with -o, e.g. {example}.",
    },
    "history.bad_format": {
        "sv": "Historiken kan sparas som .csv eller .xlsx, inte {suffix}. Ange --format csv eller --format xlsx.",
        "en": "The history can be saved as .csv or .xlsx, not {suffix}. Give --format csv or --format xlsx.",
    },
    "history.written": {
        "sv": "{rows} svar från {rounds} dialogomgångar är sparade i {path}.",
        "en": "{rows} answers from {rounds} dialog rounds are saved in {path}.",
    },
    "history.anonymous_left_out": {
        "sv": "{count} anonyma omgångar togs inte med, eftersom ett urval på enhet skulle peka ut enheten.",
        "en": "{count} anonymous rounds were left out, since choosing a unit would single it out.",
    },
    "history.empty_sheet": {"sv": "Inga svar", "en": "No answers"},
    "history.no_answers": {
        "sv": "Inga dialogomgångar under perioden.",
        "en": "No dialog rounds in the period.",
    },
    "history.col.round": {"sv": "Omgång", "en": "Round"},
    "history.col.title": {"sv": "Rubrik", "en": "Title"},
    "history.col.phase": {"sv": "Fas", "en": "Phase"},
    "history.col.template": {"sv": "Mall", "en": "Template"},
    "history.col.started": {"sv": "Startade", "en": "Started"},
    "history.col.unit": {"sv": "Enhet", "en": "Unit"},
    "history.col.level": {"sv": "Nivå", "en": "Level"},
    "history.col.person": {"sv": "Chef", "en": "Manager"},
    "history.col.number": {"sv": "Nr", "en": "No."},
    "history.col.question": {"sv": "Fråga", "en": "Question"},
    "history.col.answer": {"sv": "Svar", "en": "Answer"},
    "history.col.answered_at": {"sv": "Besvarad", "en": "Answered"},
    "history.rates.total": {"sv": "Totalt", "en": "Total"},
    "history.rates.anonymous_cell": {"sv": "anonym", "en": "anonymous"},
    "history.rates.title": {
        "sv": "Svarsfrekvens per enhet och dialogomgång {year}",
        "en": "Response rate per unit and dialog round {year}",
    },
    "history.rates.unit": {"sv": "Enhet", "en": "Unit"},
    "history.rates.none": {
        "sv": "Inga dialogomgångar startade {year}.",
        "en": "No dialog rounds started in {year}.",
    },
    "history.rates.written": {
        "sv": "Värmekartan är sparad i {path}.",
        "en": "The heat map is saved in {path}.",
    },
    "history.rates.legend": {
        "sv": "Andel chefer som svarat klart; – = enheten fick inte frågorna; anonyma omgångar visar bara totalen.",
        "en": "Share of managers who finished; – = the unit was not asked; anonymous rounds show only the total.",
    },
    "history.chart_format": {
        "sv": "Diagrammet kan sparas som .png eller .svg, inte {suffix}.",
        "en": "The chart can be saved as .png or .svg, not {suffix}.",
    },
    "history.activities.planned": {"sv": "planerade", "en": "planned"},
    "history.activities.in_progress": {"sv": "pågår", "en": "ongoing"},
    "history.activities.done": {"sv": "klara", "en": "done"},
    "history.activities.stopped": {"sv": "stoppade", "en": "stopped"},
    "history.activities.total": {"sv": "totalt", "en": "total"},
    "history.activities.axis": {"sv": "Antal aktiviteter", "en": "Number of activities"},
    "history.activities.title": {
        "sv": "Aktiviteter {year}: status vid årets slut",
        "en": "Activities {year}: status at the end of the year",
    },
    "history.activities.heading": {
        "sv": "Aktiviteter under året",
        "en": "Activities over the year",
    },
    "history.activities.intro": {
        "sv": "Status vid årets slut (eller idag) för de aktiviteter som fanns under året.",
        "en": "Status at the end of the year (or today) of the activities that existed during the year.",
    },
    "history.activities.none": {
        "sv": "Inga aktiviteter under {year}.",
        "en": "No activities in {year}.",
    },
    "history.activities.written": {
        "sv": "Diagrammet är sparat i {path}.",
        "en": "The chart is saved in {path}.",
    },
    "doctor.name.database": {"sv": "Databas", "en": "Database"},
    "doctor.name.configuration": {"sv": "Konfiguration", "en": "Configuration"},
    "doctor.name.token_keys": {"sv": "Nyckel för tokenkryptering", "en": "Token encryption key"},
    "doctor.name.time_zone": {"sv": "Tidszon", "en": "Time zone"},
    "doctor.name.clock": {"sv": "Klocka", "en": "Clock"},
    "doctor.name.bot_token": {"sv": "Bot-token", "en": "Bot token"},
    "doctor.name.bot_scopes": {"sv": "Behörigheter", "en": "Bot scopes"},
    "doctor.name.organisation": {"sv": "Organisation", "en": "Organisation"},
    "doctor.name.schedule": {"sv": "Årsschema {year}", "en": "Schedule {year}"},
    "doctor.name.units_have_managers": {"sv": "Enheter har chefer", "en": "Units have managers"},
    "doctor.name.channels": {"sv": "Kanaler", "en": "Channels"},
    "doctor.name.managers_in_slack": {"sv": "Chefer i Slack", "en": "Managers in Slack"},
    "doctor.skipped": {"sv": "hoppades över ({why})", "en": "skipped ({why})"},
    "doctor.why.config": {
        "sv": "konfigurationen är ofullständig",
        "en": "configuration incomplete",
    },
    "doctor.why.no_workspace": {
        "sv": "ingen arbetsyta har en organisation än",
        "en": "no workspace has an organisation yet",
    },
    "doctor.why.database": {
        "sv": "databaskontrollen misslyckades",
        "en": "the database check failed",
    },
    "doctor.why.token": {"sv": "ingen fungerande bot-token", "en": "no working bot token"},
    "doctor.db.unreachable": {
        "sv": "{where} går inte att nå ({error})",
        "en": "{where} is not reachable ({error})",
    },
    "doctor.db.unreachable.fix": {
        "sv": "kontrollera DIALOGBOT_DATABASE_URL, att servern är igång och tar emot användaren",
        "en": "check DIALOGBOT_DATABASE_URL, that the server runs and accepts this user",
    },
    "doctor.db.old": {
        "sv": "{where} har schema {current}, den här versionen behöver {head}",
        "en": "{where} is at schema {current}, this version needs {head}",
    },
    "doctor.db.old.fix": {
        "sv": "kör: dialogbot db upgrade (säkerhetskopiera först: dialogbot db backup FIL)",
        "en": "run: dialogbot db upgrade (back up first: dialogbot db backup FILE)",
    },
    "doctor.db.ok": {
        "sv": "{where} svarar, schema {head} (senaste)",
        "en": "{where} reachable, schema {head} (latest)",
    },
    "doctor.config.half_oauth": {
        "sv": "OAuth är bara delvis inställt: {missing} saknas",
        "en": "OAuth is half configured: {missing} is not set",
    },
    "doctor.config.set": {"sv": "sätt {missing}", "en": "set {missing}"},
    "doctor.config.missing": {
        "sv": "SLACK_SIGNING_SECRET och SLACK_BOT_TOKEN (en arbetsyta) eller SLACK_CLIENT_ID och "
        "SLACK_CLIENT_SECRET (OAuth) måste vara satta; saknas: {missing}",
        "en": "SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
        "SLACK_CLIENT_SECRET (OAuth) must be set; missing: {missing}",
    },
    "doctor.config.not_xoxb": {
        "sv": "SLACK_BOT_TOKEN är inte en bot-token (xoxb-…)",
        "en": "SLACK_BOT_TOKEN is not a bot token (xoxb-…)",
    },
    "doctor.config.no_app_token": {
        "sv": "Socket Mode behöver SLACK_APP_TOKEN",
        "en": "Socket Mode needs SLACK_APP_TOKEN",
    },
    "doctor.config.not_xapp": {
        "sv": "SLACK_APP_TOKEN är inte en app-token (xapp-…)",
        "en": "SLACK_APP_TOKEN is not an app-level token (xapp-…)",
    },
    "doctor.config.fix": {
        "sv": "se docs/deploy.md, Configuration and secrets",
        "en": "see docs/deploy.md, Configuration and secrets",
    },
    "doctor.config.ok": {"sv": "{mode}, {how}, API {api}", "en": "{mode}, {how}, API {api}"},
    "doctor.mode.http": {"sv": "HTTP-läge", "en": "HTTP mode"},
    "doctor.mode.socket": {"sv": "Socket Mode", "en": "Socket Mode"},
    "doctor.how.token": {
        "sv": "en arbetsyta (SLACK_BOT_TOKEN)",
        "en": "one workspace (SLACK_BOT_TOKEN)",
    },
    "doctor.how.oauth": {"sv": "OAuth, flera arbetsytor", "en": "OAuth, several workspaces"},
    "doctor.keys.not_needed": {
        "sv": "behövs inte (token kommer från miljön, inte från databasen)",
        "en": "not needed (tokens come from the environment, not the database)",
    },
    "doctor.keys.missing": {
        "sv": "OAuth sparar bot-token i databasen men {var} är inte satt",
        "en": "OAuth stores bot tokens in the database but {var} is not set",
    },
    "doctor.keys.missing.fix": {
        "sv": "sätt {var} (se docs/deploy.md, Configuration and secrets)",
        "en": "set {var} (see docs/deploy.md, Configuration and secrets)",
    },
    "doctor.keys.ok": {"sv": "{var} är satt", "en": "{var} is set"},
    "doctor.keys.bad": {
        "sv": "{var} innehåller en nyckel som inte är en Fernet-nyckel",
        "en": "{var} holds a key that is not a Fernet key",
    },
    "doctor.config.keys": {
        "sv": "OAuth är inställt men {var} saknas eller är ogiltig",
        "en": "OAuth is configured but {var} is missing or invalid",
    },
    "doctor.tz.bad": {"sv": "okänd tidszon {tz!r}", "en": "unknown time zone {tz!r}"},
    "doctor.tz.bad.fix": {
        "sv": "sätt DIALOGBOT_TZ (eller --tz) till en IANA-zon, t.ex. Europe/Stockholm",
        "en": "set DIALOGBOT_TZ (or --tz) to an IANA zone such as Europe/Stockholm",
    },
    "doctor.tz.ok": {"sv": "{tz} (nu {now})", "en": "{tz} (now {now})"},
    "doctor.clock.no_db": {
        "sv": "{now} UTC (inte jämförd: ingen databas)",
        "en": "{now} UTC (not compared: no database)",
    },
    "doctor.clock.skew": {
        "sv": "den här datorn säger {now} UTC, databasen {server} UTC ({seconds} s isär)",
        "en": "this machine says {now} UTC, the database {server} UTC ({seconds} s apart)",
    },
    "doctor.clock.skew.fix": {
        "sv": "slå på tidssynkronisering (NTP, t.ex. systemd-timesyncd eller chrony) på båda",
        "en": "enable time synchronisation (NTP, e.g. systemd-timesyncd or chrony) on both",
    },
    "doctor.clock.ok": {
        "sv": "{now} UTC, inom {seconds} s från databasens",
        "en": "{now} UTC, within {seconds} s of the database",
    },
    "doctor.token.refused": {
        "sv": "Slack avvisade den ({error})",
        "en": "Slack refused it ({error})",
    },
    "doctor.token.refused.fix": {
        "sv": "kopiera Bot User OAuth Token (xoxb-…) från appens sida Install App igen",
        "en": "copy the Bot User OAuth Token (xoxb-…) from the app's Install App page again",
    },
    "doctor.token.unreachable": {
        "sv": "Slack går inte att nå ({error})",
        "en": "Slack is not reachable ({error})",
    },
    "doctor.token.unreachable.fix": {
        "sv": "kontrollera SLACK_API_URL och proxyn",
        "en": "check SLACK_API_URL and the proxy",
    },
    "doctor.token.not_installed": {
        "sv": "appen är inte installerad i arbetsytan",
        "en": "the app is not installed in this workspace",
    },
    "doctor.token.not_installed.fix": {
        "sv": "installera appen via /slack/install",
        "en": "install the app via /slack/install",
    },
    "doctor.token.ok": {
        "sv": "fungerar för {team} ({team_id}) som {user}",
        "en": "works for {team} ({team_id}) as {user}",
    },
    "doctor.scopes.unknown": {
        "sv": "Slack uppgav inte tokenens behörigheter",
        "en": "Slack did not report the token's scopes",
    },
    "doctor.scopes.missing": {"sv": "saknas: {scopes}", "en": "missing {scopes}"},
    "doctor.scopes.extra": {
        "sv": "finns inte i manifest.yml: {scopes}",
        "en": "not in manifest.yml: {scopes}",
    },
    "doctor.scopes.fix": {
        "sv": "uppdatera appen från manifest.yml (OAuth & Permissions) och installera om den",
        "en": "update the app from manifest.yml (OAuth & Permissions) and reinstall it",
    },
    "doctor.scopes.ok": {
        "sv": "exakt de {n} behörigheterna i manifest.yml",
        "en": "exactly the {n} scopes of manifest.yml",
    },
    "doctor.scopes.ok_optional": {
        "sv": "exakt de {n} behörigheterna i manifest.yml, och {optional} för doctor",
        "en": "exactly the {n} scopes of manifest.yml, and {optional} for doctor",
    },
    "doctor.people.no_scope": {
        "sv": "hoppades över: users.info kräver behörigheten {scope}, som boten själv inte "
        "behöver; lägg till den i appen om doctor ska kontrollera de {n} cheferna",
        "en": "skipped: users.info needs the {scope} scope, which the bot itself does not "
        "need; add it to the app to let doctor check the {n} managers",
    },
    "doctor.channels.none": {
        "sv": "ingen öppen eller schemalagd runda postar i en kanal än",
        "en": "no open round or schedule posts to a channel yet",
    },
    "doctor.channels.not_id": {
        "sv": "{channel!r} är inget kanal-id i Slack",
        "en": "{channel!r} is not a Slack channel id",
    },
    "doctor.channels.not_member": {
        "sv": "inte medlem i {channel} ({error})",
        "en": "not a member of {channel} ({error})",
    },
    "doctor.channels.fix": {
        "sv": "skriv /invite @dialogbot i varje kanal; ge enheter och scheman kanal-id (C…), "
        "t.ex. från kanalens detaljer",
        "en": "type /invite @dialogbot in each channel; give units and schedules channel ids "
        "(C…), e.g. from the channel's details",
    },
    "doctor.channels.ok": {
        "sv": "medlem i alla {n}: {channels}",
        "en": "member of all {n}: {channels}",
    },
    "doctor.people.none": {"sv": "inga chefer att kontrollera", "en": "no managers to check"},
    "doctor.people.deactivated": {"sv": "avaktiverad", "en": "deactivated"},
    "doctor.people.unknown": {
        "sv": "okända för Slack: {people}",
        "en": "unknown to Slack: {people}",
    },
    "doctor.people.fix": {
        "sv": "rätta personernas id (Slacks medlems-id, U…) i organisationsfilen och kör "
        "dialogbot org import igen",
        "en": "fix the people's ids (Slack member ids, U…) in the organisation file and run "
        "dialogbot org import again",
    },
    "doctor.people.ok": {"sv": "alla {n} finns", "en": "all {n} found"},
    "doctor.org.none": {
        "sv": "ingen organisation importerad för arbetsytan {workspace}",
        "en": "no organisation imported for workspace {workspace}",
    },
    "doctor.org.none.fix": {
        "sv": "kör: dialogbot --workspace {workspace} org import FIL",
        "en": "run: dialogbot --workspace {workspace} org import FILE",
    },
    "doctor.org.ok": {"sv": "{n} enheter", "en": "{n} units"},
    "doctor.schedule.none": {
        "sv": "inget årsschema sparat (rundor startas för hand)",
        "en": "no schedule stored (rounds are started by hand)",
    },
    "doctor.schedule.bad": {"sv": "{problems}", "en": "{problems}"},
    "doctor.schedule.fix": {
        "sv": "rätta filen och kör dialogbot schedule import",
        "en": "fix the file and run dialogbot schedule import",
    },
    "doctor.schedule.ok": {
        "sv": "{n} rundor planerade från {source}",
        "en": "{n} rounds planned from {source}",
    },
    "doctor.managers.missing": {
        "sv": "{n} av {total} enheter saknar chef: {units}",
        "en": "{n} of {total} units without a manager: {units}",
    },
    "doctor.managers.fix": {
        "sv": "lägg till chefer för enheterna i organisationsfilen och kör dialogbot org import",
        "en": "add managers to these units in the organisation file and run dialogbot org import",
    },
    "doctor.managers.ok": {
        "sv": "alla {n} enheter som kommer att få frågor har en chef",
        "en": "all {n} units that will be asked have a manager",
    },
    "doctor.summary.problems": {"sv": "{n} problem hittades.", "en": "{n} problem(s) found."},
    "doctor.summary.ok": {
        "sv": "Allt som kontrollerades är i sin ordning.",
        "en": "Everything checked is fine.",
    },
    "error.invalid_deadline": {
        "sv": "Sista dag '{text}' går inte att läsa. Skriv ÅÅÅÅ-MM-DD (kl. 17.00 den dagen) eller 'ÅÅÅÅ-MM-DD TT:MM', t.ex. 2027-05-15.",
        "en": "The deadline '{text}' cannot be read. Type YYYY-MM-DD (17:00 that day) or 'YYYY-MM-DD HH:MM', e.g. 2027-05-15.",
    },
    "error.deadline_in_past": {
        "sv": "Sista dag {when} har redan passerat. Välj en tidpunkt i framtiden.",
        "en": "The deadline {when} has already passed. Choose a time in the future.",
    },
    "error.unknown_level": {
        "sv": "Okänd nivå '{name}'. Kända nivåer: {known}.",
        "en": "Unknown level '{name}'. Known levels: {known}.",
    },
    "error.unknown_tz": {
        "sv": "Okänd tidszon '{name}'. Ange en IANA-tidszon, t.ex. Europe/Stockholm.",
        "en": "Unknown time zone '{name}'. Give an IANA time zone, e.g. Europe/Stockholm.",
    },
    "error.database": {
        "sv": "Kan inte använda databasen {url}: {reason}. Kontrollera att databasservern är igång och att adress, användare och lösenord stämmer (--db eller DIALOGBOT_DATABASE_URL).",
        "en": "Cannot use the database {url}: {reason}. Check that the database server is running and that the address, user and password are right (--db or DIALOGBOT_DATABASE_URL).",
    },
    "cli.arg.date": {
        "sv": "väntade ett datum ÅÅÅÅ-MM-DD, fick {value}",
        "en": "expected a date YYYY-MM-DD, got {value}",
    },
    "cli.arg.year": {
        "sv": "väntade ett år mellan {low} och {high}, fick {value}",
        "en": "expected a year between {low} and {high}, got {value}",
    },
    "cli.arg.character": {
        "sv": "väntade ett tecken, fick {value}",
        "en": "expected one character, got {value}",
    },
    "cli.arg.number": {"sv": "inte ett nummer: {value}", "en": "not a number: {value}"},
    "cli.arg.seconds": {
        "sv": "väntade ett positivt antal sekunder, fick {value}",
        "en": "expected a positive number of seconds, got {value}",
    },
    "schedule.cli.worker_once": {
        "sv": "Worker {worker}: {planned} jobb planerade, {ran} körda, {failed} misslyckade.",
        "en": "Worker {worker}: {planned} jobs planned, {ran} run, {failed} failed.",
    },
    "schedule.cli.worker_running": {
        "sv": "Worker {worker} kör var {interval}:e sekund; Ctrl-C stoppar den.",
        "en": "Worker {worker} running every {interval} s; Ctrl-C stops it.",
    },
    "cli.argparse.usage": {"sv": "användning:", "en": "usage:"},
    "cli.argparse.error": {"sv": "{prog}: fel: {message}", "en": "{prog}: error: {message}"},
    "cli.argparse.argument": {
        "sv": "argumentet {argument}: {message}",
        "en": "argument {argument}: {message}",
    },
    "cli.argparse.required": {
        "sv": "de här argumenten behövs: {names}",
        "en": "the following arguments are required: {names}",
    },
    "cli.argparse.unrecognized": {
        "sv": "okända argument: {names}",
        "en": "unrecognized arguments: {names}",
    },
    "cli.argparse.choice": {
        "sv": "ogiltigt val: {value} (välj bland {choices})",
        "en": "invalid choice: {value} (choose from {choices})",
    },
    "cli.argparse.type": {
        "sv": "ogiltigt värde ({type}): {value}",
        "en": "invalid {type} value: {value}",
    },
    "cli.argparse.one": {"sv": "väntade ett värde", "en": "expected one argument"},
    "cli.argparse.at_least_one": {
        "sv": "väntade minst ett värde",
        "en": "expected at least one argument",
    },
    "cli.argparse.not_with": {
        "sv": "går inte att kombinera med {other}",
        "en": "not allowed with argument {other}",
    },
    "cli.argparse.one_of": {
        "sv": "ett av argumenten {names} behövs",
        "en": "one of the arguments {names} is required",
    },
    "cli.argparse.ambiguous": {
        "sv": "tvetydigt alternativ: {option} kan betyda {matches}",
        "en": "ambiguous option: {option} could match {matches}",
    },
    "error.database_folder": {
        "sv": "Databasen {path} kan inte skapas: mappen {folder} finns inte. Stämmer sökvägen i --db eller DIALOGBOT_DATABASE_URL? Skapa mappen först om den ska finnas.",
        "en": "Cannot create the database {path}: the folder {folder} does not exist. Is the path in --db or DIALOGBOT_DATABASE_URL right? Create the folder first if it should exist.",
    },
    "error.database_kind": {
        "sv": "databastypen '{kind}' stöds inte (använd {known})",
        "en": "the database kind '{kind}' is not supported (use {known})",
    },
    "error.database_url": {
        "sv": "adressen går inte att tolka; skriv t.ex. sqlite:///dialogbot.db eller postgresql://användare@värd/databas",
        "en": "the address cannot be read; write e.g. sqlite:///dialogbot.db or postgresql://user@host/database",
    },
    "error.not_migrated": {
        "sv": "Databasen är inte uppgraderad (schema {current}, behöver {head}). Kör: dialogbot db upgrade",
        "en": "The database is not migrated (schema {current}, need {head}). Run: dialogbot db upgrade",
    },
    "error.docx_to_terminal": {
        "sv": "En DOCX-fil är binär och skrivs inte till terminalen. Ange ett filnamn med -o rapport.docx, eller styr om utdata: -o - > rapport.docx.",
        "en": "A DOCX file is binary and is not written to the terminal. Give a file name with -o report.docx, or redirect the output: -o - > report.docx.",
    },
    "cli.wrote": {"sv": "Skrev {path} ({size} byte).", "en": "Wrote {path} ({size} bytes)."},
    "cli.person.erase_confirm": {
        "sv": "Det här tar bort namn, chatt-id, trådar och chefsroller för {id} för gott; svaren ligger kvar hos enheterna. Kör igen med --yes för att göra det.",
        "en": "This removes {id}'s name, chat id, threads and manager roles for good; their answers stay with their units. Run again with --yes to do it.",
    },
    "cli.person.erased": {
        "sv": "{id} är borttagen: {participations} deltaganden avkopplade, {message_keys} meddelandenycklar och {posts} postinnehåll borttagna, {activities} aktiviteter utan ansvarig. Ta bort personen ur organisationsfilen också, annars kommer hen tillbaka vid nästa import.",
        "en": "Erased {id}: {participations} participations unlinked, {message_keys} message keys and {posts} post contents removed, {activities} activities without owner. Remove them from the organisation file too, or the next import brings them back.",
    },
    "cli.purge.off": {
        "sv": "Gallring är avstängd (DIALOGBOT_RETENTION_DAYS=off): ingenting gallrades.",
        "en": "Retention is off (DIALOGBOT_RETENTION_DAYS=off): nothing purged.",
    },
    "cli.purge.days": {"sv": "--days måste vara minst 1.", "en": "--days must be at least 1."},
    "cli.purge.done": {
        "sv": "Gallrade {posts} postinnehåll och {message_keys} meddelandenycklar äldre än {before}.",
        "en": "Purged {posts} post payloads and {message_keys} message keys older than {before}.",
    },
    "cli.secrets.rotated": {
        "sv": "Krypterade om token för {count} sparade installationer med den första nyckeln.",
        "en": "Re-encrypted the tokens of {count} stored installations with the first key.",
    },
    "cli.evaluation.started": {
        "sv": "Utvärderingsrunda {round_id} har startat: {title} — {count} deltagare.",
        "en": "Evaluation round {round_id} started: {title} — {count} participants.",
    },
    "cli.evaluation.existed": {
        "sv": "Utvärderingsrunda {round_id} fanns redan: {title} — {count} deltagare.",
        "en": "Evaluation round {round_id} already existed: {title} — {count} participants.",
    },
    "cli.empty": {"sv": "tom", "en": "empty"},
    "cli.db.upgraded": {
        "sv": "Databasen {url} har schemaversion {revision} (den senaste).",
        "en": "Database {url} is at {revision} (head).",
    },
    "cli.db.current": {
        "sv": "nuvarande schema: {current}; senaste: {head}",
        "en": "current: {current}; head: {head}",
    },
    "cli.db.downgraded": {
        "sv": "Databasen {url} har schemaversion {revision}.",
        "en": "Database {url} is at {revision}.",
    },
    "cli.db.backed_up": {
        "sv": "Säkerhetskopierade {backend}-databasen (schema {revision}) till {path} ({size} byte).",
        "en": "Backed up the {backend} database (schema {revision}) to {path} ({size} bytes).",
    },
    "cli.db.backup_failed": {
        "sv": "Säkerhetskopieringen misslyckades: {error}",
        "en": "The backup failed: {error}",
    },
    "cli.db.restored": {
        "sv": "Återställde {path} till {backend}-databasen (schema {revision}).",
        "en": "Restored {path} into the {backend} database (schema {revision}).",
    },
    "cli.db.restored_older": {
        "sv": "Återställde {path} till {backend}-databasen (schema {revision}). Kör `dialogbot db upgrade` härnäst.",
        "en": "Restored {path} into the {backend} database (schema {revision}). Run `dialogbot db upgrade` next.",
    },
    "cli.db.restore_failed": {
        "sv": "Återställningen gjordes inte: {error}",
        "en": "The restore was not done: {error}",
    },
    "cli.org.imported": {"sv": "Importerade {path}: {counts}.", "en": "Imported {path}: {counts}."},
    "cli.org.count": {
        "sv": "{what} {new} nya, {updated} uppdaterade",
        "en": "{what} {new} new, {updated} updated",
    },
    "cli.org.levels": {"sv": "nivåer", "en": "levels"},
    "cli.org.units": {"sv": "enheter", "en": "units"},
    "cli.org.people": {"sv": "personer", "en": "people"},
    "cli.org.title": {"sv": "Organisation ({workspace})", "en": "Organisation ({workspace})"},
    "cli.org.empty": {
        "sv": "Organisationen är tom. Importera en med: dialogbot org import FIL",
        "en": "The organisation is empty. Import one with: dialogbot org import FILE",
    },
    "cli.org.no_manager": {"sv": "ingen chef", "en": "no manager"},
    "org.place.row": {"sv": "rad {n}{label}", "en": "row {n}{label}"},
    "org.place.section": {"sv": "avsnittet {name}", "en": "section {name}"},
    "org.place.level": {
        "sv": "nivå {n}{label} under levels",
        "en": "level {n}{label} under levels",
    },
    "org.place.person": {
        "sv": "person {n}{label} under people",
        "en": "person {n}{label} under people",
    },
    "org.place.unit": {"sv": "enhet {n}{label} under units", "en": "unit {n}{label} under units"},
    "org.place.field": {"sv": "fältet {name}", "en": "field {name}"},
    "org.kind.mapping": {"sv": "en mappning", "en": "a mapping"},
    "org.kind.list": {"sv": "en lista", "en": "a list"},
    "org.kind.bool": {"sv": "true/false", "en": "true/false"},
    "org.kind.number": {"sv": "ett tal", "en": "a number"},
    "org.kind.date": {"sv": "ett datum", "en": "a date"},
    "org.kind.text": {"sv": "en text", "en": "a text"},
    "org.kind.other": {"sv": "{name}", "en": "{name}"},
    "org.problem.not_mapping": {
        "sv": "filen ska vara en mappning med levels, people och units",
        "en": "expected a mapping with levels, people and units",
    },
    "org.problem.unknown_sections": {
        "sv": "okänt avsnitt {names}; tillåtna är levels, people, units",
        "en": "unknown section(s) {names}; expected levels, people, units",
    },
    "org.problem.section_list": {
        "sv": "ska vara en lista av mappningar, inte {kind}",
        "en": "expected a list of mappings, got {kind}",
    },
    "org.problem.level_shape": {"sv": "behöver key och name", "en": "needs key and name"},
    "org.problem.person_shape": {
        "sv": "ska vara en mappning med id, name och roles",
        "en": "expected a mapping with id, name, roles",
    },
    "org.problem.unit_shape": {
        "sv": "ska vara en mappning med name, level, parent och managers",
        "en": "expected a mapping with name, level, parent, managers",
    },
    "org.problem.text": {"sv": "ska vara en text, inte {kind}", "en": "expected text, got {kind}"},
    "org.problem.list": {
        "sv": "ska vara en lista, inte {kind}",
        "en": "expected a list, got {kind}",
    },
    "org.problem.list_item": {
        "sv": "ska vara en lista av texter men innehåller {kind}",
        "en": "expected a list of text, found {kind}",
    },
    "org.problem.csv_field": {
        "sv": "CSV-filen går inte att läsa: ett fält är längre än {n} tecken",
        "en": "cannot read the CSV: field larger than field limit ({n} characters)",
    },
    "org.problem.csv": {
        "sv": "CSV-filen går inte att läsa; kontrollera citattecken och avgränsare",
        "en": "cannot read the CSV: {detail}",
    },
    "org.problem.csv_header": {
        "sv": "rubrikraden måste ha 'level' (en fil med enheter: key,name,level,parent,managers) eller 'roles' (en fil med personer: id,name,roles,lang)",
        "en": "header must have 'level' (a units file: key,name,level,parent,managers) or 'roles' (a people file: id,name,roles,lang)",
    },
    "org.problem.too_long": {
        "sv": "{field} är {n} tecken långt; högst {limit} tillåts",
        "en": "{field} is {n} characters long; at most {limit} are allowed",
    },
    "org.problem.duplicate_level": {
        "sv": "nivånyckeln '{value}' finns redan",
        "en": "duplicate level key '{value}'",
    },
    "org.problem.id_required": {
        "sv": "id (chattidentitet) måste anges",
        "en": "id (chat identity) is required",
    },
    "org.problem.duplicate_person": {
        "sv": "personen '{id}' finns redan (varje id får förekomma en gång)",
        "en": "duplicate person '{id}' (each id may appear once)",
    },
    "org.problem.name_required": {"sv": "name måste anges", "en": "name is required"},
    "org.problem.unknown_roles": {
        "sv": "okänd roll {roles}; kända roller: {known}",
        "en": "unknown role(s) {roles}; known: {known}",
    },
    "org.problem.lang": {
        "sv": "lang ska vara en av {known}, inte '{value}'",
        "en": "lang must be one of {known}, got '{value}'",
    },
    "org.problem.duplicate_unit": {
        "sv": "enhetsnyckeln '{value}' finns redan",
        "en": "duplicate unit key '{value}'",
    },
    "org.problem.unknown_level": {
        "sv": "okänd nivå '{value}'; kända nivåer: {known}",
        "en": "unknown level '{value}'; known: {known}",
    },
    "org.problem.unknown_parent": {
        "sv": "okänd överordnad enhet '{value}'",
        "en": "unknown parent '{value}'",
    },
    "org.problem.unknown_manager": {
        "sv": "okänd chef '{value}' (lägg till hen under people)",
        "en": "unknown manager '{value}' (add them under people)",
    },
    "org.problem.unknown_deputy": {
        "sv": "okänd ersättare '{value}' (lägg till hen under people)",
        "en": "unknown deputy '{value}' (add them under people)",
    },
    "org.problem.cycle": {"sv": "cykel i organisationen: {path}", "en": "cycle: {path}"},
    "file.problem.missing": {
        "sv": "filen går inte att läsa: den finns inte",
        "en": "cannot read file: it does not exist",
    },
    "file.problem.directory": {
        "sv": "filen går inte att läsa: det är en mapp",
        "en": "cannot read file: it is a folder",
    },
    "file.problem.permission": {
        "sv": "filen går inte att läsa: behörighet saknas",
        "en": "cannot read file: permission denied",
    },
    "file.problem.unreadable": {
        "sv": "filen går inte att läsa",
        "en": "cannot read file: {reason}",
    },
    "file.problem.too_big": {
        "sv": "filen är större än {kb} KB; dela upp den eller ta bort det som inte behövs",
        "en": "file is larger than {kb} KB; split it or remove what is not needed",
    },
    "file.problem.not_utf8": {
        "sv": "inte UTF-8-text (byte {byte}, rad {line}); spara filen som UTF-8",
        "en": "not UTF-8 text (byte {byte}, line {line}); save the file as UTF-8",
    },
    "file.problem.alias": {
        "sv": "rad {line}: ankare och alias (& och *) är inte tillåtna; skriv ut värdet",
        "en": "line {line}: anchors and aliases (& and *) are not allowed; write the value out",
    },
    "file.problem.deep_at": {
        "sv": "rad {line}: nästlad mer än {n} nivåer djupt",
        "en": "line {line}: nested more than {n} levels deep",
    },
    "file.problem.deep": {
        "sv": "nästlad mer än {n} nivåer djupt",
        "en": "nested more than {n} levels deep",
    },
    "file.problem.duplicate_key": {
        "sv": "rad {line}: nyckeln '{name}' förekommer mer än en gång (varje nyckel får finnas en gång)",
        "en": "line {line}: duplicate key '{name}' (each key may appear once)",
    },
    "file.problem.yaml_at": {
        "sv": "inte giltig YAML på rad {line}, kolumn {column}; kontrollera indrag, kolon och citattecken där",
        "en": "not valid YAML at line {line}, column {column}: {problem}",
    },
    "file.problem.yaml_char": {
        "sv": "inte giltig YAML: tecknet #x{code} på position {position} är inte tillåtet",
        "en": "not valid YAML: character #x{code} at position {position} is not allowed",
    },
    "file.problem.yaml": {"sv": "inte giltig YAML", "en": "not valid YAML: {problem}"},
    "cli.col.key": {"sv": "Nyckel", "en": "Key"},
    "cli.col.id": {"sv": "Id", "en": "Id"},
    "cli.col.kind": {"sv": "Slag", "en": "Kind"},
    "cli.col.due": {"sv": "Tid", "en": "Due"},
    "cli.col.attempts": {"sv": "Försök", "en": "Attempts"},
    "cli.col.outcome": {"sv": "Utfall / fel", "en": "Outcome / error"},
    "cli.col.round": {"sv": "Runda", "en": "Round"},
    "cli.col.version": {"sv": "Version", "en": "Version"},
    "cli.col.phase": {"sv": "Fas", "en": "Phase"},
    "cli.col.name": {"sv": "Namn", "en": "Name"},
    "cli.col.questions": {"sv": "Frågor", "en": "Questions"},
    "cli.col.status": {"sv": "Status", "en": "Status"},
    "cli.col.template": {"sv": "Mall", "en": "Template"},
    "cli.col.title": {"sv": "Rubrik", "en": "Title"},
    "cli.col.group": {"sv": "Mottagare", "en": "Recipient"},
    "cli.col.unit": {"sv": "Enhet", "en": "Unit"},
    "cli.col.manager": {"sv": "Chef", "en": "Manager"},
    "cli.col.chat_id": {"sv": "Chatt-id", "en": "Chat id"},
    "cli.col.answered": {"sv": "Besvarat", "en": "Answered"},
    "cli.col.deadline": {"sv": "Sista dag", "en": "Deadline"},
    "cli.status.invited": {"sv": "inbjuden", "en": "invited"},
    "cli.status.answering": {"sv": "svarar", "en": "answering"},
    "cli.status.finished": {"sv": "klar", "en": "finished"},
    "cli.templates.valid": {
        "sv": "{file}: {template} v{version}, {count} frågor",
        "en": "{file}: {template} v{version}, {count} questions",
    },
    "cli.templates.question": {"sv": "Fråga {n}", "en": "Question {n}"},
    "cli.templates.overarching": {"sv": "Övergripande fråga", "en": "Overarching question"},
    "cli.templates.refers_to": {"sv": "Visar tidigare svar", "en": "Shows earlier answers"},
    "cli.templates.kind.activities": {
        "sv": "svaret listar aktiviteter",
        "en": "the answer lists activities",
    },
    "cli.templates.kind.activity_followup": {
        "sv": "följer upp aktiviteter",
        "en": "follows up activities",
    },
    "cli.round.started": {
        "sv": "Runda {round_id} har startat: {title} — {count} deltagare.",
        "en": "Round {round_id} started: {title} — {count} participants.",
    },
    "cli.round.no_manager": {
        "sv": "Obs: {unit} har ingen chef och får inga frågor.",
        "en": "Note: {unit} has no manager and gets no questions.",
    },
    "cli.round.header": {
        "sv": "{title} (runda {round_id}, {status})",
        "en": "{title} (round {round_id}, {status})",
    },
    "cli.round.closed_by": {"sv": "Stängd {when} av {who}", "en": "Closed {when} by {who}"},
    "cli.round.closed": {"sv": "Runda {round_id} är stängd.", "en": "Round {round_id} closed."},
    "cli.round.already_closed": {
        "sv": "Runda {round_id} var redan stängd.",
        "en": "Round {round_id} was already closed.",
    },
    "cli.round.confirm_close": {
        "sv": "Stänga runda {round_id} ”{title}”? Ingen kan svara efteråt. [j/n]",
        "en": "Close round {round_id} “{title}”? No one can answer afterwards. [y/n]",
    },
    "cli.round.close_needs_yes": {
        "sv": "Runda {round_id} stängdes inte: ingen terminal att fråga på. Lägg till --yes för att stänga utan att fråga.",
        "en": "Round {round_id} was not closed: there is no terminal to ask on. Add --yes to close without asking.",
    },
    "cli.round.close_cancelled": {
        "sv": "Runda {round_id} är fortfarande öppen.",
        "en": "Round {round_id} is still open.",
    },
    "template.place.question": {"sv": "fråga {n}", "en": "question {n}"},
    "template.place.reference": {"sv": "hänvisning {n}", "en": "reference {n}"},
    "template.place.field": {"sv": "fältet {name}", "en": "field {name}"},
    "template.place.item": {"sv": "punkt {n}", "en": "item {n}"},
    "template.place.sv": {"sv": "svensk text (sv)", "en": "Swedish text (sv)"},
    "template.place.en": {"sv": "engelsk text (en)", "en": "English text (en)"},
    "template.problem.unknown_field": {
        "sv": "okänt fält (kontrollera stavningen; se dialog_templates/README.md)",
        "en": "unknown field (check the spelling; see dialog_templates/README.md)",
    },
    "template.problem.missing": {"sv": "saknas men måste finnas", "en": "is missing but required"},
    "template.problem.too_short": {
        "sv": "får inte vara tom (minst {n})",
        "en": "must not be empty (at least {n})",
    },
    "template.problem.whole_number": {
        "sv": "ska vara ett heltal som 1 eller 2, inte '{value}'",
        "en": "must be a whole number such as 1 or 2, not '{value}'",
    },
    "template.problem.at_least": {"sv": "ska vara minst {n}", "en": "must be at least {n}"},
    "template.problem.one_of": {
        "sv": "'{value}' är inte ett av de tillåtna värdena: {choices}",
        "en": "'{value}' is not one of the allowed values: {choices}",
    },
    "template.problem.pattern": {
        "sv": "'{value}' har otillåtna tecken; använd bara {allowed}",
        "en": "'{value}' has characters that are not allowed; use only {allowed}",
    },
    "template.problem.local_text": {
        "sv": 'ska ha en text per språk, t.ex. {sv: "Hur går det?", en: "How is it going?"}',
        "en": 'needs one text per language, e.g. {sv: "Hur går det?", en: "How is it going?"}',
    },
    "template.problem.text": {"sv": "ska vara en text", "en": "must be a text"},
    "template.problem.list": {
        "sv": "ska vara en lista, t.ex. [a, b] eller en rad per punkt som börjar med -",
        "en": "must be a list, e.g. [a, b] or one line per item starting with -",
    },
    "template.problem.mapping": {
        "sv": "ska vara fält med namn och värde (t.ex. key: ..., text: ...)",
        "en": "must be fields with names and values (e.g. key: ..., text: ...)",
    },
    "template.problem.yes_no": {"sv": "ska vara true eller false", "en": "must be true or false"},
    "template.problem.other": {"sv": "ogiltigt värde ({detail})", "en": "invalid value ({detail})"},
    "template.problem.not_mapping": {
        "sv": "filen ska börja med mallens fält (key:, version:, …), inte med en lista eller text",
        "en": "the file must start with the template's fields (key:, version:, …), not a list or a text",
    },
    "template.problem.synthesis_level": {
        "sv": "en sammanfattning (synthesis: true) behöver en nivå, t.ex. level: avdelning",
        "en": "synthesis: true needs a level (e.g. level: avdelning)",
    },
    "template.problem.duplicate_key": {
        "sv": "frågenyckeln '{question}' finns redan på en tidigare fråga; varje fråga behöver en egen",
        "en": "the question key '{question}' is already used by an earlier question; each question needs its own",
    },
    "template.problem.reference_form": {
        "sv": "'{ref}' ska skrivas mall.fråga, t.ex. planering.utvecklingsmal",
        "en": "'{ref}' must be written template.question, e.g. planering.utvecklingsmal",
    },
    "template.problem.reference_template": {
        "sv": "'{ref}' pekar på mallen '{template}', som inte finns; kända mallar: {known}",
        "en": "'{ref}' points to the template '{template}', which does not exist; known templates: {known}",
    },
    "template.problem.reference_question": {
        "sv": "'{ref}' pekar på en fråga som inte finns i mallen '{template}'; dess frågor: {known}",
        "en": "'{ref}' points to a question that '{template}' does not have; its questions: {known}",
    },
    "template.problem.too_long": {
        "sv": "får vara högst {n} tecken",
        "en": "may be at most {n} characters",
    },
    "template.problem.key_file": {
        "sv": "nyckeln ska vara '{expected}' (filens namn), inte '{actual}'",
        "en": "the key must be '{expected}' (the file name), not '{actual}'",
    },
    "left.questions": {
        "sv": "{left} av {total} frågor kvar",
        "en": "{left} of {total} questions left",
    },
    "left.deadline": {"sv": ", sista dag {when}", "en": ", deadline {when}"},
    "reminder.text": {
        "sv": "Påminnelse om *{title}*: {left}.",
        "en": "Reminder about *{title}*: {left}.",
    },
    "reminder.console": {
        "sv": "Påminnelse till {name} ({unit}) om ”{title}”: {left}.",
        "en": "Reminder to {name} ({unit}) about ”{title}”: {left}.",
    },
    "reminder.link": {"sv": "Gå till din tråd", "en": "Go to your thread"},
    "recap.title": {"sv": "Så här svarade du:", "en": "This is what you answered:"},
    "recap.skipped": {"sv": "_(överhoppad)_", "en": "_(skipped)_"},
    "recap.unanswered": {"sv": "_(inget svar)_", "en": "_(no answer)_"},
    "recap.howto": {
        "sv": "Vill du ändra ett svar medan rundan är öppen? Redigera ditt meddelande i tråden, eller tryck på *Ändra i formulär* och spara.",
        "en": "Want to change an answer while the round is open? Edit your message in the thread, or press *Change in a form* and save.",
    },
    "recap.button": {"sv": "Ändra i formulär", "en": "Change in a form"},
    "home.start_button": {"sv": "Starta runda", "en": "Start a round"},
    "home.upcoming": {
        "sv": "Kommande rundor enligt årsschemat",
        "en": "Upcoming rounds in the annual schedule",
    },
    "home.upcoming_none": {
        "sv": "Inga schemalagda rundor. Ett årsschema läggs in med `dialogbot schedule import`.",
        "en": "No scheduled rounds. Import an annual schedule with `dialogbot schedule import`.",
    },
    "home.upcoming_line": {
        "sv": "*{name}* startar {start}, sista dag {deadline}",
        "en": "*{name}* starts {start}, deadline {deadline}",
    },
    "home.upcoming_broken": {
        "sv": "Årsschemat kan inte planeras: {reason}",
        "en": "The annual schedule cannot be planned: {reason}",
    },
    "home.rate": {
        "sv": "Svarsfrekvens {percent} % ({responded} av {participants} chefer har svarat), sista dag {deadline}",
        "en": "Response rate {percent} % ({responded} of {participants} managers have answered), deadline {deadline}",
    },
    "home.no_deadline": {"sv": "ingen satt", "en": "none set"},
    "start.units_hint": {
        "sv": "Skriv några bokstäver i enhetens namn för att söka. Allt under en vald enhet kommer med.",
        "en": "Type a few letters of the unit's name to search. Everything below a chosen unit is included.",
    },
    "start.level_label": {
        "sv": "Vilken nivå ska svara? (valfritt)",
        "en": "Which level answers? (optional)",
    },
    "start.level_hint": {
        "sv": "Bara cheferna för enheter på den här nivån under de valda enheterna får frågorna, t.ex. Enhet för alla enhetschefer. Utan val svarar cheferna för de valda enheterna och allt under dem.",
        "en": "Only the managers of units at this level below the chosen units get the questions, e.g. Unit for every unit manager. Without a choice, the managers of the chosen units and everything below them answer.",
    },
    "start.deadline_hint": {
        "sv": "Sista svarsdag kl. 17.00 svensk tid. Förslaget är två veckor fram.",
        "en": "Last day to answer, at 17:00 Swedish time. The suggestion is two weeks ahead.",
    },
    "start.deadline_past": {
        "sv": "Sista dagen har redan passerat ({when}). Välj en dag framåt i tiden.",
        "en": "That deadline has already passed ({when}). Choose a day in the future.",
    },
    "absence.on_behalf": {
        "sv": "Du svarar som ersättare för {unit} i stället för {manager}, som är frånvarande: svara för enhetens och chefens räkning.",
        "en": "You answer as deputy for {unit} in place of {manager}, who is absent: answer on behalf of the unit and the manager.",
    },
    "absence.marker": {"sv": "frånvarande", "en": "absent"},
    "absence.summary_count": {
        "sv": "Varav {n} frånvarande.",
        "en": "Of whom {n} absent.",
    },
    "absence.digest_names": {"sv": "Frånvarande: {names}", "en": "Absent: {names}"},
    "absence.digest_count": {"sv": "Frånvarande: {n}", "en": "Absent: {n}"},
    "absence.registered": {
        "sv": "Frånvaro registrerad för {name}: {starts_on} – {ends_on}.{deputy} Inga påminnelser under tiden.",
        "en": "Absence registered for {name}: {starts_on} – {ends_on}.{deputy} No reminders meanwhile.",
    },
    "absence.deputy_part": {"sv": " Ersättare: {deputy}.", "en": " Deputy: {deputy}."},
    "absence.list_header": {
        "sv": "Registrerad frånvaro för {name}:",
        "en": "Registered absence of {name}:",
    },
    "absence.list_item": {
        "sv": "{n}. {starts_on} – {ends_on}{deputy}",
        "en": "{n}. {starts_on} – {ends_on}{deputy}",
    },
    "absence.list_deputy": {"sv": " (ersättare: {deputy})", "en": " (deputy: {deputy})"},
    "absence.list_none": {
        "sv": "Ingen frånvaro registrerad för {name}. Registrera: `/dialog frånvaro 2027-07-01 2027-08-09 [ersättare @person]`",
        "en": "No absence registered for {name}. Register: `/dialog absence 2027-07-01 2027-08-09 [deputy @person]`",
    },
    "absence.list_remove_hint": {
        "sv": "Ta bort: `/dialog frånvaro ta bort N`",
        "en": "Remove: `/dialog absence remove N`",
    },
    "absence.removed": {
        "sv": "Frånvaron {starts_on} – {ends_on} för {name} är borttagen.",
        "en": "The absence {starts_on} – {ends_on} of {name} is removed.",
    },
    "absence.already_removed": {
        "sv": "Den frånvaron är redan borttagen.",
        "en": "That absence is already removed.",
    },
    "absence.unknown": {
        "sv": "Det finns ingen frånvaro nummer {number} ({count} registrerade). Lista dem med `/dialog frånvaro`.",
        "en": "There is no absence number {number} ({count} registered). List them with `/dialog absence`.",
    },
    "absence.invalid": {
        "sv": "Frånvaron kan inte registreras.",
        "en": "The absence cannot be registered.",
    },
    "absence.invalid_order": {
        "sv": "Frånvaron slutar ({ends_on}) före den börjar ({starts_on}). Skriv första och sista dagen, t.ex. `/dialog frånvaro 2027-07-01 2027-08-09`.",
        "en": "The absence ends ({ends_on}) before it starts ({starts_on}). Give the first and last day, e.g. `/dialog absence 2027-07-01 2027-08-09`.",
    },
    "absence.invalid_too_long": {
        "sv": "En frånvaro kan vara högst {days} dagar. Registrera längre frånvaro i flera delar.",
        "en": "An absence can be at most {days} days. Register a longer absence in parts.",
    },
    "absence.invalid_past": {
        "sv": "Frånvaron slutade redan {ends_on}; registrera bara frånvaro som pågår eller kommer.",
        "en": "That absence already ended on {ends_on}; only register absence that is ongoing or ahead.",
    },
    "absence.invalid_overlap": {
        "sv": "Det finns redan frånvaro {starts_on} – {ends_on} som överlappar. Ta bort den först (`/dialog frånvaro ta bort N`).",
        "en": "There is already an overlapping absence {starts_on} – {ends_on}. Remove it first (`/dialog absence remove N`).",
    },
    "absence.invalid_self_deputy": {
        "sv": "Ersättaren kan inte vara samma person som är frånvarande.",
        "en": "The deputy cannot be the person who is absent.",
    },
    "absence.usage": {
        "sv": "Skriv `/dialog frånvaro 2027-07-01 2027-08-09` (valfritt `ersättare @person`; processtöd kan skriva `/dialog frånvaro @person …`), `/dialog frånvaro` för att lista och `/dialog frånvaro ta bort N`.",
        "en": "Write `/dialog absence 2027-07-01 2027-08-09` (optionally `deputy @person`; process supports can write `/dialog absence @person …`), `/dialog absence` to list and `/dialog absence remove N`.",
    },
    "absence.home.header": {"sv": "Frånvaro", "en": "Absence"},
    "absence.home.none": {
        "sv": "Ingen frånvaro registrerad.",
        "en": "No absence registered.",
    },
    "absence.home.item": {
        "sv": "*{name}*: {starts_on} – {ends_on}{deputy}",
        "en": "*{name}*: {starts_on} – {ends_on}{deputy}",
    },
    "absence.home.more": {
        "sv": "… och {n} till (`/dialog frånvaro @person` listar en persons frånvaro).",
        "en": "… and {n} more (`/dialog absence @person` lists one person's absences).",
    },
    "absence.home.register": {"sv": "Registrera frånvaro", "en": "Register absence"},
    "absence.home.remove": {"sv": "Ta bort", "en": "Remove"},
    "absence.home.confirm_title": {"sv": "Ta bort frånvaron?", "en": "Remove the absence?"},
    "absence.home.confirm_text": {
        "sv": "{name}: {starts_on} – {ends_on}. Frånvaron tas bort och personen får frågorna i öppna rundor igen.",
        "en": "{name}: {starts_on} – {ends_on}. The absence is removed and the person gets the questions of open rounds again.",
    },
    "absence.home.confirm_yes": {"sv": "Ta bort", "en": "Remove"},
    "absence.home.confirm_no": {"sv": "Avbryt", "en": "Cancel"},
    "absence.modal.title": {"sv": "Registrera frånvaro", "en": "Register absence"},
    "absence.modal.submit": {"sv": "Registrera", "en": "Register"},
    "absence.modal.cancel": {"sv": "Avbryt", "en": "Cancel"},
    "absence.modal.starts_on": {"sv": "Från och med", "en": "From"},
    "absence.modal.ends_on": {"sv": "Till och med", "en": "To (inclusive)"},
    "absence.modal.deputy": {"sv": "Ersättare", "en": "Deputy"},
    "absence.modal.deputy_hint": {
        "sv": "Svarar i rundor som startar under frånvaron.",
        "en": "Answers in rounds that start during the absence.",
    },
    "absence.modal.person": {"sv": "För vem", "en": "For whom"},
    "absence.modal.person_hint": {
        "sv": "Lämna tomt för din egen frånvaro.",
        "en": "Leave empty for your own absence.",
    },
    "absence.modal.bad_date": {
        "sv": "Välj ett datum.",
        "en": "Pick a date.",
    },
    "summary.synthesis": {"sv": "Vad säger helheten?", "en": "What does the whole say?"},
    "summary.rate_units": {"sv": "Enheter som svarat", "en": "Units answered"},
    "summary.rate_people": {"sv": "Chefer som svarat", "en": "Managers answered"},
    "summary.total": {"sv": "Totalt", "en": "Total"},
    "summary.contents": {"sv": "Innehåll", "en": "Contents"},
    "summary.page": {"sv": "Sida", "en": "Page"},
    "summary.thread_links": {"sv": "Trådar", "en": "Threads"},
    "chain.context.question": {
        "sv": "Från {template}: «{question}»",
        "en": "From {template}: “{question}”",
    },
    "chain.context.round": {"sv": "{title}, {when}", "en": "{title}, {when}"},
    # Microsoft Teams (bot/teams/)
    "teams.announce": {
        "sv": "**{title}** har startat. {count} chefer får frågorna i en personlig chatt med boten.{deadline}",
        "en": "**{title}** has started. {count} managers get the questions in a personal chat with the bot.{deadline}",
    },
    "teams.intro": {
        "sv": "{name} — {unit}: dina frågor i {title}. Svara genom att skriva här i chatten.",
        "en": "{name} — {unit}: your questions in {title}. Answer by writing here in the chat.",
    },
    "teams.form_title": {"sv": "Dina svar i {title}", "en": "Your answers in {title}"},
    "teams.form_submit": {"sv": "Spara svaren", "en": "Save the answers"},
    "teams.form_empty": {
        "sv": "Tomma fält ändrar ingenting.",
        "en": "Empty fields change nothing.",
    },
    "teams.form_too_long": {
        "sv": "Svaret på fråga {n} är längre än formuläret rymmer och ändras inte här. Redigera ditt meddelande för att ändra det.",
        "en": "Your answer to question {n} is longer than the form holds and is not changed here. Edit your message to change it.",
    },
    "teams.form_saved": {
        "sv": "Formulärets svar är sparade.",
        "en": "The form's answers are saved.",
    },
    "teams.started": {
        "sv": "Runda {round_id} ({title}) har startat med {count} chefer.",
        "en": "Round {round_id} ({title}) has started with {count} managers.",
    },
    "teams.start_failed": {
        "sv": "Rundan du startade kunde inte startas: {reason}",
        "en": "The round you started could not be started: {reason}",
    },
    "teams.help": {
        "sv": 'Skriv `dialog start MALL enheter:"ENHET" deadline:ÅÅÅÅ-MM-DD` för att starta en runda, `dialog status [runda]`, `dialog påminn [runda]` eller `dialog stäng [runda]`. Frånvaro: `dialog frånvaro ÅÅÅÅ-MM-DD ÅÅÅÅ-MM-DD [ersättare @person]`, `dialog frånvaro` för att lista, `dialog frånvaro ta bort N`. Chefer svarar genom att skriva i den personliga chatten med boten.',
        "en": 'Write `dialog start TEMPLATE units:"UNIT" deadline:YYYY-MM-DD` to start a round, `dialog status [round]`, `dialog remind [round]` or `dialog close [round]`. Absence: `dialog absence YYYY-MM-DD YYYY-MM-DD [deputy @person]`, `dialog absence` to list, `dialog absence remove N`. Managers answer by writing in their personal chat with the bot.',
    },
    "teams.nothing_open": {
        "sv": "Du har inga obesvarade frågor just nu.",
        "en": "You have no unanswered questions right now.",
    },
    "teams.not_yours": {
        "sv": "Den här frågan är till för {name}.",
        "en": "This question is for {name}.",
    },
    "teams.closed": {"sv": "Runda {round_id} är stängd.", "en": "Round {round_id} is closed."},
    "teams.reminded": {
        "sv": "Påminnelser skickade till {count} chefer.",
        "en": "Reminders sent to {count} managers.",
    },
    "teams.summary_part": {"sv": "(del {n} av {total})", "en": "(part {n} of {total})"},
    "teams.no_open_rounds": {
        "sv": "Det finns inga öppna rundor.",
        "en": "There are no open rounds.",
    },
    "teams.which_round": {
        "sv": "Det finns flera öppna rundor: {rounds}. Ange vilken, t.ex. `dialog {command} {example}`.",
        "en": "There are several open rounds: {rounds}. Say which, e.g. `dialog {command} {example}`.",
    },
    "teams.confirm_activities": {"sv": "Stämmer", "en": "Correct"},
    "teams.write_again": {
        "sv": "Svaret var för långt för att följa med knappen, så inget är sparat. Svara på "
        "frågan nedan (Svara på meddelandet) och skriv det igen, så sparas det i rundan "
        "”{title}”.",
        "en": "The answer was too long to travel with the button, so nothing is saved. Reply "
        "to the question below (Reply to the message) and write it again; it is saved in the "
        "round “{title}”.",
    },
    "teams.saved_elsewhere": {
        "sv": "Det meddelandet är redan sparat i rundan ”{title}”. Inget ändrades.",
        "en": "That message is already saved in the round “{title}”. Nothing changed.",
    },
    "teams.export_off": {
        "sv": "Export är inte påslaget här (TEAMS_PUBLIC_URL saknas). Använd dialogbot export på servern.",
        "en": "Export is not switched on here (TEAMS_PUBLIC_URL is not set). Use dialogbot export on the server.",
    },
    "teams.export_ready": {
        "sv": "Dokumentationen av {title}: [ladda ner DOCX]({url}) (länken gäller i {hours} timmar).",
        "en": "The documentation of {title}: [download DOCX]({url}) (the link is valid for {hours} hours).",
    },
}


_strict = [True]


def set_strict(value: bool) -> None:
    """Whether a missing message key raises (development and tests, the default) or is
    logged and shown as the key itself (production: a forgotten text never breaks a
    conversation). Set by :func:`bot.config.installed` from ``DIALOGBOT_ENV``."""
    _strict[0] = value


def strict() -> bool:
    """Whether a missing message key raises (see :func:`set_strict`)."""
    return _strict[0]


def t(lang: str, key: str, **params: object) -> str:
    """The message ``key`` in ``lang`` (falling back to Swedish), formatted with ``params``.

    Raises :class:`KeyError` for an unknown key unless :func:`strict` is off.
    """
    entry = MESSAGES.get(key)
    if entry is None:
        if strict():
            raise KeyError(f"no message {key!r} in bot/i18n.py MESSAGES")
        log.error("missing message key %r", key)
        return key
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**params) if params else text


def format_local(moment: datetime | None, lang: str = DEFAULT_LANG, tz: str = DEFAULT_TZ) -> str:
    """A UTC moment as local date and time, e.g. ``2027-05-17 17:00``."""
    if moment is None:
        return "–"
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
