"""Ticket types, registrations, invitations, payments, badges and check-in (coming issues)."""
