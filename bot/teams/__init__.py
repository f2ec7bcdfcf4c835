"""The Microsoft Teams adapter: the same dialog rounds as Slack, on the Teams SDK for
Python (``microsoft-teams-apps``). Written against the service layer alone
(:mod:`bot.services`): no session, repository or storage import, nothing from bot.slack."""
