"""Authentication and its rules: accounts, passwords, sessions, tokens and their claims,
signing keys, permissions, throttling, the admin CLI, and revocation (auth/revocation/)."""
