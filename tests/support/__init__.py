"""Test support: builders of valid domain values and fakes standing in for the world."""
