"""Targets (måltal): the indicator catalogue, baseline and target per grant and grant year, and
attainment (realised against target). Issue 15, item 1."""
