"""Directives: input parsing and validation only; rendering happens at resolve time."""
