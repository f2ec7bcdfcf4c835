"""The shipped sample municipality, loaded into a test database."""

from __future__ import annotations

import os

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
