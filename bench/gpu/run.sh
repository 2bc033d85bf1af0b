#!/usr/bin/env bash
# On the GPU machine (prepared by bench/gpu/prepare.sh, .gpu and .gl carried): unpacks Node and the
# Vulkan loader, runs simlab's step on WebGPU (Dawn, Vulkan) and PyTorch's eager step on CUDA for
# the same models, and writes every BENCH row to $OUT/gpu-bench.txt (and stdout).
#   bash bench/gpu/run.sh [models] [reps]     defaults: resnet18-w64-simclr-b256, 5
set -uo pipefail
cd "$(dirname "$0")/../.."
MODELS="${1:-resnet18-w64-simclr-b256}"
REPS="${2:-5}"
OUT="${OUT:-/tmp/gpu-out}"
mkdir -p "$OUT"
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
xz -dc .gpu/node.xz >/tmp/node && chmod +x /tmp/node
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/gpu.txt"
{
  echo "# simlab webgpu (Node $(/tmp/node --version), Dawn)"
  SIMLAB_DAWN="$PWD/.gpu/dawn.node" timeout 420 /tmp/node .gpu/step.mjs --models "$MODELS" --reps "$REPS" 2>&1
  echo "# PyTorch eager"
  PYTHONUNBUFFERED=1 timeout 120 python3 .gpu/torch_step.py --device cuda --models "$MODELS" --steps 10 2>&1
} | tee "$OUT/gpu-bench.txt"
