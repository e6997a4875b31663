"""Persistence behind a small interface: the ChatStore protocol and its SQL implementation."""
