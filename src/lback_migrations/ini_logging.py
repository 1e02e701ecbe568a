"""The logging an ``lback`` environment sets up: the ini file's ``[loggers]`` sections, unless
the process already has its own logging or a caller asks for none."""

from __future__ import annotations

import logging
import logging.config
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

CONFIGURE_LOGGING_ATTRIBUTE = "lback.configure_logging"
"""``config.attributes`` key: set it false to keep ``env.py`` away from logging entirely."""


def configure_logging(config: Config) -> None:
    """Apply the ini file's logging sections without disturbing an application's logging.

    Nothing happens when the root logger already has handlers (Alembic runs inside an
    application that configured logging), when ``config.attributes["lback.configure_logging"]``
    is false, or when the ini file has no ``[loggers]`` section. Existing loggers are never
    disabled.
    """
    if not config.attributes.get(CONFIGURE_LOGGING_ATTRIBUTE, True):
        return
    if config.config_file_name is None or logging.getLogger().handlers:
        return
    if not config.file_config.has_section("loggers"):
        return
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)
