#!/usr/bin/env bash
# Regenerates Onnx.g.cs from onnx.proto with protoc 3.36.2 (the Google.Protobuf.Tools package, fetched from NuGet into
# a temporary folder so no project restores it). The generated classes are internal: NeuralDsl.Onnx's public API is
# ExportOnnx / LoadOnnxWeights, never protobuf types.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
curl -sSfL -o "$work/tools.nupkg" https://api.nuget.org/v3-flatcontainer/google.protobuf.tools/3.36.2/google.protobuf.tools.3.36.2.nupkg
unzip -q "$work/tools.nupkg" -d "$work/tools"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) protoc="$work/tools/tools/linux_x64/protoc" ;;
  Linux-aarch64) protoc="$work/tools/tools/linux_aarch64/protoc" ;;
  Darwin-*) protoc="$work/tools/tools/macosx_x64/protoc" ;;
  *) protoc="$work/tools/tools/windows_x64/protoc.exe" ;;
esac
chmod +x "$protoc"
"$protoc" --proto_path="$here" --csharp_out="$work" --csharp_opt=file_extension=.g.cs,internal_access "$here/onnx.proto"
mv "$work/Onnx.g.cs" "$here/Onnx.g.cs"
echo "wrote $here/Onnx.g.cs"
