// Tests for DNSWire arrive with its issue.
