"""Reads of the workbench, one module per subject (``today``, ``cases``). Every list and count
starts from the access rules of the app that owns the subject."""
