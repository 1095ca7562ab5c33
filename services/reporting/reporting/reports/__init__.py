"""The reports managers read: each a function of a session and its parameters, returning plain data."""
