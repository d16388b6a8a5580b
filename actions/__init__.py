"""Custom actions (rasa-sdk): run in-process by the embedded engine, or by `python -m rasa_sdk --actions actions`."""
