"""Reading files that users hand us (organisation, schedule and template files) safely.

Every file is read through :func:`read_user_file` (a size cap, UTF-8 with a clear error)
and every YAML document is parsed with :func:`load_yaml`, whose loader

* refuses anchors and aliases (``&a`` / ``*a``), so an alias bomb cannot expand a small
  file into gigabytes,
* refuses duplicate mapping keys instead of silently keeping the last one,
* refuses nesting deeper than :data:`MAX_DEPTH` (which would otherwise exhaust the stack).

Problems raise :class:`UserFileError` with one line of text; callers wrap it in their own
error type so the message names the file.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Largest file accepted (organisation files of a big municipality are ~100 KB)."""

MAX_DEPTH = 32
"""Deepest nesting of lists and mappings accepted in a YAML document."""


class UserFileError(ValueError):
    """A user's file cannot be accepted; ``str()`` is one line saying why."""


def read_user_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of ``path``: at most ``max_bytes`` bytes of UTF-8 (a BOM is dropped).

    Raises:
        UserFileError: The file cannot be read, is too big or is not UTF-8.
    """
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise UserFileError(f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise UserFileError(
            f"file is larger than {max_bytes // 1024} KB; split it or remove what is not needed"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserFileError(
            f"not UTF-8 text (byte {exc.start + 1}, line {line}); save the file as UTF-8"
        ) from None


def _where(node: Node | Any) -> str:
    mark = getattr(node, "start_mark", None)
    return f"line {mark.line + 1}" if mark is not None else "?"


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases, duplicate keys or deep nesting."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise UserFileError(
                f"{_where(event)}: anchors and aliases (& and *) are not allowed; "
                "write the value out"
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise UserFileError(f"{_where(event)}: nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[object] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable):
                if key in seen:
                    raise UserFileError(
                        f"{_where(key_node)}: duplicate key {key!r} (each key may appear once)"
                    )
                seen.add(key)
        return super().construct_mapping(node, deep)


def load_yaml(text: str) -> Any:
    """Parse one YAML document with the strict loader.

    Raises:
        UserFileError: Invalid YAML, an anchor or alias, a duplicate key or too deep nesting.
    """
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        raise UserFileError(f"not valid YAML{where}: {problem}") from None
    except yaml.reader.ReaderError as exc:
        raise UserFileError(
            f"not valid YAML: character #x{exc.character:04x} at position {exc.position} "
            "is not allowed"
        ) from None
    except yaml.YAMLError as exc:
        raise UserFileError(f"not valid YAML: {exc}") from None
    except RecursionError:
        raise UserFileError(f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        if loader is not None:
            loader.dispose()
