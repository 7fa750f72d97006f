"""Users, roles, passwords, bearer tokens and API keys."""
