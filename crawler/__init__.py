"""The Scrapy project: spiders parse and yield, middlewares check requests, pipelines
write through `storage`. `cycle` runs one crawl cycle as a child process; `contract` is
what that child promises its parent (exit codes, summary), importable without Scrapy.
"""
