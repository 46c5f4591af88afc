"""Tests of assistant.answer."""
