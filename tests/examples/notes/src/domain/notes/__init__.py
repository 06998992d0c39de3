"""The notes context: a shop's internal notes, written by its staff."""
