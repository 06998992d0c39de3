"""The customers context's use cases: customers and their address books (STAFF and up write,
every role reads)."""
