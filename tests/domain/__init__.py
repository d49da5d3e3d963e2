"""Tests of the domain core."""
