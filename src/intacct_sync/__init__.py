"""intacct-sync: Sage Intacct AP and GL into Unity Catalog Delta tables (read-only on Intacct)."""

__version__ = "0.1.0"
