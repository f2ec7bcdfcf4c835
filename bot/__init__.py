"""Dialogbot: structured governance dialogs in chat.

The service layer (``bot.services``) is platform-neutral; adapters such as the
console (``bot.console``) and Slack (``bot.slack``) translate platform events
into service calls and plain results into messages.
"""

__version__ = "0.1.0"
