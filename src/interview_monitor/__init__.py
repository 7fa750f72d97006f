"""interview-monitor: an interview-integrity service."""

__version__ = "0.1.0"
