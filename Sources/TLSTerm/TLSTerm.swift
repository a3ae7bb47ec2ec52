// Placeholder until the TLSTerm issue lands; see README.md for the plan of this module.
