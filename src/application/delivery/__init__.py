"""The delivery context's use cases: zones, slots, blackout dates, availability and slot capacity."""
