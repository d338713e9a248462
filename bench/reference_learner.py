"""Reference learner: a small PyTorch model that the kit's models must match on the same data.

It reads a dataset export written by the kit (lib/data/export-arrays.ts: manifest.json plus raw
little-endian arrays of the STANDARDISED dataset the kit trains on), checks every file against the
manifest, and trains one model per modality subset (P1: tav ta tv av t a v) and seed:

  encoder_m : per-frame Linear(D_m -> hidden) + tanh                          [B, T, D] -> [B, T, h]
              attention pooling over the valid frames: score Linear(h -> 1),
              softmax over time with padding masked out                        [B, T, h] -> [B, h]
  head      : concat of the subset's pooled vectors, Linear(M*h -> head) -> ReLU -> Dropout
              -> Linear(head -> 1)                                             [B, M*h] -> [B]
  training  : AdamW (lr 1e-3, weight decay 1e-2), L1 loss, batch 32, 40 epochs; the epoch with
              the best validation MAE is kept and scored on test.

Test metrics are MMSA's (src/MMSA/utils/metricsTop.py, MetricsTop.__eval_mosei_regression), written
here without sklearn to mirror lib/eval/metrics.ts line by line; the kit's test compares both with
test/eval/metrics-golden.json. A (subset, seed) run that fails (non-finite loss, exception) is
reported as failed: the mean and std per subset are over the successful runs, with n and the
failures listed beside them.

Usage:
  /usr/bin/python3 bench/reference_learner.py build/reference/synthetic-mosi \
      [--seeds 1,2,3] [--subsets tav,ta,tv,av,t,a,v] [--epochs 40] [--threads 1] [--out result.json]

Exit status: 0 when the result JSON was written (failed runs are inside it), 2 for an export that
does not match its manifest or a bad argument, 3 when torch or numpy cannot be imported.
`npm run reference` (scripts/reference.ts) exports the data, runs this and writes the table.
"""
import argparse
import copy
import hashlib
import json
import math
import os
import platform
import sys
import tempfile
import time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except (ImportError, OSError) as import_error:  # OSError: a shared library of torch is missing
    sys.stderr.write(
        f"reference_learner: cannot import torch and numpy with {sys.executable}: {import_error}\n"
        "  On Debian/Ubuntu: sudo apt-get install python3-torch python3-numpy\n"
        "  Elsewhere: pip install torch numpy (or set MMCKD_PYTHON to a Python that has them).\n"
    )
    sys.exit(3)

EXPORT_FORMAT = 'mmckd-dataset-arrays'
EXPORT_VERSION = 1
SPLITS = ['train', 'valid', 'test']
MODALITIES = ['text', 'audio', 'vision']
SUBSETS = ['tav', 'ta', 'tv', 'av', 't', 'a', 'v']
LETTER = {'t': 'text', 'a': 'audio', 'v': 'vision'}
ITEM_SIZE = {'<f4': 4, '<i4': 4}
METRIC_KEYS = ['Has0_acc_2', 'Has0_F1_score', 'Non0_acc_2', 'Non0_F1_score', 'Mult_acc_5', 'Mult_acc_7', 'MAE', 'Corr']
DEFAULTS = dict(epochs=40, batch_size=32, lr=1e-3, weight_decay=1e-2, hidden=64, head_hidden=64, dropout=0.1)


class ExportError(Exception):
    """An export folder that does not match its manifest; the message starts with the file at fault."""

    def __init__(self, path, problem):
        super().__init__(f"{path}: {problem}")
        self.path = path


# ---------------------------------------------------------------------------------------------
# Loading the export


