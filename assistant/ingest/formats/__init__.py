"""Readers, one module per format family, each turning a file's bytes into numbered lines."""
