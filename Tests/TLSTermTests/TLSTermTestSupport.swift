// Tests for TLSTerm arrive with its issue.
