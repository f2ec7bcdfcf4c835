"""A local, thread-safe HTTP fake of the Slack Web API for tests and benchmarks.

``FakeSlack`` runs a ``ThreadingHTTPServer`` on 127.0.0.1 (ephemeral port) in a daemon
thread. Point a ``slack_sdk.WebClient(base_url=fake.base_url, token=...)`` at it (or a
Bolt ``App(client=...)``) and every call is recorded as a :class:`RecordedCall`.

What it does, in short:

* Realistic successful answers for the methods the bot uses (``auth.test``, ``chat.*``,
  ``reactions.*``, ``views.*``, ``conversations.open/info/history/replies``, ``users.info``,
  ``files.getUploadURLExternal`` + the upload URL + ``files.completeUploadExternal``,
  ``files.info``, ``oauth.v2.access``), a small message store so ``chat.update`` /
  ``chat.delete`` / ``conversations.history`` / ``conversations.replies`` behave
  consistently, and some of Slack's semantic errors (``no_text``, ``message_not_found``,
  ``already_reacted``, ``hash_conflict``, ``invalid_blocks`` ...).
* Spec checking against Slack's (2020) OpenAPI document: argument names the client sends
  must be declared parameters of the operation (plus :data:`ARGS_NEWER_THAN_SPEC`);
  violations are collected in ``spec_violations`` and answered with ``invalid_arguments``.
* Fault injection (:meth:`FakeSlack.fail_next`, :meth:`FakeSlack.fail_for`) and an optional
  rate-limit mode (:meth:`FakeSlack.rate_limits`) answering HTTP 429 with ``Retry-After``.
* A ``response_url`` endpoint (:meth:`FakeSlack.response_url`) so Bolt's ``respond()`` works.

Unknown methods answer ``{"ok": false, "error": "unknown_method"}`` with HTTP 200 (as Slack
does). Methods that exist in the spec but that this fake does not emulate answer
``{"ok": false, "error": "fake_not_implemented"}``; register a handler with
:meth:`FakeSlack.on` if a test needs one.

The package's modules: :mod:`.fake` (:class:`FakeSlack`: configuration, inspection,
dispatch), :mod:`.server` (HTTP plumbing), :mod:`.state` and :mod:`.records` (workspace
state, recorded calls, replies), :mod:`.handlers` (one module per API family),
:mod:`.blocks` (Block Kit limits), :mod:`.spec` (OpenAPI spec checking) and
:mod:`.faults` (fault injection and rate limits). Import the public names from here.
"""

from __future__ import annotations

from .fake import FakeSlack
from .faults import SLACK_TIER_LIMITS_PER_MINUTE
from .records import RESPONSE_URL_METHOD, UPLOAD_METHOD, Handler, RecordedCall, UploadedFile
from .spec import (
    ARGS_NEWER_THAN_SPEC,
    CLIENT_DEFAULT_ARGS,
    DEFAULT_SPEC_PATH,
    MANIFEST_SCHEMA_PATH,
    METHODS_NOT_IN_SPEC,
    SPEC_ENV_VAR,
    SPECS_DIR,
    OperationSpec,
    load_spec,
)
from .state import DEFAULT_BOT_SCOPES

__all__ = [
    "ARGS_NEWER_THAN_SPEC",
    "CLIENT_DEFAULT_ARGS",
    "DEFAULT_BOT_SCOPES",
    "DEFAULT_SPEC_PATH",
    "MANIFEST_SCHEMA_PATH",
    "METHODS_NOT_IN_SPEC",
    "RESPONSE_URL_METHOD",
    "SLACK_TIER_LIMITS_PER_MINUTE",
    "SPECS_DIR",
    "SPEC_ENV_VAR",
    "UPLOAD_METHOD",
    "FakeSlack",
    "Handler",
    "OperationSpec",
    "RecordedCall",
    "UploadedFile",
    "load_spec",
]
