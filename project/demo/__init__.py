"""Demo data for the standalone console: a small support desk whose history fills the console."""
