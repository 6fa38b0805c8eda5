"""doudi_desk — case workflow for township civil-affairs offices (兜底保障)."""

__version__ = "0.1.0"
