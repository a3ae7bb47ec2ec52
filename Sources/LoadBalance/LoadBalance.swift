// Placeholder until the LoadBalance issue lands; see README.md for the plan of this module.
