"""Everything about Spark and Delta. Nothing here knows about XML."""
