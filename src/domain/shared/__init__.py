"""What every context shares: errors, plain text, ISO codes, email addresses, staff roles."""
