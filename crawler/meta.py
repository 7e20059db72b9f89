"""The Request.meta keys newswatch sets on requests, read by spiders and middlewares alike."""

PRIMARY = "newswatch_primary"  # the source's own URL: its outcome is the source's health
ARTICLE = "newswatch_article"  # an article page
HINT = "newswatch_hint"  # what the feed/sitemap/listing said about the article
SOURCE_UPDATED = "newswatch_source_updated"  # when the source says the article last changed
CHANGED = "newswatch_changed"  # a stored article the source announced an update of
