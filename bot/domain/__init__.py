"""Pure domain code: no SQLAlchemy, no storage, no platform."""
