// Placeholder until the HTTPCore issue lands; see README.md for the plan of this module.
