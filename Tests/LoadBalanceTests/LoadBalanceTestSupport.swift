// Tests for LoadBalance arrive with its issue.
