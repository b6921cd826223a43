"""The finance analysis layer: views over the synced tables, kept by the sync itself.

``views.py`` names the views, the SQL file each is made of and what each reads; ``refresh.py``
(re)creates the ones whose SQL changed after a run and checks the hierarchies the run changed.
The README's "Finance analytics" section lists every view and column.
"""
