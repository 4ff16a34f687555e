#!/usr/bin/env bash
# Writes proto/fazhi.binpb, the descriptor set of every proto in proto/ with its imports,
# from Debian's protoc (protobuf-compiler, libprotobuf-dev for the well-known types).
# Committed: the RPC fuzz test finds every method in it (swift-protobuf has no runtime
# descriptors), and DescriptorSetTests fails when it no longer matches proto/.
set -euo pipefail
cd "$(dirname "$0")/../proto"
command -v protoc >/dev/null || { echo "protoc is missing: apt-get install protobuf-compiler libprotobuf-dev" >&2; exit 1; }
out=${1:-fazhi.binpb}
protoc -I . -I /usr/include --include_imports --descriptor_set_out="$out" $(find . -name '*.proto' | sed 's|^\./||' | sort)
