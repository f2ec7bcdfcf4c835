"""The console adapter: plays a manager's conversation in a terminal."""
