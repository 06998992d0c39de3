"""The customers context's adapters: tables, repository, query services, the shop's country."""
