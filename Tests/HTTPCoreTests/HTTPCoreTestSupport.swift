// Tests for HTTPCore arrive with its issue.
