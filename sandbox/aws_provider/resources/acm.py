"""ACM: aws_acm_certificate and aws_acm_certificate_validation (Certificate Manager API).

Schema follows internal/service/acm/certificate.go and certificate_validation.go (v5). A
certificate is either requested from ACM (``domain_name`` + ``validation_method``) or imported
(``private_key`` + ``certificate_body``). moto signs requested certificates with its own CA and
reports them PENDING_VALIDATION for ``MOTO_ACM_VALIDATION_WAIT`` seconds (default 60; the
sandbox cloud starts moto with 0), then ISSUED. ``aws_acm_certificate_validation`` waits for
ISSUED, as the real resource does. ``domain_validation_options`` is unknown in the plan of a
new certificate (the real provider knows its ``domain_name`` members at plan time; patterns
index it with ``tolist(...)[0]`` rather than ``for_each`` over it, which works with both).
Not implemented: ``options``, ``validation_option``, ``early_renewal_duration``, private CA
(``certificate_authority_arn`` is accepted and passed through).
"""

from typing import Any

from ..base import AwsResource, ResourceContext, ignore_codes, known, not_found_on, wait_for
from ..errors import ProviderError
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..types import List, Object, Set, String

_NOT_FOUND = ("ResourceNotFoundException",)
_DVO = Object(
    {
        "domain_name": String(),
        "resource_record_name": String(),
        "resource_record_type": String(),
        "resource_record_value": String(),
    }
)


