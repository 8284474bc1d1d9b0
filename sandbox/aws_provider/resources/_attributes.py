"""String-valued AWS attribute maps: SQS queue and SNS topic/subscription attributes, ELBv2 load
balancer and target group attributes. The APIs take and report every value as a string."""

from collections.abc import Iterable

from ..base import known


def to_attribute(kind: object, value: object) -> str:
    """A Terraform value as the API's string (``kind``: bool, int, or anything else as is)."""
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(int(value))  # type: ignore[call-overload]
    return str(value)


def from_attribute(kind: object, value: str) -> object:
    """The API's string as a Terraform value of ``kind`` (bool, int, else the string)."""
    if kind is bool:
        return value.lower() == "true"
    if kind is int:
        return int(value)
    return value


def attributes_to_create(
    table: dict[str, tuple[str, object]], planned: dict, *, send_false: Iterable[str] = ()
) -> dict[str, str]:
    """API name -> value for the attributes of ``table`` (attribute -> (API name, kind)) that the
    plan sets: known and non-empty; like the real provider, false booleans are not sent on
    create, except the attributes named in ``send_false``."""
    out: dict[str, str] = {}
    for attr, (api, kind) in table.items():
        value = planned[attr]
        if not known(value) or value == "":
            continue
        if kind is bool and value is False and attr not in send_false:
            continue
        out[api] = to_attribute(kind, value)
    return out
