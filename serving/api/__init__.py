"""The versioned JSON API: one router per domain, thin routes over the packages' functions."""
