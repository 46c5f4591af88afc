"""Tests of assistant.outline."""
