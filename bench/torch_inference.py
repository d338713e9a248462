"""Per-clip inference latency of the PyTorch mirror of the kit's models (bench/torch_reference.py),
measured as lib/eval/cost.ts measures the kit's: for each batch size, random inputs of full padded
length, `warmup` untimed forward passes, then `repeats` timed ones, each reading the predictions
back (.tolist()); the time per clip is summarised by median and quartiles (linear interpolation,
as numpy's default). The forward pass is the whole model, as the kit's `apply` at inference.

Usage: /usr/bin/python3 bench/torch_inference.py --threads 1 --batches 1,32 [--warmup 3] [--repeats 10]
       [--subsets tav,ta,...] [--config JSON] [--dims JSON] [--json]
--config: the kit's ModelConfig fields (d, layers, heads, ffnMult, projectionDim, fusionLayers,
dropout, positional, pooling, fusion, frameActivation, seqLen); --dims: input dims per modality,
e.g. {"text": 768, "audio": 5, "vision": 20}.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_reference as ref  # noqa: E402  (the mirrored architecture, one definition)


def quantile(sorted_values, q):
    pos = (len(sorted_values) - 1) * q
    lo, hi = int(pos // 1), int(-(-pos // 1))
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--batches', default='1,32')
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--repeats', type=int, default=10)
    ap.add_argument('--subsets', default=','.join(ref.SUBSETS))
    ap.add_argument('--config', default='{}')
    ap.add_argument('--dims', default='{}')
    ap.add_argument('--json', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    ref.DIMS.update(json.loads(a.dims))
    c = dict(d=64, layers=0, heads=4, ffnMult=2, dropout=0.1, projectionDim=64, fusionLayers=1, seqLen=50,
             positional='none', pooling='attention', fusion='concat', frameActivation='tanh')
    c.update(json.loads(a.config))
    subsets = [s for s in a.subsets.split(',') if s]
    batches = [int(b) for b in a.batches.split(',') if b]
    latency = {}
    params = {}
    for s in subsets:
        model = ref.Model(s, c).eval()
        training_only = sum(p.numel() for p in [*model.hidden.parameters(), *model.proj.parameters()])
        params[s] = sum(p.numel() for p in model.parameters()) - training_only  # as the kit counts: projection head excluded
        latency[s] = []
        for b in batches:
            inputs = {m: torch.rand(b, c['seqLen'], dim) * 2 - 1 for m, dim in ref.DIMS.items()}
            masks = {m: torch.ones(b, c['seqLen']) for m in ref.DIMS}
            per_clip = []
            with torch.no_grad():
                for _ in range(a.warmup):
                    model(inputs, masks)[0].tolist()
                for _ in range(a.repeats):
                    t0 = time.perf_counter()
                    model(inputs, masks)[0].tolist()
                    per_clip.append((time.perf_counter() - t0) * 1000 / b)
            per_clip.sort()
            q1, q3 = quantile(per_clip, 0.25), quantile(per_clip, 0.75)
            latency[s].append(dict(batchSize=b, medianMs=quantile(per_clip, 0.5), q1Ms=q1, q3Ms=q3, iqrMs=q3 - q1,
                                   warmup=a.warmup, repeats=a.repeats))
    out = dict(torch=torch.__version__, threads=a.threads, config=c, dims=ref.DIMS, params=params, latency=latency)
    print(json.dumps(out) if a.json else json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
