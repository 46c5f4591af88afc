"""Tests of assistant.ingest."""
