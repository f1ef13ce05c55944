"""Logging in and out, and each user's own password."""
