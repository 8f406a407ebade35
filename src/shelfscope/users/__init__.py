"""User management for admins: list, invite by one-time link, change role, deactivate."""
