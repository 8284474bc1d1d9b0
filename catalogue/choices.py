from django.db import models


class DataClassification(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"
    CONFIDENTIAL = "confidential", "Confidential"
    RESTRICTED = "restricted", "Restricted"


class Category(models.TextChoices):
    WEB = "web", "Web applications"
    DATA = "data", "Data and analytics"
    DATABASE = "database", "Databases"
    MESSAGING = "messaging", "Messaging"
    DEVELOPMENT = "development", "Development"
    COMPUTE = "compute", "Compute"
    STORAGE = "storage", "Storage"


class VersionStatus(models.TextChoices):
    CURRENT = "current", "Current"
    DEPRECATED = "deprecated", "Deprecated"
