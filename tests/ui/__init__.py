"""Tests of assistant.ui."""
