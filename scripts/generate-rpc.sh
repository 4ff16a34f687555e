#!/usr/bin/env bash
# Regenerates Sources/FazhiRPC from proto/ with Debian's protoc (protobuf-compiler) and the
# Swift plugins built from this package's own dependencies, so the generated code matches
# the library versions it runs against. The output is committed; never edit it by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc is missing: apt-get install protobuf-compiler" >&2; exit 1; }
swift build --product protoc-gen-swift >/dev/null
swift build --product protoc-gen-grpc-swift-2 >/dev/null
bin=$(swift build --show-bin-path)
out=Sources/FazhiRPC
rm -rf "$out" && mkdir -p "$out"
protos=$(cd proto && find . -name '*.proto' | sed 's|^\./||' | sort)
(cd proto && protoc -I . -I /usr/include \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
  --swift_out="../$out" --swift_opt=Visibility=Public \
  --grpc-swift_out="../$out" --grpc-swift_opt=Visibility=Public,Server=true,Client=true \
  $protos)
# A proto without services yields an empty stub file.
grep -L "ServiceDescriptor" $(find "$out" -name "*.grpc.swift") | xargs -r rm
echo "generated: $(find "$out" -name '*.swift' | wc -l) files in $out"
# The descriptor set the fuzz test reads, from the same protos.
scripts/generate-descriptors.sh
