"""report-assistant: retrieval over Chinese work-report examples."""
