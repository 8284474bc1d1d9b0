"""Nested blocks in the three nesting modes the real AWS provider uses: list, set and single.

tf 1.2.0 ships only ``SetNestedBlock`` (and ``NestedBlock`` is abstract); the plugin protocol has
all modes. Values: list/set blocks are Python lists of dicts, single blocks a dict or None.

``computed=True`` reproduces SDKv2's Optional+Computed blocks (``root_block_device``,
``metadata_options``): when the block is absent from the configuration the provider keeps the
value it read from AWS (and plans it as unknown on create) instead of planning its removal.
It is framework behaviour, not sent to Terraform (blocks cannot be computed in the protocol).
"""

from collections.abc import Sequence
from typing import Any

from tf.gen import tfplugin_pb2 as pb
from tf.schema import Attribute, Block, NestedBlock, NestMode

_MODE = pb.Schema.NestedBlock.NestingMode


class _NestedBlock(NestedBlock):
    nesting: int = _MODE.INVALID

    def __init__(
        self,
        type_name: str,
        attributes: Sequence[Attribute] = (),
        blocks: Sequence[NestedBlock] = (),
        *,
        min_items: int | None = None,
        max_items: int | None = None,
        computed: bool = False,
        requires_replace: bool = False,
        description: str | None = None,
    ):
        # NestMode is only used by tf's own code paths, which the sandbox servicer does not use.
        super().__init__(
            type_name,
            NestMode.Set,
            Block(attributes=list(attributes), block_types=list(blocks), description=description),
            min_items=min_items,
            max_items=max_items,
        )
        self.computed = computed
        self.requires_replace = requires_replace

    @property
    def attributes(self) -> list[Attribute]:
        return self.block.attributes

    @property
    def blocks(self) -> list[NestedBlock]:
        return self.block.block_types

    def empty(self) -> Any:
        """The value of the block when the configuration has none."""
        return []

    def to_pb(self) -> pb.Schema.NestedBlock:
        return pb.Schema.NestedBlock(
            type_name=self.type_name,
            block=self.block.to_pb(),
            nesting=self.nesting,
            min_items=self.min_items or 0,
            max_items=self.max_items or 0,
        )

    def encode(self, value: Any) -> Any:
        return value

    def decode(self, value: Any) -> Any:
        return value

    def semantically_equal(self, a_decoded, b_decoded) -> bool:
        return a_decoded == b_decoded


class ListNestedBlock(_NestedBlock):
    """``block { ... }`` repeated, ordered; plan JSON shows an array (e.g. ``root_block_device``)."""

    nesting = _MODE.LIST


class SetNestedBlock(_NestedBlock):
    """``block { ... }`` repeated, unordered; plan JSON shows an array (e.g. S3 SSE ``rule``)."""

    nesting = _MODE.SET


class SingleNestedBlock(_NestedBlock):
    """At most one ``block { ... }``; plan JSON shows an object or null."""

    nesting = _MODE.SINGLE

    def empty(self) -> Any:
        return None
