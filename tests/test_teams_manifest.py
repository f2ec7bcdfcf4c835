"""``dialogbot teams manifest``: the app package validates against the Teams manifest
schema v1.30 (with Draft 7, so ``const`` is checked) and carries its two icons."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from jsonschema import Draft7Validator
from PIL import Image

from bot.cli import main

SCHEMA = Path(__file__).parent / "fakes" / "specs" / "teams" / "MicrosoftTeams.schema.v1.30.json"
APP_ID = "11111111-2222-3333-4444-555555555555"


def _validator() -> Draft7Validator:
    return Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_the_package_is_valid(tmp_path: Path) -> None:
    target = tmp_path / "dialogbot.zip"
    assert main(["teams", "manifest", "-o", str(target), "--app-id", APP_ID]) == 0
    with zipfile.ZipFile(target) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color = Image.open(io.BytesIO(package.read("color.png")))
        outline = Image.open(io.BytesIO(package.read("outline.png")))
    errors = sorted(_validator().iter_errors(manifest), key=str)
    assert errors == [], errors[0].message if errors else ""
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert (color.format, color.size) == ("PNG", (192, 192))
    assert (outline.format, outline.size) == ("PNG", (32, 32))
    # The outline icon is white on transparent, as Teams requires.
    raw = outline.convert("RGBA").tobytes()
    pixels = {tuple(raw[i : i + 3]) for i in range(0, len(raw), 4) if raw[i + 3]}
    assert pixels <= {(255, 255, 255)}


def test_draft7_catches_a_wrong_manifest_version(tmp_path: Path) -> None:
    target = tmp_path / "dialogbot.zip"
    main(["teams", "manifest", "-o", str(target), "--app-id", APP_ID])
    with zipfile.ZipFile(target) as package:
        manifest = json.loads(package.read("manifest.json"))
    manifest["manifestVersion"] = "1.17"
    assert not _validator().is_valid(manifest)


def test_without_an_app_id_it_says_what_to_give(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.delenv("TEAMS_CLIENT_ID", raising=False)
    assert main(["teams", "manifest", "-o", str(tmp_path / "x.zip")]) == 1
