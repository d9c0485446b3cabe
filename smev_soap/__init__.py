"""smev_soap: the regional SMEV (РСМЭВ) gateway."""

__version__ = "0.1.0"
