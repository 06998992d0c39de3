"""The delivery context's domain: zones (postal codes and fees), slots (daily windows, same-day
cutoffs, capacity), blackout dates, and the pure time rules of availability in the shop's zone."""
