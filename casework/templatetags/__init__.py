"""Template tags of casework, by subject."""
