"""The stock context: what a shop buys (stems, foliage, sundries, hard goods), the lots it is
received in, and the movement ledger that is the only way a quantity changes."""
