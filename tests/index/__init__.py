"""Tests of assistant.index."""
