"""Everything that speaks to Sage Intacct's XML gateway. Nothing here knows about Spark."""
