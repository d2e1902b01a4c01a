"""Strict YAML reading: safe tags only, no duplicate keys, bounded size.

PyYAML's ``SafeLoader`` silently keeps the last of two equal keys in a mapping;
in an agreement text that would hide an edit, so a duplicate key is an error
here, reported with the field path of the mapping and both line numbers. Every
``yaml`` exception is translated to :class:`truce.errors.ValidationError`.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from truce.agreement._document import PathPart, format_path
from truce.errors import ValidationError

__all__ = ["MAX_NODES", "MAX_YAML_BYTES", "load_yaml"]

#: Largest agreement file accepted (inline geography included).
MAX_YAML_BYTES = 32 * 1024 * 1024
#: Largest number of YAML nodes visited, counting alias expansions (guards
#: against "billion laughs" documents).
MAX_NODES = 2_000_000

_MERGE_TAG = "tag:yaml.org,2002:merge"


# The safe loader, backed by libyaml when PyYAML was built with it (5x faster).
# Duplicate keys are rejected by _check_nodes on the composed node graph, before
# anything is constructed, so the error can name the field path.
_SafeLoader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


def load_yaml(text: str | bytes, *, source: str) -> Any:
    """Parse one YAML document strictly and return plain Python data.

    Guarantees: only the safe YAML tags are constructed; a duplicate mapping key,
    a syntax error, more than one document, an empty document or more than
    :data:`MAX_NODES` nodes raise ValidationError (``source`` names the file;
    the field is the path of the offending mapping key, or ``""`` with
    ``line:column`` in the reason for syntax errors).
    """
    if len(text) > MAX_YAML_BYTES:
        raise ValidationError(
            f"file is larger than {MAX_YAML_BYTES // (1024 * 1024)} MiB", source=source
        )
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ValidationError("empty document", source=source)
        _check_nodes(node, source)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise ValidationError(_describe(exc), source=source) from None
    except yaml.YAMLError as exc:
        raise ValidationError(f"YAML error: {exc}", source=source) from None
    except RecursionError:
        raise ValidationError("YAML nested too deeply", source=source) from None
    finally:
        loader.dispose()


def _describe(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    parts = [p for p in (exc.context, exc.problem) if p]
    return f"YAML syntax error at {where}{'; '.join(parts) or 'invalid YAML'}"


def _check_nodes(root: Node, source: str) -> None:
    """Walk the node graph: reject duplicate keys and oversized alias expansion."""
    budget = MAX_NODES
    stack: list[tuple[Node, tuple[PathPart, ...]]] = [(root, ())]
    checked: set[int] = set()
    while stack:
        node, path = stack.pop()
        budget -= 1
        if budget < 0:
            raise ValidationError(
                f"document has more than {MAX_NODES} nodes (alias expansion?)", source=source
            )
        if isinstance(node, MappingNode):
            first_seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    stack.append((value_node, path))
                    continue
                key = key_node.value if isinstance(key_node, ScalarNode) else repr(key_node)
                line = key_node.start_mark.line + 1
                if key in first_seen and id(node) not in checked:
                    raise ValidationError(
                        f"duplicate key {key!r} at line {line} "
                        f"(first at line {first_seen[key]}); each key may appear once",
                        field=format_path((*path, key)),
                        source=source,
                    )
                first_seen.setdefault(key, line)
                stack.append((value_node, (*path, key)))
            checked.add(id(node))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, (*path, index)))
