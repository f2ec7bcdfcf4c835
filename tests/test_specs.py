"""The repository carries the Slack specs its tests check against, with their licences, so a
fresh clone with nothing beside it tests the same as a developer's checkout."""

from __future__ import annotations

import json
from pathlib import Path

from fakes.slack_api import DEFAULT_SPEC_PATH, MANIFEST_SCHEMA_PATH, SPECS_DIR

REPO = Path(__file__).resolve().parents[1]


def test_the_specs_live_inside_the_repository_with_their_licences() -> None:
    for path in (DEFAULT_SPEC_PATH, MANIFEST_SCHEMA_PATH):
        assert path.resolve().is_relative_to(REPO), f"{path} is outside the repository"
        assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict)
        assert path.parent == SPECS_DIR
    for licence in ("LICENSE.manifest-schema", "LICENSE.slack-api-specs"):
        assert "MIT License" in (SPECS_DIR / licence).read_text(encoding="utf-8")
    readme = (SPECS_DIR / "README.md").read_text(encoding="utf-8")
    assert "slackapi/manifest-schema" in readme
    assert "slackapi/slack-api-specs" in readme
