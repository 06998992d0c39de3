"""The customers context: people who buy, and the address book of those they send flowers to."""
