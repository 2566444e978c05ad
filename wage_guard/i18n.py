"""Translation helpers: the one import of Flask-Babel's functions for services, views and templates."""

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

__all__ = ["_", "_l", "force_locale", "ngettext"]
