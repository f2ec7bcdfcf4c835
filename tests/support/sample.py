"""The shipped sample municipality, loaded into a test database."""

from __future__ import annotations

import os
from pathlib import Path

from bot.console.demo import sample_org_path
from bot.org_import import load_org_file
from bot.services.container import Services

PG_URL = os.environ.get("DIALOGBOT_TEST_DATABASE_URL")
"""The PostgreSQL database the tests also run on, when set."""

WORKSPACE = "local"
"""The workspace the ``engine`` fixture loads the sample organisation into."""


def load_sample_org(services: Services, workspace: str = WORKSPACE) -> None:
    """Import the shipped sample municipality into ``workspace``."""
    path = sample_org_path()
    services.organisation.import_org(workspace, load_org_file(path), str(path))


def big_org(path: Path, managers: int) -> Path:
    """An organisation with one förvaltning and ``managers`` enheter, one manager each."""
    lines = [
        "people:",
        "  - {id: P0, name: Petra Lind, roles: [processtod]}",
        *(f"  - {{id: M{i:03d}, name: Chef {i:03d}, roles: [chef]}}" for i in range(managers)),
        "units:",
        "  - {key: forv, name: Förvaltningen, level: forvaltning}",
        *(
            f"  - {{key: e{i:03d}, name: Enhet {i:03d}, level: enhet, parent: forv, "
            f"managers: [M{i:03d}]}}"
            for i in range(managers)
        ),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
