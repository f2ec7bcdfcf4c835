"""A fake Microsoft Bot Connector (with the token issuer's keys) for Teams tests."""
