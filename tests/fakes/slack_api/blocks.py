"""Block Kit limits (from Slack's Block Kit reference; the specs do not state them).

The checks answer in Slack's own words (``must be less than 76 characters
[json-pointer:/blocks/0/...]``), so a test sees what Slack would have said.
"""

from __future__ import annotations

import json
from typing import Any


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        text = obj.get("text")
        return text if isinstance(text, str) else ""
    return ""


def _check_elements(node: Any, pointer: str, errors: list[str]) -> None:
    """Walk interactive elements recursively and check their length limits."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            _check_elements(item, f"{pointer}/{index}", errors)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "button":
        if len(_text_of(node.get("text"))) > 75:
            errors.append(f"must be less than 76 characters [json-pointer:{pointer}/text/text]")
        if len(str(node.get("value", ""))) > 2000:
            errors.append(f"must be less than 2001 characters [json-pointer:{pointer}/value]")
    confirm = node.get("confirm")
    if kind in ("button", "overflow", "static_select", "datepicker") and confirm is not None:
        _check_confirm(confirm, f"{pointer}/confirm", errors)
    if kind == "plain_text_input":
        max_length = node.get("max_length")
        if isinstance(max_length, int) and max_length > 3000:
            errors.append(f"must be at most 3000 [json-pointer:{pointer}/max_length]")
    for key in ("options", "initial_options"):
        options = node.get(key)
        if isinstance(options, list):
            for index, option in enumerate(options):
                if not isinstance(option, dict):
                    continue
                where = f"{pointer}/{key}/{index}"
                if len(_text_of(option.get("text"))) > 75:
                    errors.append(
                        f"must be less than 76 characters [json-pointer:{where}/text/text]"
                    )
                if len(str(option.get("value", ""))) > 150:
                    errors.append(f"must be less than 151 characters [json-pointer:{where}/value]")
    for key, child in node.items():
        if key in ("options", "initial_options", "text"):
            continue
        if isinstance(child, dict | list):
            _check_elements(child, f"{pointer}/{key}", errors)


_CONFIRM_LIMITS = {"title": 100, "text": 300, "confirm": 30, "deny": 30}


def _check_confirm(confirm: Any, pointer: str, errors: list[str]) -> None:
    """A confirmation dialog object: all four texts present and within Slack's limits."""
    if not isinstance(confirm, dict):
        errors.append(f"must be an object [json-pointer:{pointer}]")
        return
    for key, limit in _CONFIRM_LIMITS.items():
        text = _text_of(confirm.get(key))
        if not text:
            errors.append(f"missing required field: {key} [json-pointer:{pointer}/{key}]")
        elif len(text) > limit:
            errors.append(
                f"must be less than {limit + 1} characters [json-pointer:{pointer}/{key}/text]"
            )


def check_blocks(blocks: Any, max_blocks: int, pointer: str) -> list[str]:
    """Return Slack-style error messages for blocks that break Block Kit limits."""
    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{pointer}]"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"no more than {max_blocks} items allowed [json-pointer:{pointer}]")
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            errors.append(f"missing required field: type [json-pointer:{where}]")
            continue
        kind = block["type"]
        if len(str(block.get("block_id", ""))) > 255:
            errors.append(f"must be less than 256 characters [json-pointer:{where}/block_id]")
        if kind == "section":
            if "text" not in block and "fields" not in block:
                errors.append(f"must provide text or fields [json-pointer:{where}]")
            if len(_text_of(block.get("text"))) > 3000:
                errors.append(f"must be less than 3001 characters [json-pointer:{where}/text/text]")
            fields = block.get("fields") or []
            if isinstance(fields, list):
                if len(fields) > 10:
                    errors.append(f"no more than 10 items allowed [json-pointer:{where}/fields]")
                for f_index, item in enumerate(fields):
                    if len(_text_of(item)) > 2000:
                        errors.append(
                            "must be less than 2001 characters "
                            f"[json-pointer:{where}/fields/{f_index}/text]"
                        )
        elif kind == "header":
            if len(_text_of(block.get("text"))) > 150:
                errors.append(f"must be less than 151 characters [json-pointer:{where}/text/text]")
        elif kind == "actions":
            elements = block.get("elements") or []
            if isinstance(elements, list) and len(elements) > 25:
                errors.append(f"no more than 25 items allowed [json-pointer:{where}/elements]")
        elif kind == "context":
            elements = block.get("elements") or []
            if isinstance(elements, list) and len(elements) > 10:
                errors.append(f"no more than 10 items allowed [json-pointer:{where}/elements]")
        for key in ("accessory", "elements", "element"):
            if key in block:
                _check_elements(block[key], f"{where}/{key}", errors)
    return errors


def check_view(view: Any) -> list[str]:
    """Return Slack-style error messages for a modal or Home tab view."""
    if not isinstance(view, dict):
        return ["must be an object [json-pointer:/view]"]
    errors: list[str] = []
    if view.get("type") not in ("modal", "home"):
        errors.append("must be one of modal, home [json-pointer:/view/type]")
    for key in ("title", "submit", "close"):
        if len(_text_of(view.get(key))) > 24:
            errors.append(f"must be less than 25 characters [json-pointer:/view/{key}/text]")
    if view.get("type") == "modal" and not _text_of(view.get("title")):
        errors.append("missing required field: title [json-pointer:/view/title]")
    if len(str(view.get("private_metadata", ""))) > 3000:
        errors.append("must be less than 3001 characters [json-pointer:/view/private_metadata]")
    if len(str(view.get("callback_id", ""))) > 255:
        errors.append("must be less than 256 characters [json-pointer:/view/callback_id]")
    errors.extend(check_blocks(view.get("blocks", []), 100, "/view/blocks"))
    if len(json.dumps(view)) > 250_000:
        errors.append("view is too large (over 250 kB) [json-pointer:/view]")
    return errors
