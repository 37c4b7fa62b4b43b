class ArticleError(ValueError):
    """A corpus file that cannot be read as an article; the message is the reason shown to the admin."""
