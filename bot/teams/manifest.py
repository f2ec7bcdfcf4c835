"""The Teams app package: ``manifest.json`` (schema v1.30) and two icons, zipped, ready to
upload in the Teams admin center (or *Apps → Manage your apps → Upload an app*)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

MANIFEST_VERSION = "1.30"
SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.30/MicrosoftTeams.schema.json"
)
ACCENT = "#1F6F8B"


def build_manifest(
    app_id: str,
    *,
    version: str = "1.0.0",
    developer: str = "Dialogbot",
    website: str = "https://dialogbot.example.org",
    short_name: str = "Dialogbot",
) -> dict[str, Any]:
    """The manifest for the bot whose Entra app (client) id is ``app_id``.

    The bot works in personal chats (managers answer there, process supports give
    commands) and in teams (commands in channels, announcements and summaries)."""
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": developer,
            "websiteUrl": website,
            "privacyUrl": f"{website.rstrip('/')}/privacy",
            "termsOfUseUrl": f"{website.rstrip('/')}/terms",
        },
        "name": {"short": short_name, "full": f"{short_name} — strukturerade dialoger"},
        "description": {
            "short": "Dialogrundor för planering, avstämning och resultat.",
            "full": (
                "Dialogbot kör kommunens strukturerade dialoger i Teams: processtöd startar "
                "en runda, chefer svarar på frågorna i en personlig chatt med boten, och "
                "sammanfattningen, upprullad enhet → avdelning → förvaltning, publiceras i "
                "mottagande grupps kanal."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal", "team"],
                        "commands": [
                            {"title": "dialog start", "description": "Starta en dialogrunda"},
                            {
                                "title": "dialog status",
                                "description": "Hur långt har rundan kommit",
                            },
                            {"title": "dialog påminn", "description": "Påminn dem som inte svarat"},
                            {"title": "dialog stäng", "description": "Stäng och sammanfatta"},
                        ],
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def _icon(size: int, outline: bool) -> bytes:
    """A square icon: a speech bubble (white outline on transparent for ``outline``)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0) if outline else ACCENT)
    draw = ImageDraw.Draw(image)
    m = size // 6
    colour = (255, 255, 255, 255)
    box = (m, m, size - m, size - 2 * m)
    width = max(1, size // 16)
    draw.rounded_rectangle(box, radius=size // 8, outline=colour, width=width)
    tail = [(size // 3, size - 2 * m), (size // 3, size - m), (size // 2, size - 2 * m)]
    draw.line(tail, fill=colour, width=width)
    if not outline:
        for x in (size * 3 // 8, size // 2, size * 5 // 8):
            r = max(2, size // 24)
            cy = (m + size - 2 * m) // 2
            draw.ellipse((x - r, cy - r, x + r, cy + r), fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_package(path: Path, manifest: dict[str, Any]) -> Path:
    """Write the zip (``manifest.json``, ``color.png`` 192×192, ``outline.png`` 32×32)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        package.writestr("color.png", _icon(192, outline=False))
        package.writestr("outline.png", _icon(32, outline=True))
    return path