def _sha256(path):
    """Returns the hex SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def _verified_path(folder, entry, where):
    """Returns the absolute path of a manifest entry after checking location, size and checksum.

    Raises ExportError naming the file when it is missing, outside the folder, of another size than
    its shape and dtype say, of another size than the manifest says, or of another SHA-256.
    """
    rel = entry.get('path') if isinstance(entry, dict) else None
    manifest_path = os.path.join(folder, 'manifest.json')
    if not isinstance(rel, str) or os.path.isabs(rel) or os.path.normpath(rel).split(os.sep)[0] == '..':
        raise ExportError(manifest_path, f"{where}: file path {rel!r} is not inside the export folder")
    path = os.path.join(folder, os.path.normpath(rel))
    if not os.path.isfile(path):
        raise ExportError(path, f"missing file ({where}, listed in manifest.json)")
    dtype, shape, size = entry.get('dtype'), entry.get('shape'), entry.get('bytes')
    if dtype in ITEM_SIZE:
        expected = int(np.prod(shape, dtype=np.int64)) * ITEM_SIZE[dtype]
        if expected != size:
            raise ExportError(path, f"manifest says shape {shape} of {dtype} ({expected} bytes) but {size} bytes")
    elif dtype != 'json':
        raise ExportError(path, f"unknown dtype {dtype!r} (expected '<f4', '<i4' or 'json')")
    actual = os.path.getsize(path)
    if actual != size:
        raise ExportError(path, f"expected {size} bytes (manifest.json), but the file has {actual}")
    digest = _sha256(path)
    if digest != entry.get('sha256'):
        raise ExportError(path, f"SHA-256 {digest} does not match manifest.json ({entry.get('sha256')})")
    return path


def _read_array(folder, entry, where, expected_shape):
    """Returns the array of a manifest entry, checking its shape against the dataset's counts and dims."""
    if list(entry.get('shape', [])) != list(expected_shape):
        raise ExportError(os.path.join(folder, str(entry.get('path'))),
                          f"expected shape {list(expected_shape)} ({where}), but the manifest says {entry.get('shape')}")
    path = _verified_path(folder, entry, where)
    return np.fromfile(path, dtype=np.dtype(entry['dtype'])).reshape(expected_shape)


def load_export(folder):
    """Returns (manifest, data) of an export folder written by lib/data/export-arrays.ts.

    data[split] = {'ids': [N] str, 'labels': float32 [N], 'features': {modality: float32 [N, T, D]},
    'lengths': {modality: int32 [N]}}. Every file is checked against manifest.json (present, byte
    size = shape x item size, SHA-256) and every shape against the counts, dims and seqLens;
    raises ExportError naming the file at fault.
    """
    manifest_path = os.path.join(folder, 'manifest.json')
    if not os.path.isfile(manifest_path):
        raise ExportError(manifest_path, "missing: not a dataset export folder (write one with exportDatasetArrays)")
    try:
        with open(manifest_path, encoding='utf-8') as f:
            manifest = json.load(f)
    except (OSError, ValueError) as err:
        raise ExportError(manifest_path, f"not valid JSON ({err})") from err
    if manifest.get('format') != EXPORT_FORMAT or manifest.get('formatVersion') != EXPORT_VERSION:
        raise ExportError(manifest_path, f"expected format {EXPORT_FORMAT} version {EXPORT_VERSION}, "
                                         f"but got {manifest.get('format')} version {manifest.get('formatVersion')}")
    meta = manifest.get('dataset') or {}
    dims, seq_lens = meta.get('dims') or {}, meta.get('seqLens') or {}
    data = {}
    for split in SPLITS:
        entry = (manifest.get('splits') or {}).get(split)
        if entry is None:
            raise ExportError(manifest_path, f"split '{split}' missing from manifest.json")
        n = entry['count']
        ids_path = _verified_path(folder, entry['ids'], f"{split} ids")
        with open(ids_path, encoding='utf-8') as f:
            ids = json.load(f)
        if not isinstance(ids, list) or len(ids) != n:
            raise ExportError(ids_path, f"expected {n} ids, but got {len(ids) if isinstance(ids, list) else type(ids).__name__}")
        split_data = {'ids': ids, 'labels': _read_array(folder, entry['labels'], f"{split} labels", [n]),
                      'features': {}, 'lengths': {}}
        for m in MODALITIES:
            files = (entry.get('modalities') or {}).get(m)
            if files is None or m not in dims or m not in seq_lens:
                raise ExportError(manifest_path, f"modality '{m}' of split '{split}' missing from manifest.json")
            t = seq_lens[m]
            split_data['features'][m] = _read_array(folder, files['features'], f"{split} {m}: count, seqLens, dims", [n, t, dims[m]])
            lengths = _read_array(folder, files['lengths'], f"{split} {m} lengths", [n])
            if n > 0 and (lengths.min() < 0 or lengths.max() > t):
                raise ExportError(os.path.join(folder, files['lengths']['path']), f"lengths outside [0, {t}]")
            split_data['lengths'][m] = lengths
        data[split] = split_data
    return manifest, data


