"""Files people take away: the ledger, decisions, the trail and the capitalisation
register as CSV, XLSX or PDF, and the audit pack with its offline verifier."""
