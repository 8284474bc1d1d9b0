"""SANDBOX implementation of ``registry.terraform.io/hashicorp/aws`` backed by boto3 against moto.

Not HashiCorp's provider: it implements only the subset of resources our patterns use.
"""

PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"
# A plain (non-prerelease) version so that `version = ">= 5.0"` style constraints match.
PROVIDER_VERSION = "5.80.0"