# ---------------------------------------------------------------------------------------------
# Metrics: MMSA's metricsTop.py, mirrored from lib/eval/metrics.ts


def weighted_f1(y_true, y_pred):
    """Returns sklearn's f1_score(y_true, y_pred, average='weighted') for boolean arrays."""
    y_true, y_pred = np.asarray(y_true, bool), np.asarray(y_pred, bool)
    num = den = 0.0
    for cls in (False, True):
        if not (np.any(y_true == cls) or np.any(y_pred == cls)):
            continue  # a class in neither array is not among sklearn's labels
        tp = np.sum((y_true == cls) & (y_pred == cls))
        fp = np.sum((y_true != cls) & (y_pred == cls))
        fn = np.sum((y_true == cls) & (y_pred != cls))
        f1 = 0.0 if 2 * tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)
        support = np.sum(y_true == cls)
        num += f1 * support
        den += support
    return float(num / den) if den > 0 else 0.0


def msa_metrics(pred, truth):
    """Returns (rounded, raw) dicts of MMSA's MOSI/MOSEI regression metrics (key names included).

    Has0: pred >= 0 vs truth >= 0; Non0: truth == 0 dropped, then > 0; Mult_acc_5/7: clip to
    [-2, 2] / [-3, 3] and np.round (halves to even); MAE; Corr: np.corrcoef (nan when a side is
    constant). F1 is weighted with truth as y_true (MMSA after issue #17). Rounded values use
    Python's round(x, 4), as MMSA does.
    """
    pred, truth = np.asarray(pred, np.float64), np.asarray(truth, np.float64)
    if pred.shape != truth.shape or pred.size == 0:
        raise ValueError(f"expected predictions and truth of the same non-zero length, got {pred.shape} and {truth.shape}")
    non_zero = truth != 0
    with np.errstate(invalid='ignore', divide='ignore'):
        corr = float(np.corrcoef(pred, truth)[0][1]) if pred.size >= 2 else float('nan')
    raw = {
        'Has0_acc_2': float(np.mean((pred >= 0) == (truth >= 0))),
        'Has0_F1_score': weighted_f1(truth >= 0, pred >= 0),
        'Non0_acc_2': float(np.mean((pred[non_zero] > 0) == (truth[non_zero] > 0))) if non_zero.any() else float('nan'),
        'Non0_F1_score': weighted_f1(truth[non_zero] > 0, pred[non_zero] > 0) if non_zero.any() else float('nan'),
        'Mult_acc_5': float(np.mean(np.round(np.clip(pred, -2, 2)) == np.round(np.clip(truth, -2, 2)))),
        'Mult_acc_7': float(np.mean(np.round(np.clip(pred, -3, 3)) == np.round(np.clip(truth, -3, 3)))),
        'MAE': float(np.mean(np.abs(pred - truth))),
        'Corr': corr,
    }
    rounded = {k: (v if math.isnan(v) else round(v, 4)) for k, v in raw.items()}
    return rounded, raw


# ---------------------------------------------------------------------------------------------
# Model


