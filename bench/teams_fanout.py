"""Figure 7: a Teams round's fan-out against Teams' rate limits.

``/dialog start`` on Teams for ``MANAGERS`` managers who have not written to the bot yet:
the bot creates each personal chat (``POST /v3/conversations``) and posts the first
question card in it, plus the announcement in the channel: ``2N + 1`` Connector calls.
Teams allows about 30 requests a second per app and tenant (and 7 a second per
conversation); the fake Bot Connector (``tests/fakes/teams/connector.py``, in this
process, real time) answers 429 to any call over those limits. The floor is what the
tenant limit alone imposes, ``(2N + 1 - 30) / 30`` seconds (the first second's 30 calls
are free). Measured: the time from the start to the last card delivered; then every
manager must have exactly one card (none lost, none doubled) and the fake must have
counted no call over a limit.

Target: within 1.2× of the floor, zero lost, zero doubled, zero 429s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import log, save_result

MANAGERS = 200
TENANT_PER_SECOND = 30
CHANNEL = "19:ledning@thread.tacv2"


def run(managers: int = MANAGERS) -> dict[str, Any]:
    """One fan-out; the figure's numbers."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from fakes.teams.connector import DEFAULT_TENANT, FakeConnector
    from fakes.teams.harness import TeamsHarness
    from support.sample import big_org

    from bot.domain.templates import TemplateCatalog
    from bot.org_import import load_org_file
    from bot.services.container import build_services
    from storage.db import make_engine, make_session_factory, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        db = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(db)
        services = build_services(make_session_factory(db), TemplateCatalog.load())
        path = big_org(Path(tmp) / "org.yaml", managers)
        services.organisation.import_org(DEFAULT_TENANT, load_org_file(path), str(path))
        fake = FakeConnector(tenant_per_second=TENANT_PER_SECOND).start()
        with TeamsHarness(services, fake) as h:
            fake.add_channel(CHANNEL)
            h.install("P0")
            conversation = fake.personal_chat_of("29:P0")
            assert conversation is not None
            command = h.activity(
                "P0",
                conversation,
                text=f'dialog start avstamning enheter:"Förvaltningen" kanal:{CHANNEL}',
            )
            start = time.monotonic()
            response = h.post(command)
            ack = time.monotonic() - start
            assert response.status_code == 200, response.text
            h.settle()
            elapsed = time.monotonic() - start
            cards = [
                len([m for m in h.chat(f"M{i:03d}") if h.card_of(m) is not None])
                for i in range(managers)
            ]
            calls = 2 * managers + 1
            floor = max(0.0, (calls - TENANT_PER_SECOND) / TENANT_PER_SECOND)
            ratio = round(elapsed / floor, 2) if floor else None
            result: dict[str, Any] = {
                "managers": managers,
                "connector_calls": calls,
                "ack_s": round(ack, 2),
                "elapsed_s": round(elapsed, 2),
                "floor_s": round(floor, 2),
                "ratio": ratio,
                "lost": sum(1 for n in cards if n == 0),
                "doubled": sum(1 for n in cards if n > 1),
                "limit_hits": len(fake.limit_hits),
                "spec_violations": len(fake.spec_violations),
                "limiter_wait_s": round(h.bot.sender.limiter.waited, 2),
                "limit_kinds": sorted({hit.split(":")[0] for hit in fake.limit_hits}),
            }
    result["pass"] = (
        ratio is not None
        and ratio <= 1.2
        and result["lost"] == result["doubled"] == result["limit_hits"] == 0
    )
    return result


def main() -> dict[str, Any]:
    """Run figure 7 and save it."""
    log(f"figure 7: Teams fan-out to {MANAGERS} managers")
    result = run()
    save_result("figure7_teams_fanout", result)
    log(f"figure 7: {result}")
    return result


if __name__ == "__main__":
    print(main())
