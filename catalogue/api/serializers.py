from rest_framework import serializers

from catalogue.models import Pattern, PatternVersion
from catalogue.scan import ScanResult


class PatternVersionSerializer(serializers.ModelSerializer):
    pattern = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    allowed_tiers = serializers.ListField(child=serializers.CharField(), read_only=True)
    sizes = serializers.DictField(child=serializers.DictField(), read_only=True,
                                  help_text="Size presets in their order: {size: {parameter: value}}.")  # fmt: skip
    security_scan = serializers.SerializerMethodField(
        help_text="Checkov's scan of this version's Terraform, as the pattern page shows it: status (scanned, "
        "not_run, error), summary, checks passed, the checks waived with their reasons, the checks failed."
    )

    class Meta:
        model = PatternVersion
        fields = ["pattern", "version", "status", "data_classification", "tiers", "allowed_tiers",
                  "parameters_schema", "sizes", "resources", "security_scan", "created_at"]  # fmt: skip

    def get_security_scan(self, version) -> dict:
        scan = ScanResult.from_json(version.security_scan)
        return {
            "status": scan.status,
            "summary": scan.summary(),
            "passed": len(scan.passed),
            "waived": [{"check": c.check_id, "name": c.name, "resource": c.resource, "reason": c.reason}
                       for c in scan.skipped],
            "failed": [{"check": c.check_id, "name": c.name, "resource": c.resource} for c in scan.failed],
        }  # fmt: skip


class PatternSerializer(serializers.ModelSerializer):
    current_version = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta:
        model = Pattern
        fields = ["slug", "aliases", "name", "summary", "description", "category", "data_classification", "current_version",
                  "versions", "updated_at"]  # fmt: skip

    def get_current_version(self, pattern) -> PatternVersionSerializer:
        version = pattern.current_version
        return PatternVersionSerializer(version).data if version else None

    def get_versions(self, pattern) -> list[str]:
        return [v.version for v in pattern.versions.all()]
