"""Dialogbot: structured governance dialogs in chat.

The dialog engine (``bot.engine``) is platform-neutral; adapters such as the
console (``bot.console``) and Slack (``bot.slack``) translate platform events
into engine calls and engine results into messages.
"""

__version__ = "0.1.0"
