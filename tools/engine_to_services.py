"""One-off codemod: rewrite code written against ``DialogEngine`` to ``Services``.

For merging branches that still say ``engine.reply(...)``, ``self.engine``,
``engine.services.absences`` or ``from bot.engine import ...``; delete this file once every
branch is merged. Usage: ``python tools/engine_to_services.py FILE...``, then
``ruff check --fix``, ``ruff format`` and ``mypy``. A bare name ``engine`` is renamed to
``services`` everywhere in the file, so check files where ``engine`` is a SQLAlchemy
``Engine`` (``make_engine``, ``.dispose()``, ``.connect()``) by hand.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from pathlib import Path

GROUPS = {
    "rounds": "start_round close_round set_thread set_announcement is_organiser "
    "require_organiser unit_choices person_names invited_units",
    "answering": "reply reply_in_thread skip back finish edit_by_source edit_question "
    "withdraw_by_source submit_form",
    "activities": "confirm_activities correct_activities activities activities_for",
    "queries": "summary summary_for rounds round_info status status_for open_statuses_for "
    "managed_unit_keys participant participation_for_thread pending_for "
    "open_participations_for answer_sheet questions_of current_prompt answers_of",
}
METHOD = {m: g for g, ms in GROUPS.items() for m in ms.split()}
ATTR = {
    "clock": "kernel.clock",
    "catalog": "kernel.catalog",
    "template_of": "kernel.template_of",
    "session_factory": "kernel.session_factory",
    "unit_of_work": "kernel.legacy_unit_of_work",
    "kernel": "kernel",
}


def _member(m: re.Match[str]) -> str:
    name = m.group(1)
    if name in METHOD:
        return f"services.{METHOD[name]}.{name}"
    if name in ATTR:
        return f"services.{ATTR[name]}"
    return m.group(0)


def _imports(m: re.Match[str]) -> str:
    items = [n.strip() for n in m.group(1).split(",")]
    lines = []
    if "DialogEngine" in items:
        lines.append("from bot.services.container import Services")
    rest = [n for n in items if n not in ("DialogEngine", "StartRound")]
    if rest:
        lines.append(f"from bot.services.participation import {', '.join(rest)}")
    if "StartRound" in items:
        lines.append("from bot.services.rounds import StartRound")
    return "\n".join(lines)


def _rename(source: str) -> str:
    lines = source.splitlines(keepends=True)
    spots = [
        tok.start
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.NAME and tok.string == "engine"
    ]
    for row, col in reversed(spots):
        line = lines[row - 1]
        if line[:col].endswith("sqlalchemy."):
            continue
        lines[row - 1] = line[:col] + "services" + line[col + len("engine") :]
    return "".join(lines)


def rewrite(source: str) -> str:
    """``source`` with every use of the dialog engine moved to the service groups."""
    s = re.sub(r"\bengine\.services\.", "services.", source)
    s = re.sub(r"(?<![\w])engine\.(\w+)\b", _member, s)
    s = s.replace("DialogEngine(", "build_services(")
    s = re.sub(r"from bot\.engine import ([^\n(]+)", _imports, s)
    s = re.sub(r"\bDialogEngine\b", "Services", s)
    return _rename(s)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        path.write_text(rewrite(path.read_text()))
