"""aws_sagemaker_notebook_instance (SageMaker API).

Schema follows internal/service/sagemaker/notebook_instance.go (v5): ``id`` is the name;
``direct_internet_access`` and ``root_access`` default to "Enabled"; ``volume_size`` to 5 GiB
and a smaller size forces a replacement (EBS volumes cannot shrink); ``name``, ``kms_key_id``,
``subnet_id``, ``security_groups``, ``direct_internet_access`` and ``platform_identifier`` force a
replacement; the rest changes in place (the real provider stops the notebook, updates it and
starts it again).

moto 5.2.5 workarounds: it has no UpdateNotebookInstance, so an in-place change stops the
notebook, deletes it and creates it again under the same name (same ARN); it does not report
``PlatformIdentifier``, ``InstanceMetadataServiceConfiguration``, ``AcceleratorTypes``, code
repositories or a network interface, so those are kept as planned (the interface as "").
"""

from ..base import (
    AwsResource,
    ResourceContext,
    dict_to_tag_list,
    ignore_codes,
    known,
    not_found_on,
    wait_for,
    wait_gone,
)
from ..blocks import ListNestedBlock
from ..errors import client_error_code
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..types import Number, Set, String, Unknown

_NOT_FOUND = ("ValidationException",)  # SageMaker answers "RecordNotFound" with this code
_DEFAULT_PLATFORM = "notebook-al2023-v1"  # what AWS gives a new notebook since May 2026
_DEFAULT_IMDS_VERSION = "1"  # AWS's default: both versions allowed


def _set(value) -> list[str]:
    return sorted(value) if known(value) and value else []


