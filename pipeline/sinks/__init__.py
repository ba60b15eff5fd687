"""The dataset: Arrow schemas (the contract) and the partitioned, idempotent writer."""
