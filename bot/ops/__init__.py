"""Operator tooling: the instance lock and the status report."""
