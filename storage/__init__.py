"""Persistence for Dialogbot: SQLAlchemy 2.0 models, Alembic migrations and a unit of work."""
