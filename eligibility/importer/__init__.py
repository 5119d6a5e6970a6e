"""The inventory import: read a CSV or XLSX table as a stream, validate each row, store the valid rows set-based
(COPY and one merge on PostgreSQL; batched upserts on SQLite), report every invalid row."""
