"""Tests of assistant.cli."""
