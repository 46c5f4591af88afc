"""Library maintenance above the search layers: copying a library between backends and
proving the copy with real searches (it may call answer/, which index/ never does)."""
