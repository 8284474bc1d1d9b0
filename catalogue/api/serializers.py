from rest_framework import serializers

from catalogue.models import Pattern, PatternVersion


class PatternVersionSerializer(serializers.ModelSerializer):
    pattern = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    allowed_tiers = serializers.ListField(child=serializers.CharField(), read_only=True)
    sizes = serializers.DictField(child=serializers.DictField(), read_only=True,
                                  help_text="Size presets in their order: {size: {parameter: value}}.")  # fmt: skip

    class Meta:
        model = PatternVersion
        fields = ["pattern", "version", "status", "data_classification", "tiers", "allowed_tiers",
                  "parameters_schema", "sizes", "resources", "created_at"]  # fmt: skip


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
