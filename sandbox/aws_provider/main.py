"""Entry point of the sandbox hashicorp/aws provider process (started by Terraform)."""

import sys


def main() -> None:
    from .provider import AwsProvider
    from .runner import run_provider

    run_provider(AwsProvider(), sys.argv)


if __name__ == "__main__":
    main()