class ModalityEncoder(nn.Module):
    """Per-frame Linear(D -> h) + tanh, then attention pooling over the valid frames -> [B, h]."""

    def __init__(self, dim, hidden):
        super().__init__()
        self.frame = nn.Linear(dim, hidden)
        self.score = nn.Linear(hidden, 1)

    def forward(self, x, mask):
        """x [B, T, D] float, mask [B, T] bool (True = valid frame) -> pooled [B, h]."""
        h = torch.tanh(self.frame(x))  # [B, T, h]
        scores = self.score(h).squeeze(-1).masked_fill(~mask, -1e9)  # [B, T], padding out
        weights = torch.softmax(scores, dim=1) * mask  # an empty clip gets all-zero weights
        return (weights.unsqueeze(-1) * h).sum(1)  # [B, h]


class ReferenceModel(nn.Module):
    """One encoder per modality of the subset, concatenated, then Linear -> ReLU -> Dropout -> Linear(1)."""

    def __init__(self, subset, dims, hidden, head_hidden, dropout):
        super().__init__()
        self.modalities = [LETTER[c] for c in subset]
        self.encoders = nn.ModuleDict({m: ModalityEncoder(dims[m], hidden) for m in self.modalities})
        self.head = nn.Sequential(nn.Linear(len(self.modalities) * hidden, head_hidden), nn.ReLU(),
                                  nn.Dropout(dropout), nn.Linear(head_hidden, 1))

    def forward(self, inputs, masks):
        """inputs[m] [B, T_m, D_m], masks[m] [B, T_m] bool -> predictions [B]."""
        pooled = torch.cat([self.encoders[m](inputs[m], masks[m]) for m in self.modalities], dim=1)  # [B, M*h]
        return self.head(pooled).squeeze(-1)


def split_tensors(split_data):
    """Returns (inputs, masks, labels) tensors of a split: features [N, T, D], masks [N, T] bool, labels [N]."""
    inputs, masks = {}, {}
    for m in MODALITIES:
        x = torch.from_numpy(split_data['features'][m])
        lengths = torch.from_numpy(split_data['lengths'][m].astype(np.int64))
        inputs[m] = x
        masks[m] = torch.arange(x.shape[1])[None, :] < lengths[:, None]
    return inputs, masks, torch.from_numpy(split_data['labels'])


def predict(model, tensors, modalities, chunk=256):
    """Returns the model's predictions [N] (float64 numpy) in eval mode, without gradients."""
    inputs, masks, labels = tensors
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, labels.shape[0], chunk):
            sl = slice(start, start + chunk)
            out.append(model({m: inputs[m][sl] for m in modalities}, {m: masks[m][sl] for m in modalities}))
    return torch.cat(out).double().numpy()


def train_one(subset, seed, tensors, dims, cfg, inject_failure=False):
    """Trains one model; returns its record (best epoch, valid MAE, test metrics). Raises on failure.

    Initialisation, dropout and shuffling are seeded by `seed`. A non-finite training loss or
    validation MAE raises FloatingPointError; `inject_failure` raises at the first step (for tests
    of the failure reporting).
    """
    torch.manual_seed(seed)
    shuffle = torch.Generator().manual_seed(seed)
    model = ReferenceModel(subset, dims, cfg['hidden'], cfg['head_hidden'], cfg['dropout'])
    modalities = model.modalities
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg['lr'], weight_decay=cfg['weight_decay'])
    inputs, masks, labels = tensors['train']
    n = labels.shape[0]
    valid_truth = tensors['valid'][2].double().numpy()
    best = {'mae': math.inf, 'epoch': 0, 'state': None}
    started = time.perf_counter()
    for epoch in range(1, cfg['epochs'] + 1):
        model.train()
        order = torch.randperm(n, generator=shuffle)
        for start in range(0, n, cfg['batch_size']):
            idx = order[start:start + cfg['batch_size']]
            pred = model({m: inputs[m][idx] for m in modalities}, {m: masks[m][idx] for m in modalities})
            loss = F.l1_loss(pred, labels[idx])
            if inject_failure:
                raise RuntimeError('injected failure (--inject-failure)')
            if not torch.isfinite(loss):
                raise FloatingPointError(f"non-finite training loss {loss.item()} at epoch {epoch}")
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        valid_mae = float(np.mean(np.abs(predict(model, tensors['valid'], modalities) - valid_truth)))
        if not math.isfinite(valid_mae):
            raise FloatingPointError(f"non-finite validation MAE at epoch {epoch}")
        if valid_mae < best['mae']:
            best = {'mae': valid_mae, 'epoch': epoch, 'state': copy.deepcopy(model.state_dict())}
    model.load_state_dict(best['state'])
    test_pred = predict(model, tensors['test'], modalities)
    rounded, raw = msa_metrics(test_pred, tensors['test'][2].double().numpy())
    return {
        'best_epoch': best['epoch'], 'valid_MAE': best['mae'], 'test': rounded, 'test_raw': raw,
        'params': sum(p.numel() for p in model.parameters()), 'seconds': time.perf_counter() - started,
    }


