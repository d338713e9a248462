"""PyTorch reference of the MM-CKD training step and inference, for bench/mmckd-bench.ts.

The SAME architecture as lib/models (read there, mirrored here module by module), with the kit's
default options (d 64, per-frame tanh, no positions, no layers, attention pooling, concat fusion);
--config selects the transformer variant (layers, positional 'learned', pooling 'mean', fusion
'transformer') as the kit's ModelConfig does:
  encoder_m : Linear(D_m -> d) [+ tanh] [+ learned positions [T, d]], dropout, L pre-LN transformer layers
              (x + Drop(MHSA(LN x)), x + Drop(FFN(LN x)), FFN d -> ffnMult*d -> d with ReLU),
              key-padding bias -1e9, final LayerNorm (L >= 1 only), then masked mean pooling (divide by
              max(n, 1)) or attention pooling (score Linear(d -> 1), softmax over valid frames, times the mask).
  attention : one d -> 3d projection, viewed [B, T, 3H, dh], transposed to [B, 3H, T, dh] and split
              into q, k, v; softmax(q k^T / sqrt(dh) + bias) v; heads merged; Linear(d -> d).
  fusion    : 'concat': ReLU(Linear(M*d -> d)([h_m...])); 'transformer': tokens [cls, h_m...] + learned
              type embedding [1 + M, d], fusionLayers layers without a mask, LayerNorm of the cls output.
  heads     : regression Linear(d -> 1); projection l2normalize(Linear(d -> p)(relu(Linear(d -> d)))).
  loss      : sum over the 7 models of L1 + lambda * MVSC(views, 7 classes, tau) (lib/losses/mvsc-loss.ts).
  step      : backward, one read of the loss terms, global-norm clipping (reads the norm), Adam
              (lr 1e-3, betas 0.9/0.999, eps 1e-7 as tfjs).

Usage: /usr/bin/python3 bench/torch_reference.py --threads 1 [--steps 20] [--device cpu|cuda] [--json]
(--device cuda: the same step on the GPU, synchronised before the clock stops; bench/gpu-check.sh uses it.)
"""
import argparse
import json
import math
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SUBSETS = ['tav', 'ta', 'tv', 'av', 't', 'a', 'v']
MODS = {'t': 'text', 'a': 'audio', 'v': 'vision'}
DIMS = {'text': 768, 'audio': 5, 'vision': 20}


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.qkv, self.out, self.h, self.dh = nn.Linear(d, 3 * d), nn.Linear(d, d), heads, d // heads

    def forward(self, x, bias):
        b, t, d = x.shape
        proj = self.qkv(x).view(b, t, 3 * self.h, self.dh).transpose(1, 2)  # [B, 3H, T, dh]
        q, k, v = proj.split(self.h, dim=1)  # 3 x [B, H, T, dh]
        scores = q @ k.transpose(-1, -2) * (1 / math.sqrt(self.dh))  # [B, H, T, T]
        if bias is not None:
            scores = scores + bias
        ctx = scores.softmax(-1) @ v  # [B, H, T, dh]
        return self.out(ctx.transpose(1, 2).reshape(b, t, d))


class Layer(nn.Module):
    def __init__(self, d, heads, ffn_mult, p):
        super().__init__()
        self.ln1, self.att, self.ln2 = nn.LayerNorm(d), Attention(d, heads), nn.LayerNorm(d)
        self.ffn1, self.ffn2, self.drop = nn.Linear(d, ffn_mult * d), nn.Linear(ffn_mult * d, d), nn.Dropout(p)

    def forward(self, x, bias):
        h = x + self.drop(self.att(self.ln1(x), bias))
        return h + self.drop(self.ffn2(F.relu(self.ffn1(self.ln2(h)))))


class Encoder(nn.Module):
    def __init__(self, dim, c):
        super().__init__()
        self.c = c
        self.input = nn.Linear(dim, c['d'])
        self.positions = nn.Parameter(torch.randn(c['seqLen'], c['d']) * 0.02) if c['positional'] == 'learned' else None
        self.layers = nn.ModuleList(Layer(c['d'], c['heads'], c['ffnMult'], c['dropout']) for _ in range(c['layers']))
        self.norm = nn.LayerNorm(c['d']) if c['layers'] > 0 else None
        self.score = nn.Linear(c['d'], 1) if c['pooling'] == 'attention' else None
        self.drop = nn.Dropout(c['dropout'])

    def forward(self, x, mask):
        h = self.input(x)  # [B, T, d]
        if self.c['frameActivation'] == 'tanh':
            h = torch.tanh(h)
        if self.positions is not None:
            h = h + self.positions
        h = self.drop(h)
        bias = ((1 - mask) * -1e9)[:, None, None, :]  # [B, 1, 1, T]
        for layer in self.layers:
            h = layer(h, bias)
        if self.norm is not None:
            h = self.norm(h)
        if self.score is not None:
            weights = torch.softmax(self.score(h)[..., 0] + (1 - mask) * -1e9, dim=1) * mask  # [B, T]
            return (h * weights[:, :, None]).sum(1)  # [B, d]
        return (h * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)  # [B, d]


