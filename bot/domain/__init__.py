"""The pure domain: plain values and rules, no SQLAlchemy and no platform."""
