"""Method handlers of the fake, one module per Slack API family.

A handler gets the fake and the request context (:class:`~..state.Ctx`) and returns a
:class:`~..records.Reply`; it is called with the fake's lock held and may use the fake's
private message/view/file store (the handlers are part of the fake).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..records import Reply, err
from ..state import Ctx
from . import auth, chat, conversations, files, reactions, users, views

if TYPE_CHECKING:
    from ..fake import FakeSlack

MethodHandler = Callable[["FakeSlack", Ctx], Reply]
"""A built-in method handler: (fake, request context) -> reply."""

HANDLERS: dict[str, MethodHandler] = {
    "auth.test": auth.auth_test,
    "chat.postMessage": chat.post_message,
    "chat.update": chat.update,
    "chat.postEphemeral": chat.post_ephemeral,
    "chat.delete": chat.delete,
    "chat.getPermalink": chat.get_permalink,
    "reactions.add": reactions.add,
    "reactions.remove": reactions.remove,
    "views.open": views.open_view,
    "views.push": views.push,
    "views.update": views.update,
    "views.publish": views.publish,
    "conversations.open": conversations.open_conversation,
    "conversations.info": conversations.info,
    "conversations.history": conversations.history,
    "conversations.replies": conversations.replies,
    "users.info": users.info,
    "files.getUploadURLExternal": files.get_upload_url,
    "files.completeUploadExternal": files.complete_upload,
    "files.info": files.info,
    "files.upload": lambda fake, ctx: err("method_deprecated"),
    "oauth.v2.access": auth.oauth_v2_access,
}
"""The Web API methods the fake emulates, by name."""
