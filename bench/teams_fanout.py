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

The fan-out runs ``REPETITIONS`` times, each on a fresh database, fake and bot, after a
warm-up fan-out to ``WARMUP_MANAGERS`` managers that is not counted (the process's first
imports, template and card building, the Teams SDK's first requests). Times and the ratio
are the medians of the repetitions (each repetition's value kept with them); lost, doubled
and 429s are added up over all of them. There is one case and no floor system (the floor
is computed), so nothing to interleave with.

Target: within 1.2× of the floor, zero lost, zero doubled, zero 429s.

Run: ``python -m bench.teams_fanout [--managers N] [--repetitions N] [--warmup N]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import log, save_result
from bench.timing import load, median_row

MANAGERS = 200
REPETITIONS = 3
WARMUP_MANAGERS = 30
#: Counted over all repetitions together (each must be 0), not as medians.
ADDED_UP = ("lost", "doubled", "limit_hits", "spec_violations")
TENANT_PER_SECOND = 30
CHANNEL = "19:ledning@thread.tacv2"


def fanout(managers: int = MANAGERS) -> dict[str, Any]:
    """One fan-out; its numbers."""
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
    return result


def combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The figure from its repetitions: medians of the times and the ratio (every
    repetition's value under ``runs``), lost, doubled and 429s added up, and the verdict."""
    result = median_row(runs)
    for key in ADDED_UP:
        result[key] = sum(int(run[key]) for run in runs)
    result["limit_kinds"] = sorted({kind for run in runs for kind in run["limit_kinds"]})
    ratio = result.get("ratio")
    result["pass"] = bool(
        ratio is not None
        and ratio <= 1.2
        and result["lost"] == result["doubled"] == result["limit_hits"] == 0
    )
    return result


def run(
    managers: int = MANAGERS, repetitions: int = REPETITIONS, warmup: int = WARMUP_MANAGERS
) -> dict[str, Any]:
    """A warm-up, then ``repetitions`` fan-outs; the figure's numbers."""
    before = load()
    if warmup:
        log(f"figure 7: warm-up ({warmup} managers, not counted)")
        fanout(warmup)
    runs = []
    for repetition in range(repetitions):
        runs.append(one := fanout(managers))
        log(
            f"figure 7: repetition {repetition + 1} of {repetitions}: {one['elapsed_s']} s, "
            f"{one['ratio']}× the floor, lost {one['lost']}, doubled {one['doubled']}, "
            f"429s {one['limit_hits']}"
        )
    return {
        **combine(runs),
        "warmup_managers": warmup,
        "load_before": before,
        "load_after": load(),
    }


def main(
    managers: int = MANAGERS, repetitions: int = REPETITIONS, warmup: int = WARMUP_MANAGERS
) -> dict[str, Any]:
    """Run figure 7 and save it."""
    log(f"figure 7: Teams fan-out to {managers} managers, {repetitions} repetitions")
    result = run(managers, repetitions, warmup)
    save_result("figure7_teams_fanout", result)
    log(
        f"figure 7: median {result['elapsed_s']} s = {result['ratio']}× the floor, lost "
        f"{result['lost']}, doubled {result['doubled']}, 429s {result['limit_hits']}"
    )
    return result


def _cli(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.teams_fanout")
    parser.add_argument("--managers", type=int, default=MANAGERS)
    parser.add_argument("--repetitions", type=int, default=REPETITIONS)
    parser.add_argument("--warmup", type=int, default=WARMUP_MANAGERS)
    args = parser.parse_args(argv)
    main(args.managers, args.repetitions, args.warmup)


if __name__ == "__main__":
    _cli(sys.argv[1:])
