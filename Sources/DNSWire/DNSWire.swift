// Placeholder until the DNSWire issue lands; see README.md for the plan of this module.
