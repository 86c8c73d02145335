"""Models the trail tests record through the real audit packages (simple-history, ...)."""
