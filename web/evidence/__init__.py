"""Evidence files: uploads accepted safely, stored by content hash, verified later."""
