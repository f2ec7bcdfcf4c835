"""Spec checking: the method and argument names Slack's (2020) OpenAPI document declares.

Argument names the client sends must be declared parameters of the operation (plus
:data:`ARGS_NEWER_THAN_SPEC`; methods newer than the document are in
:data:`METHODS_NOT_IN_SPEC`).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPEC_ENV_VAR = "DIALOGBOT_SLACK_SPEC"
"""Environment variable that overrides the location of ``slack_web_openapi_v2.json``."""

SPECS_DIR = Path(__file__).resolve().parent.parent / "specs"
"""Slack's published specs the tests check against, kept in the repository (see its README)."""

DEFAULT_SPEC_PATH = SPECS_DIR / "slack_web_openapi_v2.json"
"""``tests/fakes/specs/slack_web_openapi_v2.json``: Slack's Web API OpenAPI 2.0 document."""

MANIFEST_SCHEMA_PATH = SPECS_DIR / "manifest.schema.1.0.0.json"
"""Slack's app manifest JSON schema (``manifest.yml`` is validated against it)."""

# Argument names that slack_sdk (3.47) legitimately sends for the methods this fake emulates
# but that the 2020 OpenAPI document does not declare. Derived by diffing the keyword-only
# parameters of the WebClient methods against the spec; slack_sdk drops ``None`` values, so
# each name is only sent when the caller passes it. Keep this minimal and explicit.
ARGS_NEWER_THAN_SPEC: dict[str, frozenset[str]] = {
    # container_id: Slack Connect / canvas containers; metadata: message metadata;
    # markdown_text: "markdown" text instead of text/blocks (2025).
    "chat.postMessage": frozenset({"container_id", "markdown_text", "metadata"}),
    # file_ids: attach uploaded files; reply_broadcast: also in the thread's channel.
    "chat.update": frozenset({"file_ids", "markdown_text", "metadata", "reply_broadcast"}),
    "chat.postEphemeral": frozenset({"markdown_text"}),
    # interactivity_pointer: alternative to trigger_id (workflow steps / functions).
    "views.open": frozenset({"interactivity_pointer"}),
    "views.push": frozenset({"interactivity_pointer"}),
    # include_all_metadata: return message metadata (2022).
    "conversations.replies": frozenset({"include_all_metadata"}),
    "conversations.history": frozenset({"include_all_metadata"}),
}

# Methods missing from the 2020 spec, with the argument names they accept (slack_sdk sends
# exactly these; see WebClient.files_getUploadURLExternal / files_completeUploadExternal).
METHODS_NOT_IN_SPEC: dict[str, frozenset[str]] = {
    "files.getUploadURLExternal": frozenset({"filename", "length", "alt_txt", "snippet_type"}),
    "files.completeUploadExternal": frozenset(
        {"files", "channel_id", "channels", "initial_comment", "thread_ts"}
    ),
}

_IGNORED_ARGS = frozenset({"token"})
# Arguments any WebClient may add to every call: WebClient(team_id=...) puts ``team_id`` into
# its default params, and Bolt builds such a per-request client (team_id of the incoming
# request) for every listener, so ``say()`` / ``client.*`` calls all carry it.
CLIENT_DEFAULT_ARGS = frozenset({"token", "team_id"})


@dataclass(frozen=True)
class OperationSpec:
    """Parameter names of one Web API method according to the OpenAPI document."""

    declared: frozenset[str]
    required: frozenset[str]


_spec_cache: dict[Path, dict[str, OperationSpec]] = {}
_spec_lock = threading.Lock()


def _resolve_spec_path(path: Path | str | None) -> Path:
    if path is not None:
        return Path(path)
    env = os.environ.get(SPEC_ENV_VAR)
    return Path(env) if env else DEFAULT_SPEC_PATH


def load_spec(path: Path | str | None = None) -> dict[str, OperationSpec]:
    """Load (once per path, cached at module level) the Web API spec as method -> params.

    ``path`` defaults to ``$DIALOGBOT_SLACK_SPEC`` or :data:`DEFAULT_SPEC_PATH`. The
    ``token`` parameter is left out (it travels in the Authorization header).
    """
    resolved = _resolve_spec_path(path).resolve()
    with _spec_lock:
        cached = _spec_cache.get(resolved)
        if cached is not None:
            return cached
        if not resolved.is_file():
            raise FileNotFoundError(
                f"Slack Web API spec not found at {resolved}; set {SPEC_ENV_VAR} or restore "
                f"{DEFAULT_SPEC_PATH.name} in {SPECS_DIR}"
            )
        document = json.loads(resolved.read_text(encoding="utf-8"))
        operations: dict[str, OperationSpec] = {}
        for raw_path, verbs in document.get("paths", {}).items():
            declared: set[str] = set()
            required: set[str] = set()
            for operation in verbs.values():
                if not isinstance(operation, dict):
                    continue
                for param in operation.get("parameters", []):
                    name = param.get("name")
                    if not isinstance(name, str) or name in _IGNORED_ARGS:
                        continue
                    declared.add(name)
                    if param.get("required") is True:
                        required.add(name)
            operations[raw_path.lstrip("/")] = OperationSpec(
                frozenset(declared), frozenset(required)
            )
        _spec_cache[resolved] = operations
        return operations


def spec_problems(
    spec: dict[str, OperationSpec] | None, method: str, args: dict[str, Any]
) -> list[str]:
    """What is wrong with calling ``method`` with ``args`` according to ``spec`` (or, for
    methods newer than it, :data:`METHODS_NOT_IN_SPEC`); empty when nothing is."""
    names = {k for k in args if k not in CLIENT_DEFAULT_ARGS}
    if method in METHODS_NOT_IN_SPEC:
        known = METHODS_NOT_IN_SPEC[method]
        return [
            f"{method}: argument {n!r} is not a known argument of this (post-2020) method"
            for n in sorted(names - known)
        ]
    if spec is None or method not in spec:
        return []
    operation = spec[method]
    allowed = operation.declared | ARGS_NEWER_THAN_SPEC.get(method, frozenset())
    problems = [
        f"{method}: argument {n!r} is not declared in the Web API spec"
        for n in sorted(names - allowed)
    ]
    problems += [
        f"{method}: required argument {n!r} is missing" for n in sorted(operation.required - names)
    ]
    return problems
