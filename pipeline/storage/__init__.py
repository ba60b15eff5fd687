"""Storage: locations (local folders, S3 and GCS buckets), the file operations the dataset needs, the lock."""
