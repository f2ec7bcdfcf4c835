"""Reading files that users hand us (organisation, schedule and template files) safely.

Every file is read through :func:`read_user_file` (a size cap, UTF-8 with a clear error)
and every YAML document is parsed with :func:`load_yaml`, whose loader

* refuses anchors and aliases (``&a`` / ``*a``), so an alias bomb cannot expand a small
  file into gigabytes,
* refuses duplicate mapping keys instead of silently keeping the last one,
* refuses nesting deeper than :data:`MAX_DEPTH` (which would otherwise exhaust the stack).

Problems raise :class:`UserFileError`, which carries a message key and its parameters
(rendered in the run's language by the caller) and reads as one English line with ``str()``;
callers wrap it in their own error type so the message names the file.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node
from yaml.resolver import Resolver

from bot.i18n import t

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Largest file accepted (organisation files of a big municipality are ~100 KB)."""

MAX_DEPTH = 32
"""Deepest nesting of lists and mappings accepted in a YAML document."""


class UserFileError(ValueError):
    """A user's file cannot be accepted: ``key`` and ``params`` say why (``str()`` in English)."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params: dict[str, object] = params
        super().__init__(t("en", key, **params))

    def message(self, lang: str) -> str:
        """The reason as one line in ``lang``."""
        return t(lang, self.key, **self.params)


def read_user_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of ``path``: at most ``max_bytes`` bytes of UTF-8 (a BOM is dropped).

    Raises:
        UserFileError: The file cannot be read, is too big or is not UTF-8.
    """
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise UserFileError("file.problem.missing") from None
    except IsADirectoryError:
        raise UserFileError("file.problem.directory") from None
    except PermissionError:
        raise UserFileError("file.problem.permission") from None
    except OSError as exc:
        raise UserFileError("file.problem.unreadable", reason=exc.strerror or exc) from None
    if len(raw) > max_bytes:
        raise UserFileError("file.problem.too_big", kb=max_bytes // 1024)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserFileError("file.problem.not_utf8", byte=exc.start + 1, line=line) from None


def _line(node: Node | Any) -> int | str:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else "?"


class _Strict:
    """The checks of the strict loaders: no aliases, duplicate keys or deep nesting (a
    mixin before PyYAML's composer and constructor)."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise UserFileError("file.problem.alias", line=_line(event))
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise UserFileError("file.problem.deep_at", line=_line(event), n=MAX_DEPTH)
            return super().compose_node(parent, index)  # type: ignore[misc,no-any-return]
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[object] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            if isinstance(key, Hashable):
                if key in seen:
                    raise UserFileError(
                        "file.problem.duplicate_key", line=_line(key_node), name=key
                    )
                seen.add(key)
        return super().construct_mapping(node, deep)  # type: ignore[misc,no-any-return]


class _StrictLoader(_Strict, yaml.SafeLoader):
    """PyYAML's safe loader without aliases, duplicate keys or deep nesting."""


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _CStrictLoader(_Strict, Composer, CParser, SafeConstructor, Resolver):
        """:class:`_StrictLoader` on libyaml's scanner and parser (PyYAML's composer and
        constructor, so the same checks and the same values): about five times faster.
        For the built-in templates only (:func:`load_trusted_yaml`): on other input
        libyaml and PyYAML differ in a few corners (a tab after ``key:`` is accepted by
        libyaml, refused by PyYAML) and in their error messages."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)


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
        problem = exc.problem or exc.context or "syntax error"
        if mark is None:
            raise UserFileError("file.problem.yaml", problem=problem) from None
        raise UserFileError(
            "file.problem.yaml_at", line=mark.line + 1, column=mark.column + 1, problem=problem
        ) from None
    except yaml.reader.ReaderError as exc:
        raise UserFileError(
            "file.problem.yaml_char", code=f"{exc.character:04x}", position=exc.position
        ) from None
    except yaml.YAMLError as exc:
        raise UserFileError("file.problem.yaml", problem=exc) from None
    except RecursionError:
        raise UserFileError("file.problem.deep", n=MAX_DEPTH) from None
    finally:
        if loader is not None:
            loader.dispose()


def load_trusted_yaml(text: str) -> Any:
    """:func:`load_yaml` for files we ship (the built-in templates), on libyaml when
    PyYAML has it: the same checks and values, about five times faster (a server reads
    every template at start). Any problem is reported by :func:`load_yaml`, so its
    message is the one the pure-Python loader gives."""
    if not yaml.__with_libyaml__:
        return load_yaml(text)
    loader = _CStrictLoader(text)
    try:
        return loader.get_single_data()
    except (yaml.YAMLError, UserFileError, RecursionError):
        return load_yaml(text)
    finally:
        loader.dispose()
