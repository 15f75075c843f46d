"""Identity: accounts, passwords, login, access and refresh tokens, roles."""
