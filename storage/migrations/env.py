"""Alembic environment: runs against the engine handed in by ``storage.db``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from storage.models import Base
from storage.models_absence import Absence  # noqa: F401  (registers the absences table)
from storage.models_chain import Activity  # noqa: F401  (registers the chain tables)
from storage.models_conversations import ChatConversation  # noqa: F401  (conversation refs)
from storage.models_outbox import ChatPost  # noqa: F401  (registers the outbox table)
from storage.models_question_messages import QuestionMessage  # noqa: F401  (question messages)
from storage.models_schedule import ScheduledJob  # noqa: F401  (registers the scheduler tables)
from storage.models_settings import WorkspaceSettings  # noqa: F401  (registers the settings table)

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if not isinstance(engine, Engine):
        engine = create_engine(str(config.get_main_option("sqlalchemy.url")))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
