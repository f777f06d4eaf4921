"""Resource classes: one per API resource, each method a thin call into the client's request core."""
