"""The newswatch daemon, its jobs and the command-line interface."""