class NotebookInstance(AwsResource):
    type_name = "aws_sagemaker_notebook_instance"
    service = "sagemaker"
    schema = resource_schema(
        optional("accelerator_types", Set(String())),
        optional("additional_code_repositories", Set(String())),
        computed("arn", String()),
        optional("default_code_repository", String()),
        optional("direct_internet_access", String(), default="Enabled", force_new=True),
        required("instance_type", String()),
        optional("kms_key_id", String(), force_new=True),
        optional("lifecycle_config_name", String()),
        required("name", String(), force_new=True),
        computed("network_interface_id", String()),
        optional("platform_identifier", String(), computed=True, force_new=True),
        required("role_arn", String()),
        optional("root_access", String(), default="Enabled"),
        optional("security_groups", Set(String()), computed=True, force_new=True),
        optional("subnet_id", String(), force_new=True),
        *tags_attributes(),
        computed("url", String()),
        optional("volume_size", Number(), default=5),
        ListNestedBlock(
            "instance_metadata_service_configuration",
            [optional("minimum_instance_metadata_service_version", String(), computed=True)],
            max_items=1,
            computed=True,  # SDKv2's SuppressMissingOptionalConfigurationBlock: absent means "as AWS has it"
        ),
    )

    def _find(self, name: str) -> dict:
        return not_found_on(lambda: self.client.describe_notebook_instance(NotebookInstanceName=name), *_NOT_FOUND)

    def _status(self, name: str) -> str:
        return self._find(name).get("NotebookInstanceStatus", "")

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        old, new = (prior or {}).get("volume_size"), planned.get("volume_size")
        if prior and prior.get("id") and known(old) and known(new) and new < old:
            ctx.requires_replace.append(["volume_size"])  # the real provider's ForceNewIfChange
        return planned

    def _create(self, planned: dict) -> None:
        args: dict = {
            "NotebookInstanceName": planned["name"],
            "InstanceType": planned["instance_type"],
            "RoleArn": planned["role_arn"],
            "DirectInternetAccess": planned["direct_internet_access"],
            "RootAccess": planned["root_access"],
            "VolumeSizeInGB": int(planned["volume_size"]),
            "Tags": dict_to_tag_list(planned["tags_all"] if known(planned["tags_all"]) else {}),
        }
        if _set(planned["security_groups"]):
            args["SecurityGroupIds"] = _set(planned["security_groups"])
        for attr, arg in (
            ("subnet_id", "SubnetId"),
            ("kms_key_id", "KmsKeyId"),
            ("lifecycle_config_name", "LifecycleConfigName"),
            ("default_code_repository", "DefaultCodeRepository"),
            ("platform_identifier", "PlatformIdentifier"),
        ):
            if known(planned[attr]) and planned[attr]:
                args[arg] = planned[attr]
        for attr, arg in (
            ("accelerator_types", "AcceleratorTypes"),
            ("additional_code_repositories", "AdditionalCodeRepositories"),
        ):
            if _set(planned[attr]):
                args[arg] = _set(planned[attr])
        version = self._imds_version(planned)
        if version:
            args["InstanceMetadataServiceConfiguration"] = {"MinimumInstanceMetadataServiceVersion": version}
        self.client.create_notebook_instance(**args)

    @staticmethod
    def _imds_version(planned: dict) -> str | None:
        block = planned["instance_metadata_service_configuration"]
        if not known(block) or not block:
            return None
        version = block[0].get("minimum_instance_metadata_service_version")
        return version if known(version) and version else None

    def _wait_status(self, name: str, status: str) -> None:
        wait_for(lambda: self._status(name) == status, what=f"SageMaker notebook {name} to be {status}")

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = planned["name"]
        self._create(planned)
        ctx.partial_state = {**planned, "id": name}
        self._wait_status(name, "InService")
        return self.read(ctx, {**planned, "id": name})

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        name = current["id"]
        notebook = self._find(name)
        arn = notebook["NotebookInstanceArn"]
        imds = notebook.get("InstanceMetadataServiceConfiguration") or {}
        version = (
            imds.get("MinimumInstanceMetadataServiceVersion") or self._imds_version(current) or _DEFAULT_IMDS_VERSION
        )
        platform = notebook.get("PlatformIdentifier") or current.get("platform_identifier")
        state = dict(current)
        state.update(
            id=name,
            name=notebook.get("NotebookInstanceName", name),
            arn=arn,
            accelerator_types=notebook.get("AcceleratorTypes") or _set(current["accelerator_types"]) or None,
            additional_code_repositories=notebook.get("AdditionalCodeRepositories")
            or _set(current["additional_code_repositories"])
            or None,
            default_code_repository=notebook.get("DefaultCodeRepository") or current["default_code_repository"],
            direct_internet_access=notebook.get("DirectInternetAccess", "Enabled"),
            instance_type=notebook.get("InstanceType", ""),
            kms_key_id=notebook.get("KmsKeyId") or None,
            lifecycle_config_name=notebook.get("NotebookInstanceLifecycleConfigName") or None,
            network_interface_id=notebook.get("NetworkInterfaceId", ""),
            platform_identifier=platform if known(platform) and platform else _DEFAULT_PLATFORM,
            role_arn=notebook.get("RoleArn", ""),
            root_access=notebook.get("RootAccess", "Enabled"),
            security_groups=sorted(notebook.get("SecurityGroups") or []),
            subnet_id=notebook.get("SubnetId") or None,
            url=notebook.get("Url", ""),
            volume_size=notebook.get("VolumeSizeInGB", 5),
            instance_metadata_service_configuration=[{"minimum_instance_metadata_service_version": version}],
        )
        tags = self.client.list_tags(ResourceArn=arn).get("Tags") or []
        return self.set_tags_from_aws(state, {t["Key"]: t.get("Value", "") for t in tags})

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        from botocore.exceptions import ClientError

        name = prior["id"]
        settings = (
            "accelerator_types", "additional_code_repositories", "default_code_repository", "instance_type",
            "lifecycle_config_name", "role_arn", "root_access", "volume_size", "instance_metadata_service_configuration",
        )  # fmt: skip
        if any(planned[a] is not Unknown and planned[a] != prior[a] for a in settings):
            was_running = self._status(name) == "InService"
            self._stop(name)
            try:
                self.client.update_notebook_instance(**self._update_args(name, prior, planned))
            except ClientError as exc:
                if client_error_code(exc) not in ("500", "InternalFailure", "NotImplemented"):
                    raise
                # moto has no UpdateNotebookInstance: the same notebook again, under its name.
                self.client.delete_notebook_instance(NotebookInstanceName=name)
                wait_gone(lambda: self._find(name), what=f"SageMaker notebook {name} to be replaced")
                self._create({**planned, "name": name})
                was_running = False  # created in service
            if was_running:
                self.client.start_notebook_instance(NotebookInstanceName=name)
            self._wait_status(name, "InService")
        arn = self._find(name)["NotebookInstanceArn"]
        self.apply_tags_diff(
            prior,
            planned,
            untag=lambda keys: self.client.delete_tags(ResourceArn=arn, TagKeys=keys),
            tag=lambda tags: self.client.add_tags(ResourceArn=arn, Tags=dict_to_tag_list(tags)),
        )
        return self.read(ctx, {**planned, "id": name})

    def _update_args(self, name: str, prior: dict, planned: dict) -> dict:
        args: dict = {"NotebookInstanceName": name}
        for attr, arg in (("instance_type", "InstanceType"), ("role_arn", "RoleArn"), ("root_access", "RootAccess")):
            if planned[attr] != prior[attr]:
                args[arg] = planned[attr]
        if planned["volume_size"] != prior["volume_size"]:
            args["VolumeSizeInGB"] = int(planned["volume_size"])
        for attr, arg, clear in (
            ("lifecycle_config_name", "LifecycleConfigName", "DisassociateLifecycleConfig"),
            ("default_code_repository", "DefaultCodeRepository", "DisassociateDefaultCodeRepository"),
        ):
            if planned[attr] != prior[attr]:
                args.update({arg: planned[attr]} if planned[attr] else {clear: True})
        for attr, arg, clear in (
            ("accelerator_types", "AcceleratorTypes", "DisassociateAcceleratorTypes"),
            ("additional_code_repositories", "AdditionalCodeRepositories", "DisassociateAdditionalCodeRepositories"),
        ):
            if _set(planned[attr]) != _set(prior[attr]):
                args.update({arg: _set(planned[attr])} if _set(planned[attr]) else {clear: True})
        version = self._imds_version(planned)
        if version and version != self._imds_version(prior):
            args["InstanceMetadataServiceConfiguration"] = {"MinimumInstanceMetadataServiceVersion": version}
        return args

    def _stop(self, name: str) -> None:
        if self._status(name) in ("InService", "Pending"):
            self._wait_status(name, "InService")
            self.client.stop_notebook_instance(NotebookInstanceName=name)
        self._wait_status(name, "Stopped")

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        from ..errors import NotFound

        name = current["id"]
        try:
            self._stop(name)
        except NotFound:
            return
        ignore_codes(lambda: self.client.delete_notebook_instance(NotebookInstanceName=name), *_NOT_FOUND)
        wait_gone(lambda: self._find(name), what=f"SageMaker notebook {name} to be deleted")


RESOURCES = [NotebookInstance]