# ---------------------------------------------------------------------------------------------
# Summary and output


def summarize(runs, subsets):
    """Returns per subset: n (successful runs), the failed runs, and mean / sample std of each metric.

    The std has divisor n - 1 (None when n < 2), like the kit's meanStdTable; a metric that is nan
    in any successful run has mean and std None.
    """
    out = {}
    for subset in subsets:
        ok = [r for r in runs if r['subset'] == subset and r['status'] == 'ok']
        failed = [{'seed': r['seed'], 'error': r['error']} for r in runs if r['subset'] == subset and r['status'] != 'ok']
        mean, std = {}, {}
        for key in ['valid_MAE'] + METRIC_KEYS:
            values = np.array([r['valid_MAE'] if key == 'valid_MAE' else r['test_raw'][key] for r in ok], np.float64)
            usable = values.size > 0 and bool(np.all(np.isfinite(values)))
            mean[key] = float(values.mean()) if usable else None
            std[key] = float(values.std(ddof=1)) if usable and values.size > 1 else None
        out[subset] = {'n': len(ok), 'failed': failed, 'mean': mean, 'std': std}
    return out


def json_safe(value):
    """Returns `value` with every nan or infinite float replaced by None (strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def write_json_atomic(path, obj):
    """Writes `obj` as JSON to `path` through a temporary file in the same folder and a rename."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', suffix='.tmp', dir=folder)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it a normal file's mode
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            json.dump(obj, f, indent=1, allow_nan=False)
            f.write('\n')
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def parse_list(text, kind, allowed=None):
    """Returns the comma-separated items of `text` (ints for kind 'seeds'), refusing unknown ones."""
    items = [s.strip() for s in text.split(',') if s.strip()]
    if not items:
        raise ValueError(f"--{kind} is empty")
    if kind == 'seeds':
        return [int(s) for s in items]
    unknown = [s for s in items if allowed is not None and s not in allowed]
    if unknown:
        raise ValueError(f"unknown {kind} {unknown} (known: {','.join(allowed)})")
    return items


