"""Dialog templates (YAML) and summary/export templates (Jinja2), shipped as package data."""
