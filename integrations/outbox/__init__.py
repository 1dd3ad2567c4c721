"""The outbox: save every write first, then deliver it exactly once."""