def main(argv=None):
    """Command line entry: load the export, train every (subset, seed), write the result JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('export', help='export folder written by exportDatasetArrays (holds manifest.json)')
    ap.add_argument('--seeds', default='1,2,3', help='comma-separated seeds (default 1,2,3)')
    ap.add_argument('--subsets', default=','.join(SUBSETS), help='comma-separated modality subsets (default all 7)')
    ap.add_argument('--epochs', type=int, default=DEFAULTS['epochs'])
    ap.add_argument('--batch-size', type=int, default=DEFAULTS['batch_size'])
    ap.add_argument('--lr', type=float, default=DEFAULTS['lr'])
    ap.add_argument('--weight-decay', type=float, default=DEFAULTS['weight_decay'])
    ap.add_argument('--hidden', type=int, default=DEFAULTS['hidden'], help='per-frame width h (default 64)')
    ap.add_argument('--head-hidden', type=int, default=DEFAULTS['head_hidden'], help='hidden width of the head (default 64)')
    ap.add_argument('--dropout', type=float, default=DEFAULTS['dropout'])
    ap.add_argument('--threads', type=int, default=1, help='torch.set_num_threads (default 1)')
    ap.add_argument('--out', help='write the result JSON here (default: stdout)')
    ap.add_argument('--inject-failure', action='append', default=[], metavar='SUBSET:SEED',
                    help='for tests: make this run fail, to exercise the failure reporting')
    a = ap.parse_args(argv)
    started = time.perf_counter()
    try:
        seeds = parse_list(a.seeds, 'seeds')
        subsets = parse_list(a.subsets, 'subsets', SUBSETS)
        if a.epochs < 1 or a.batch_size < 1 or a.threads < 1:
            raise ValueError('--epochs, --batch-size and --threads must be at least 1')
    except ValueError as err:
        sys.stderr.write(f"reference_learner: {err}\n")
        return 2
    torch.set_num_threads(a.threads)
    try:
        manifest, data = load_export(a.export)
    except ExportError as err:
        sys.stderr.write(f"reference_learner: refusing the export: {err}\n")
        return 2
    dims = manifest['dataset']['dims']
    tensors = {s: split_tensors(data[s]) for s in SPLITS}
    cfg = {k: getattr(a, k) for k in DEFAULTS}
    log = lambda line: (sys.stderr.write(line + '\n'), sys.stderr.flush())  # noqa: E731
    log(f"reference_learner: {manifest['dataset']['name']} train/valid/test "
        f"{'/'.join(str(len(data[s]['ids'])) for s in SPLITS)}, subsets {','.join(subsets)}, seeds {seeds}, "
        f"{a.epochs} epochs, torch {torch.__version__}, {a.threads} thread(s)")
    runs = []
    for subset in subsets:
        for seed in seeds:
            record = {'subset': subset, 'seed': seed}
            try:
                record.update(status='ok', **train_one(subset, seed, tensors, dims, cfg, f"{subset}:{seed}" in a.inject_failure))
                log(f"  {subset:>3} seed {seed}: best epoch {record['best_epoch']:>2}, valid MAE {record['valid_MAE']:.4f}, "
                    f"test MAE {record['test_raw']['MAE']:.4f}, Non0_acc_2 {record['test_raw']['Non0_acc_2']:.4f} "
                    f"({record['seconds']:.1f} s)")
            except Exception as err:  # a failed run is reported, never dropped silently
                record.update(status='failed', error=f"{type(err).__name__}: {err}")
                log(f"  {subset:>3} seed {seed}: FAILED {record['error']}")
            runs.append(record)
    result = {
        'tool': 'bench/reference_learner.py',
        'export': {'dir': os.path.abspath(a.export), 'dataset': manifest['dataset']['name'],
                   'contentHash': manifest.get('contentHash'), 'kit': manifest.get('kit'),
                   'counts': {s: len(data[s]['ids']) for s in SPLITS}, 'dims': dims},
        'config': dict(cfg, threads=a.threads, optimizer='AdamW', loss='L1',
                       selection='epoch with the best validation MAE', model='per-frame Linear+tanh, attention pooling, 2-layer head'),
        'seeds': seeds,
        'subsets': subsets,
        'runs': runs,
        'summary': summarize(runs, subsets),
        'failed': [{'subset': r['subset'], 'seed': r['seed'], 'error': r['error']} for r in runs if r['status'] != 'ok'],
        'versions': {'python': platform.python_version(), 'torch': torch.__version__, 'numpy': np.__version__,
                     'platform': platform.platform()},
        'wall_seconds': time.perf_counter() - started,
    }
    result = json_safe(result)
    if a.out:
        write_json_atomic(a.out, result)
    else:
        json.dump(result, sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
