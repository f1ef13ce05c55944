"""Read-only JSON for other tools: the review matrix of a directive, as the screens compute it."""
