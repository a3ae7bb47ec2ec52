// Tests for SRVDiscovery arrive with its issue.
