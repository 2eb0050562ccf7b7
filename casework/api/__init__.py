"""REST API of casework, by subject (see casework/api_urls.py)."""
