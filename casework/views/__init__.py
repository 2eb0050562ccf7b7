"""Web pages of casework, by subject (see casework/urls.py)."""
