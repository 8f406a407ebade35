"""Accounts: users with roles, cookie sessions with CSRF protection, API tokens, one-time setup links."""