class Model(nn.Module):
    def __init__(self, subset, c):
        super().__init__()
        self.mods = [MODS[ch] for ch in subset]
        d = c['d']
        self.encoders = nn.ModuleDict({m: Encoder(DIMS[m], c) for m in self.mods})
        self.concat = c['fusion'] == 'concat'
        if self.concat:
            self.mix = nn.Linear(len(self.mods) * d, d)
        else:
            self.cls = nn.Parameter(torch.randn(1, 1, d) * 0.02)
            self.type_embedding = nn.Parameter(torch.randn(1 + len(self.mods), d) * 0.02)
            self.fusion = nn.ModuleList(Layer(d, c['heads'], c['ffnMult'], c['dropout']) for _ in range(c['fusionLayers']))
            self.fnorm = nn.LayerNorm(d)
        self.reg, self.hidden, self.proj = nn.Linear(d, 1), nn.Linear(d, d), nn.Linear(d, c['projectionDim'])

    def forward(self, inputs, masks):
        pooled = [self.encoders[m](inputs[m], masks[m]) for m in self.mods]
        if self.concat:
            f = F.relu(self.mix(torch.cat(pooled, 1)))  # [B, d]
        else:
            b = pooled[0].shape[0]
            x = torch.cat([self.cls.expand(b, 1, -1)] + [p[:, None] for p in pooled], 1) + self.type_embedding  # [B, 1+M, d]
            for layer in self.fusion:
                x = layer(x, None)
            f = self.fnorm(x[:, 0])
        z = self.proj(F.relu(self.hidden(f)))
        return self.reg(f).view(-1), z * torch.rsqrt((z * z).sum(1, keepdim=True) + 1e-12)


def mvsc_loss(views, classes, tau):
    m, n = len(views), views[0].shape[0]
    z = torch.cat([v / torch.sqrt((v * v).sum(1, keepdim=True) + 1e-12) for v in views], 0)  # [M*N, p]
    logits = z @ z.t() / tau
    c = classes.repeat(m)
    not_self = 1 - torch.eye(m * n, device=z.device)
    positive = (c[:, None] == c[None, :]).float() * not_self
    row_max = (logits + (not_self - 1) * 1e9).max(1, keepdim=True).values.detach()
    shifted = logits - row_max
    denom = (shifted.exp() * not_self).sum(1, keepdim=True)
    log_prob = shifted - denom.clamp(min=1e-30).log()
    count = positive.sum(1)
    mean_log_prob = (positive * log_prob).sum(1) / count.clamp(min=1)
    has = (count > 0).float()
    return -(has * mean_log_prob).sum() / has.sum().clamp(min=1)


def random_batch(batch, seq_len, gen):
    lengths = torch.randint(10, seq_len + 1, (batch,), generator=gen)
    mask = (torch.arange(seq_len)[None, :] < lengths[:, None]).float()
    inputs = {m: (torch.rand(batch, seq_len, dim, generator=gen) * 2 - 1) * mask[:, :, None] for m, dim in DIMS.items()}
    labels = torch.rand(batch, generator=gen) * 6 - 3
    return inputs, {m: mask for m in DIMS}, labels


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--config', default='{}', help='JSON overrides of d, layers, heads, ffnMult, projectionDim, fusionLayers, dropout, positional, pooling, fusion, frameActivation')
    ap.add_argument('--device', default='cpu', help="'cpu' or 'cuda' (the first GPU)")
    ap.add_argument('--json', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    device = torch.device(a.device)
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('--device cuda: torch.cuda.is_available() is False (torch %s)' % torch.__version__)

    def sync():
        if device.type == 'cuda':
            torch.cuda.synchronize()

    c = dict(d=64, layers=0, heads=4, ffnMult=2, dropout=0.1, projectionDim=64, fusionLayers=1, seqLen=50,
             positional='none', pooling='attention', fusion='concat', frameActivation='tanh')
    c.update(json.loads(a.config))
    models = {s: Model(s, c).to(device) for s in SUBSETS}
    params = [p for m in models.values() for p in m.parameters()]
    counts = {s: sum(p.numel() for p in m.parameters()) for s, m in models.items()}
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    inputs, masks, labels = random_batch(a.batch, c['seqLen'], torch.Generator().manual_seed(1234))
    inputs = {m: x.to(device) for m, x in inputs.items()}
    masks = {m: x.to(device) for m, x in masks.items()}
    labels = labels.to(device)
    classes = (labels.clamp(-3, 3).round() + 3).long()  # torch.round is half-to-even, like numpy

    def step():
        terms = []
        views = []
        for m in models.values():
            pred, z = m(inputs, masks)
            terms.append((pred - labels).abs().mean())
            views.append(z)
        total = torch.stack(terms).sum()
        mv = mvsc_loss(views, classes, 0.2)
        total = total + 0.1 * mv
        opt.zero_grad(set_to_none=True)
        total.backward()
        values = torch.stack([total.detach(), *[t.detach() for t in terms], mv.detach()]).tolist()  # one read
        norm = float(torch.nn.utils.clip_grad_norm_(params, 1.0))
        opt.step()
        return values[0], norm

    for m in models.values():
        m.train()
    for _ in range(a.warmup):
        step()
    sync()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    sync()
    step_ms = (time.perf_counter() - t0) * 1000 / a.steps

    infer = {}
    for s, m in models.items():
        m.eval()
        with torch.no_grad():
            for _ in range(3):
                m(inputs, masks)[0].tolist()
            reps = 20
            t0 = time.perf_counter()
            for _ in range(reps):
                m(inputs, masks)[0].tolist()
            sync()
            infer[s] = (time.perf_counter() - t0) * 1000 / reps
    out = dict(
        torch=torch.__version__, threads=a.threads, batch=a.batch, device=device.type,
        device_name=torch.cuda.get_device_name(device) if device.type == 'cuda' else None, config=c, params=counts, params_total=sum(counts.values()),
        step_ms=step_ms, step_samples_per_s=a.batch * 1000 / step_ms,
        infer_ms=infer, infer_clips_per_s={s: a.batch * 1000 / ms for s, ms in infer.items()},
        peak_rss_mib=peak_rss_mib(), blas=torch.__config__.show().count('OpenBLAS') > 0 and 'OpenBLAS' or 'see torch config',
    )
    if a.json:
        print(json.dumps(out))
    else:
        print(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
