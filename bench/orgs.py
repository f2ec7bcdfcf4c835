"""Synthetic organisations of any size, inserted in bulk for benchmarks."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.org_import import DEFAULT_LEVELS
from storage.models import Level, Person, Unit, UnitManager


def build_org(
    factory: sessionmaker[Session], workspace: str, enheter: int, per_avdelning: int = 20
) -> str:
    """Insert a förvaltning with ``enheter`` units (one manager each) under avdelningar.

    Returns the förvaltning's key. Chat ids are ``U{n:07d}``; ``UPROC`` is a process support.
    """
    with factory() as session:
        session.execute(
            insert(Level),
            [
                {"workspace_id": workspace, "key": k, "name": n, "rank": i, "manager_title": m}
                for i, (k, n, m) in enumerate(DEFAULT_LEVELS)
            ],
        )
        forv = Unit(
            workspace_id=workspace, key="forv", name="Benchförvaltningen", level_key="forvaltning"
        )
        session.add(forv)
        session.add(
            Person(workspace_id=workspace, chat_id="UPROC", name="Processtöd", roles=["processtod"])
        )
        session.flush()
        avdelningar = []
        for a in range((enheter + per_avdelning - 1) // per_avdelning):
            avd = Unit(
                workspace_id=workspace,
                key=f"avd{a}",
                name=f"Avdelning {a}",
                level_key="avdelning",
                parent_id=forv.id,
            )
            session.add(avd)
            avdelningar.append(avd)
        session.flush()
        session.execute(
            insert(Person),
            [
                {
                    "workspace_id": workspace,
                    "chat_id": f"U{n:07d}",
                    "name": f"Chef {n}",
                    "roles": ["chef"],
                    "lang": "sv",
                }
                for n in range(enheter)
            ],
        )
        session.execute(
            insert(Unit),
            [
                {
                    "workspace_id": workspace,
                    "key": f"enh{n}",
                    "name": f"Enhet {n}",
                    "level_key": "enhet",
                    "parent_id": avdelningar[n // per_avdelning].id,
                }
                for n in range(enheter)
            ],
        )
        session.flush()
        units = {
            key: uid
            for key, uid in session.execute(
                select(Unit.key, Unit.id).where(Unit.workspace_id == workspace)
            )
        }
        people = {
            chat: pid
            for chat, pid in session.execute(
                select(Person.chat_id, Person.id).where(Person.workspace_id == workspace)
            )
        }
        session.execute(
            insert(UnitManager),
            [
                {"unit_id": units[f"enh{n}"], "person_id": people[f"U{n:07d}"]}
                for n in range(enheter)
            ],
        )
        session.commit()
    return "forv"
