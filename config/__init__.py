"""newswatch's configuration: one TOML file loaded into frozen dataclasses.

The ground floor of the house: every other package reads it, and it imports nothing of
theirs (nor numpy, sqlite-utils or Scrapy: reading a config stays cheap). `schema` holds the
shape and the registries of source kinds and digest formats, `loader` the file lookup and
the checks, `cron` the digest schedule's crontab fields.
"""

from config.loader import (
    CONFIG_ENV,
    DEFAULT_FILE_NAME,
    ConfigError,
    config_from_text,
    default_config_text,
    defaults_beside,
    find_config_file,
    format_duration,
    load_config,
    load_config_file,
    parse_config_text,
    parse_duration,
)
from config.schema import (
    DIGEST_FORMATS,
    SOURCE_KINDS,
    Config,
    CrawlConfig,
    DaemonConfig,
    DigestConfig,
    EmailConfig,
    LeftOutSource,
    ProfileConfig,
    SourceConfig,
    StorageConfig,
)

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_FILE_NAME",
    "DIGEST_FORMATS",
    "SOURCE_KINDS",
    "Config",
    "ConfigError",
    "CrawlConfig",
    "DaemonConfig",
    "DigestConfig",
    "EmailConfig",
    "LeftOutSource",
    "ProfileConfig",
    "SourceConfig",
    "StorageConfig",
    "config_from_text",
    "default_config_text",
    "defaults_beside",
    "find_config_file",
    "format_duration",
    "load_config",
    "load_config_file",
    "parse_config_text",
    "parse_duration",
]
