"""The stock context's use cases: items, lots, waste and adjustments, the reads, and the
reservations the orders context calls (``reservations.StockReservations``)."""
