"""Data room: table schemas, validation rules, ingestion + quarantine, warehouse engines."""
