// Placeholder until the SRVDiscovery issue lands; see README.md for the plan of this module.
