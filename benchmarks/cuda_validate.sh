#!/usr/bin/env bash
# The CUDA validation as one prepared, unattended run on a GPU machine, from the repository root:
#     bash benchmarks/cuda_validate.sh [OUT]
# Needs python3 with torch (CUDA), pandas, matplotlib, tabulate (tqdm optional); cnncost runs
# from the checkout (no install, no fvcore). Results: reports/cuda/<gpu>/ and, packed with the
# log, OUT/cuda-reports.tgz (one file: device runners may return only a few files).
set -euo pipefail
out=${1:-${OUT:-/tmp/cnncost-cuda}}
mkdir -p "$out"
export PYTHONPATH=${PYTHONPATH:-.} PYTHONUNBUFFERED=1 MPLBACKEND=Agg
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/gpu.txt" || true
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name())" | tee -a "$out/gpu.txt"
status=0
timeout 560 python3 -m cnncost validate --device cuda --out reports/cuda 2>&1 | tee "$out/validate.log" || status=$?
tar czf "$out/cuda-reports.tgz" reports/cuda "$out/validate.log" "$out/gpu.txt" 2>/dev/null || true
exit "$status"