class Certificate(AwsResource):
    type_name = "aws_acm_certificate"
    service = "acm"
    schema = resource_schema(
        computed("arn", String()),
        optional("certificate_authority_arn", String(), force_new=True),
        optional("certificate_body", String()),
        optional("certificate_chain", String()),
        optional("private_key", String(), sensitive=True),
        optional("domain_name", String(), computed=True, force_new=True),
        optional("subject_alternative_names", Set(String()), computed=True, force_new=True),
        optional("validation_method", String(), computed=True),
        optional("key_algorithm", String(), computed=True, force_new=True),
        computed("domain_validation_options", Set(_DVO)),
        computed("validation_emails", List(String())),
        computed("status", String()),
        computed("type", String()),
        computed("not_after", String()),
        computed("not_before", String()),
        computed("pending_renewal", String()),
        computed("renewal_eligibility", String()),
        *tags_attributes(),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        imported = config.get("private_key") is not None or config.get("certificate_body") is not None
        requested = config.get("domain_name") is not None
        if imported == requested:
            diags.add_error(
                "aws_acm_certificate: give either domain_name (with validation_method) to request a "
                "certificate, or private_key and certificate_body to import one"
            )
        method = config.get("validation_method")
        if isinstance(method, str) and method not in ("DNS", "EMAIL", "NONE"):
            diags.add_error(
                f'expected validation_method to be one of ["DNS" "EMAIL" "NONE"], got {method}',
                path=["validation_method"],
            )

    def _describe(self, arn: str) -> dict:
        return not_found_on(lambda: self.client.describe_certificate(CertificateArn=arn), *_NOT_FOUND)["Certificate"]

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        tags = [{"Key": k, "Value": v} for k, v in sorted((planned["tags_all"] or {}).items())]
        if known(planned["certificate_body"]):
            args: dict[str, Any] = {
                "Certificate": planned["certificate_body"].encode(),
                "PrivateKey": planned["private_key"].encode(),
            }
            if planned["certificate_chain"]:
                args["CertificateChain"] = planned["certificate_chain"].encode()
            if tags:
                args["Tags"] = tags
            arn = self.client.import_certificate(**args)["CertificateArn"]
        else:
            args = {"DomainName": planned["domain_name"]}
            if known(planned["validation_method"]):
                args["ValidationMethod"] = planned["validation_method"]
            if known(planned["subject_alternative_names"]) and planned["subject_alternative_names"]:
                args["SubjectAlternativeNames"] = sorted(planned["subject_alternative_names"])
            if known(planned["key_algorithm"]):
                args["KeyAlgorithm"] = planned["key_algorithm"]
            if planned["certificate_authority_arn"]:
                args["CertificateAuthorityArn"] = planned["certificate_authority_arn"]
            if tags:
                args["Tags"] = tags
            arn = self.client.request_certificate(**args)["CertificateArn"]
        ctx.partial_state = {**planned, "id": arn, "arn": arn}
        return self.read(ctx, {**planned, "id": arn})

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        arn = current["id"]
        cert = self._describe(arn)
        imported = cert.get("Type") == "IMPORTED"
        options = [
            {
                "domain_name": o["DomainName"],
                "resource_record_name": (o.get("ResourceRecord") or {}).get("Name", ""),
                "resource_record_type": (o.get("ResourceRecord") or {}).get("Type", ""),
                "resource_record_value": (o.get("ResourceRecord") or {}).get("Value", ""),
            }
            for o in cert.get("DomainValidationOptions") or []
            if o.get("ValidationMethod", "DNS") == "DNS" and not imported
        ]
        domain = cert.get("DomainName", "")
        sans = [name for name in cert.get("SubjectAlternativeNames") or [] if name != domain]
        tags = self.client.list_tags_for_certificate(CertificateArn=arn).get("Tags", [])
        state = dict(current)
        state.update(
            id=arn,
            arn=arn,
            domain_name=domain,
            subject_alternative_names=sans,
            # The real provider reports NONE for an imported certificate.
            validation_method="NONE" if imported else (current["validation_method"] or "DNS"),
            key_algorithm=cert.get("KeyAlgorithm", "RSA_2048").replace("-", "_"),
            domain_validation_options=options,
            validation_emails=[],
            status=cert.get("Status", ""),
            type=cert.get("Type", ""),
            not_after=_timestamp(cert.get("NotAfter")),
            not_before=_timestamp(cert.get("NotBefore")),
            pending_renewal="false",
            renewal_eligibility=cert.get("RenewalEligibility", "INELIGIBLE"),
        )
        return self.set_tags_from_aws(state, {t["Key"]: t.get("Value", "") for t in tags})

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        arn = prior["id"]
        if known(planned["certificate_body"]) and (
            planned["certificate_body"] != prior["certificate_body"] or planned["private_key"] != prior["private_key"]
        ):
            args: dict[str, Any] = {
                "CertificateArn": arn,
                "Certificate": planned["certificate_body"].encode(),
                "PrivateKey": planned["private_key"].encode(),
            }
            if planned["certificate_chain"]:
                args["CertificateChain"] = planned["certificate_chain"].encode()
            self.client.import_certificate(**args)
        self.apply_tags_diff(
            prior,
            planned,
            untag=lambda keys: self.client.remove_tags_from_certificate(
                CertificateArn=arn, Tags=[{"Key": k} for k in keys]
            ),
            tag=lambda tags: self.client.add_tags_to_certificate(
                CertificateArn=arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
            ),
        )
        return self.read(ctx, {**planned, "id": arn})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        ignore_codes(lambda: self.client.delete_certificate(CertificateArn=current["id"]), *_NOT_FOUND)


class CertificateValidation(AwsResource):
    """Waits until the certificate is ISSUED; creates nothing in AWS (as the real resource)."""

    type_name = "aws_acm_certificate_validation"
    service = "acm"
    schema = resource_schema(
        required("certificate_arn", String(), force_new=True),
        optional("validation_record_fqdns", Set(String()), force_new=True),
    )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        arn = planned["certificate_arn"]

        def issued() -> bool:
            status = self.client.describe_certificate(CertificateArn=arn)["Certificate"]["Status"]
            if status in ("FAILED", "VALIDATION_TIMED_OUT", "REVOKED", "EXPIRED"):
                raise ProviderError(f"certificate {arn} is {status}; it cannot be validated")
            return status == "ISSUED"

        wait_for(issued, what=f"certificate {arn} to be issued (moto: set MOTO_ACM_VALIDATION_WAIT=0)", timeout=90)
        return {**planned, "id": _timestamp_now()}

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        cert = not_found_on(
            lambda: self.client.describe_certificate(CertificateArn=current["certificate_arn"]), *_NOT_FOUND
        )["Certificate"]
        if cert.get("Status") != "ISSUED":
            from ..errors import NotFound

            raise NotFound("certificate not issued")  # the real resource is then planned again
        return dict(current)

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        return None


def _timestamp(value: Any) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(value, "strftime") else (value or "")


def _timestamp_now() -> str:
    import datetime

    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


RESOURCES = [Certificate, CertificateValidation]
