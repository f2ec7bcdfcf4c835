"""People's chat ids on Teams: an organisation file may name people by e-mail or UPN; the
bot knows them by their Entra object id (``from.aadObjectId``). The roster of a team maps
one to the other."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.teams.deps import Services


def sync_roster(
    services: Services, workspace: str, members: Sequence[dict[str, Any]]
) -> list[tuple[str, str]]:
    """Give every person whose chat id is a member's e-mail or UPN (any case) that
    member's Entra object id; the renames made."""
    by_address: dict[str, str] = {}
    for member in members:
        aad = member.get("aadObjectId")
        if not aad:
            continue
        for field in ("email", "userPrincipalName"):
            address = member.get(field)
            if address:
                by_address[str(address).lower()] = str(aad)
    mapping = {
        chat_id: by_address[chat_id.lower()]
        for chat_id in services.conversations.chat_ids(workspace)
        if chat_id.lower() in by_address
    }
    return services.conversations.rename_people(workspace, mapping)
