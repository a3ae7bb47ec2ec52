// End-to-end tests of the proxyd binary arrive with the daemon issue.
