"""The accounts context: shops (vendors), their staff, and the rules for their credentials."""
