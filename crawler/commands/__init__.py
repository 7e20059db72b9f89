"""newswatch's own versions of Scrapy commands (settings.COMMANDS_MODULE)."""
